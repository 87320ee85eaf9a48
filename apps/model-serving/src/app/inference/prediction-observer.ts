import { Inject, Injectable } from '@nestjs/common';
import type { PredictionLogRecord } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { PLATFORM_LOGGER } from '@mlp/service-kit';
import { DriftService } from '../drift/drift.service';
import { InferErrorCode } from '../errors/inference-error';
import { ServingMetrics } from '../metrics/serving-metrics';
import type { LoadedModel, ModelArm } from '../models/loaded-model';
import { ModelStore } from '../models/model-store';
import { PredictionLogService } from '../prediction-log/prediction-log.service';
import { encodePredictionRecord } from '../prediction-log/prediction-record';
import { loggedRow, type ModelRows } from './model-rows';

/**
 * What happens around a prediction besides answering it: a non-finite answer is turned into a
 * failure; success, duration and failure are counted; inputs are watched for drift; every
 * prediction goes to the prediction log.
 */
@Injectable()
export class PredictionObserver {
  private readonly durationRecorders = new WeakMap<LoadedModel, (seconds: number) => void>();
  private readonly successCounters = new WeakMap<LoadedModel, () => void>();

  constructor(
    private readonly store: ModelStore,
    private readonly metrics: ServingMetrics,
    private readonly drift: DriftService,
    private readonly predictionLog: PredictionLogService,
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
    if (!version && this.store.knows(name)) {
      try {
        version = String(this.store.alias(name, 'champion').version);
      } catch {
        version = 'none';
      }
    }
    if (version) this.metrics.failure.inc({ model: name, version, code: err instanceof PlatformError ? err.code : 'INTERNAL' });
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

  private durationOf(model: LoadedModel): (seconds: number) => void {
    let record = this.durationRecorders.get(model);
    if (!record) {
      record = this.metrics.duration.bind(model.metricLabels);
      this.durationRecorders.set(model, record);
    }
    return record;
  }

  private logPredictions(model: LoadedModel, arm: ModelArm | 'shadow', rows: ModelRows, out: Float32Array, latencyMs: number, requestId: string) {
    const width = out.length / rows.rows;
    const request = requestId.length > 128 ? requestId.slice(0, 128) : requestId;
    const entities = rows.entities;
    try {
      if (!entities && !Array.isArray(rows.logged)) {
        // All inputs are numbers: the log's thread turns them into JSON lines (see PredictionFrameWriter).
        const { keys, values } = rows.logged;
        this.predictionLog.recordNumbers({ model: model.name, version: model.version, arm, keys, values, outputs: out, width, latencyMs, predictedAtMs: Date.now(), requestId: request }, rows.rows);
        return;
      }
      const predictedAt = new Date().toISOString();
      // Each record becomes its line of JSON text right away: the log keeps flat text, not objects.
      const records: string[] = new Array(rows.rows);
      for (let r = 0; r < rows.rows; r++) {
        const record: PredictionLogRecord = {
          predictionId: this.predictionLog.nextPredictionId(),
          requestId: request,
          model: model.name,
          version: model.version,
          arm,
          inputs: loggedRow(rows.logged, r),
          output: out[r * width],
          latencyMs,
          predictedAt,
        };
        if (entities) record.entity = entities[r];
        records[r] = encodePredictionRecord(record);
      }
      this.predictionLog.record(records);
    } catch (err) {
      // Back pressure was checked before predicting; losing the race here is reported, not hidden.
      this.log.error({ err: String(err), model: model.name, rows: rows.rows }, 'prediction log refused records after the prediction was made');
    }
  }
}
