import { Inject, Injectable } from '@nestjs/common';
import { PlatformError, type Logger } from '@mlp/runtime';
import { PLATFORM_LOGGER } from '@mlp/service-kit';
import { DriftMonitor } from '../drift/drift-monitor';
import { InferErrorCode } from '../errors/inference-error';
import { ServingMetrics } from '../metrics/serving-metrics';
import type { LoadedModel, ModelArm } from '../models/loaded-model';
import { ModelStore } from '../models/model-store';
import { PredictionLogWriter } from '../prediction-log/prediction-log-writer';
import { TrafficStatsRecorder } from '../traffic-stats/traffic-stats-recorder';
import type { TrafficCounter } from '../traffic-stats/traffic-counter';
import type { ModelRows } from './model-rows';

/**
 * What happens around a prediction besides answering it: a non-finite answer is turned into a
 * failure; success, duration and failure are counted; inputs are watched for drift; every
 * prediction goes to the prediction log.
 */
@Injectable()
export class PredictionObserver {
  private readonly durationRecorders = new WeakMap<LoadedModel, (seconds: number) => void>();
  private readonly successCounters = new WeakMap<LoadedModel, () => void>();
  private readonly trafficCounters = new WeakMap<LoadedModel, TrafficCounter>();

  constructor(
    private readonly store: ModelStore,
    private readonly metrics: ServingMetrics,
    private readonly drift: DriftMonitor,
    private readonly predictionLog: PredictionLogWriter,
    private readonly traffic: TrafficStatsRecorder,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  /**
   * A prediction was made. A non-finite output is never an answer: it throws NON_FINITE_PREDICTION
   * (500, logged with model, version and request id; counted by `failed` like any failure), and
   * nothing of it is logged as a prediction. Shadow predictions are logged only: they answer no one.
   */
  observe(model: LoadedModel, arm: ModelArm | 'shadow', rows: ModelRows, out: Float32Array, startedAt: number, requestId: string): void {
    for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) throw this.nonFinite(model, arm, out, i, requestId);
    const seconds = (performance.now() - startedAt) / 1000;
    if (arm !== 'shadow') {
      this.successOf(model)();
      this.durationOf(model)(seconds);
      this.trafficOf(model).success(seconds, Date.now());
      this.drift.observe(model, rows.columns, rows.rows);
    }
    this.logPredictions(model, arm, rows, out, seconds * 1000, requestId);
  }

  /**
   * A request failed (a client mistake or the server's): counted against the version that handled
   * it, or the champion when it failed before a version was chosen (nothing for a model not served).
   */
  failed(name: string, handledBy: LoadedModel | undefined, err: unknown): void {
    let version = handledBy ? String(handledBy.version) : undefined;
    let counted = handledBy;
    if (!version && this.store.knows(name)) {
      try {
        counted = this.store.alias(name, 'champion');
        version = String(counted.version);
      } catch {
        version = 'none';
      }
    }
    if (version) this.metrics.failure.inc({ model: name, version, code: err instanceof PlatformError ? err.code : 'INTERNAL' });
    if (counted) this.trafficOf(counted).failure(!(err instanceof PlatformError) || err.status >= 500, Date.now());
  }

  private nonFinite(model: LoadedModel, arm: ModelArm | 'shadow', out: Float32Array, at: number, requestId: string): PlatformError {
    const row = Math.floor(at / model.outWidth);
    this.log.error({ model: model.name, version: model.version, arm, requestId, row, value: String(out[at]) }, 'the model answered a non-finite value; the request failed');
    return new PlatformError(500, InferErrorCode.NON_FINITE_PREDICTION, `${model.name} v${model.version} answered ${String(out[at])} for row ${row}; no prediction was returned`);
  }

  private successOf(model: LoadedModel): () => void {
    let count = this.successCounters.get(model);
    if (!count) {
      count = this.metrics.countSuccess(model.metricLabels);
      this.successCounters.set(model, count);
    }
    return count;
  }

  private trafficOf(model: LoadedModel): TrafficCounter {
    let counter = this.trafficCounters.get(model);
    if (!counter) {
      counter = this.traffic.counter(model.name, model.version);
      this.trafficCounters.set(model, counter);
    }
    return counter;
  }

  private durationOf(model: LoadedModel): (seconds: number) => void {
    let record = this.durationRecorders.get(model);
    if (!record) {
      record = this.metrics.duration.bind(model.metricLabels);
      this.durationRecorders.set(model, record);
    }
    return record;
  }

  /** The raw values each row was given and its answer (the log's thread writes the lines). */
  private logPredictions(model: LoadedModel, arm: ModelArm | 'shadow', rows: ModelRows, modelOut: Float32Array, latencyMs: number, requestId: string) {
    const out = model.rowAnswers(modelOut, rows.rows);
    try {
      this.predictionLog.record({
        model: model.name,
        version: model.version,
        arm,
        keys: model.featureNames,
        columns: rows.columns,
        rows: rows.rows,
        outputs: out,
        width: out.length / rows.rows,
        entities: rows.entities,
        latencyMs,
        predictedAtMs: Date.now(),
        requestId: requestId.length > 128 ? requestId.slice(0, 128) : requestId,
      });
    } catch (err) {
      // Back pressure was checked before predicting; losing the race here is reported, not hidden.
      this.log.error({ err: String(err), model: model.name, rows: rows.rows }, 'prediction log refused records after the prediction was made');
    }
  }
}
