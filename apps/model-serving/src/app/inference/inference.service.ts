import { Inject, Injectable } from '@nestjs/common';
import {
  GetOnlineFeaturesMessage,
  ServiceName,
  type FeatureStatus,
  type PredictEntitiesReply,
  type PredictionLogRecord,
} from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { PeerClients, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { DriftService } from '../drift/drift.service';
import { ServingMetrics } from '../metrics/serving-metrics';
import type { LoadedModel, ModelArm } from '../models/loaded-model';
import { ModelStore, type Alias } from '../models/model-store';
import { PredictionLogService } from '../prediction-log/prediction-log.service';
import { encodePredictionRecord } from '../prediction-log/prediction-record';
import { isMissing, type RawColumn } from '@mlp/model-runtime';
import { chooseArm } from '../traffic/traffic-split';
import { badInfer, InferErrorCode } from './inference-error';
import { assembleRows, loggedRow, modelRows, outputTensors, type FeatureValue, type ModelRows } from './model-input';
import { onlineColumnName, onlineFeatureSelection } from './online-feature-request';
import { buildInferResponse, inferResponseJson, parseInferRequest, type OutputTensor, type ParsedInferRequest, type ParsedTensor } from './v2-protocol';

/**
 * Candidate sticky keys of a request; the model's policy says which one routes it (`entity`: the
 * entity key, else the header; `header`: the `x-sticky-key` header), the request id as last resort.
 */
export interface StickyKeys {
  entity?: string;
  header?: string;
  requestId: string;
}

/** `parameters.sticky_key` of a V2 request is its entity key; the header and the request id are the others. */
export function stickyKeysFrom(requestId: string, header: string | undefined, parameters?: Record<string, unknown>): StickyKeys {
  const fromBody = parameters?.['sticky_key'];
  return { entity: typeof fromBody === 'string' || typeof fromBody === 'number' ? String(fromBody) : undefined, header, requestId };
}

/** Which version answers: a pinned number, an alias, or the model's traffic policy. */
export type Target = { version: number } | { alias: Alias } | { policy: true };

export type V2Answer = ReturnType<typeof buildInferResponse>;

export interface InferResult {
  model: LoadedModel;
  arm: ModelArm;
  outputs: OutputTensor[];
}

/**
 * One inference path for every protocol (V2, TF-Serving, entity-keyed, batch): resolve the version,
 * build the model rows, predict through the version's batcher, measure, log, watch drift, and
 * score the challenger on the side in shadow mode.
 */
@Injectable()
export class InferenceService {
  private readonly durationRecorders = new WeakMap<LoadedModel, (seconds: number) => void>();
  private readonly successCounters = new WeakMap<LoadedModel, () => void>();

  constructor(
    private readonly store: ModelStore,
    private readonly metrics: ServingMetrics,
    private readonly predictionLog: PredictionLogService,
    private readonly drift: DriftService,
    private readonly peers: PeerClients,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  get limits() {
    return { maxElements: this.config.env['MAX_INFER_ELEMENTS'] as number, maxRows: this.config.env['MAX_INFER_ROWS'] as number };
  }

  /**
   * A whole V2 infer (both the Nest route and the lean Fastify route answer through this): 404 for an
   * unknown model, parse, infer with the target version, and the V2 response.
   */
  inferV2(name: string, target: Target, body: unknown, requestId: string, stickyHeader?: string): V2Answer | Promise<V2Answer> {
    return this.inferV2As(buildInferResponse, name, target, body, requestId, stickyHeader);
  }

  /** `inferV2` answering the response's JSON text (the fast HTTP route sends it as it is). */
  inferV2Json(name: string, target: Target, body: unknown, requestId: string, stickyHeader?: string): string | Promise<string> {
    return this.inferV2As(inferResponseJson, name, target, body, requestId, stickyHeader);
  }

  private inferV2As<T>(
    build: (name: string, version: number, request: ParsedInferRequest, outputs: OutputTensor[], parameters: Record<string, unknown>) => T,
    name: string,
    target: Target,
    body: unknown,
    requestId: string,
    stickyHeader?: string,
  ): T | Promise<T> {
    if (!this.store.knows(name)) throw new PlatformError(404, InferErrorCode.MODEL_NOT_FOUND, `model ${name} is not served`);
    const ctx: { model?: LoadedModel } = {};
    try {
      const parsed = this.parse(body);
      const answer = (r: InferResult) => build(name, r.model.version, parsed, r.outputs, { arm: r.arm });
      const result = this.inferTensors(name, target, parsed, stickyKeysFrom(requestId, stickyHeader, parsed.parameters), ctx);
      if (!(result instanceof Promise)) return answer(result);
      return result.then(answer, (err: unknown) => {
        this.countFailure(name, ctx, err);
        throw err;
      });
    } catch (err) {
      this.countFailure(name, ctx, err);
      throw err;
    }
  }

  /** Parses a V2 body (every input a raw feature; null for a missing value). */
  parse(body: unknown): ParsedInferRequest {
    return parseInferRequest(body, { maxElements: this.limits.maxElements });
  }

  /** Resolves the serving version for a target (the arm is recorded with every prediction). */
  async resolve(name: string, target: Target, sticky: StickyKeys): Promise<{ model: LoadedModel; arm: ModelArm; shadow?: LoadedModel }> {
    if ('version' in target) return { model: await this.store.version(name, target.version), arm: 'pinned' };
    return this.resolveAliasOrPolicy(name, target, sticky);
  }

  /** Aliases and traffic policies resolve synchronously (no await on the hot path). */
  private resolveAliasOrPolicy(name: string, target: { alias: Alias } | { policy: true }, sticky: StickyKeys): { model: LoadedModel; arm: ModelArm; shadow?: LoadedModel } {
    if ('alias' in target) return { model: this.store.alias(name, target.alias), arm: target.alias };
    const challenger = this.store.challengerOf(name);
    const policy = this.store.policy(name);
    const key = (policy.stickyKey === 'entity' ? (sticky.entity ?? sticky.header) : sticky.header) ?? sticky.requestId;
    const decision = chooseArm(policy, key, !!challenger);
    const model = decision.serve === 'challenger' && challenger ? challenger : this.store.alias(name, 'champion');
    return { model, arm: decision.serve, shadow: decision.shadow ? challenger : undefined };
  }

  /**
   * Runs one protocol request and counts its failure (client or server) against the version that
   * handled it, or the champion when it failed before a version was chosen.
   */
  async track<T>(name: string, work: (ctx: { model?: LoadedModel }) => Promise<T>): Promise<T> {
    const ctx: { model?: LoadedModel } = {};
    try {
      return await work(ctx);
    } catch (err) {
      this.countFailure(name, ctx, err);
      throw err;
    }
  }

  private countFailure(name: string, ctx: { model?: LoadedModel }, err: unknown): void {
    let version = ctx.model ? String(ctx.model.version) : undefined;
    if (!version && this.store.knows(name)) {
      try {
        version = String(this.store.alias(name, 'champion').version);
      } catch {
        version = 'none';
      }
    }
    if (version) this.metrics.failure.inc({ model: name, version, code: err instanceof PlatformError ? err.code : 'INTERNAL' });
  }

  /**
   * Infers with the version the target names. For an alias or the traffic policy, a batch the model
   * can run at once (no coalescing wait, no worker thread, no slicing: see LoadedModel.predictNow)
   * is resolved, predicted and answered synchronously: no promise is created on that hot path. The
   * rest (pinned versions, coalesced or heavy batches) goes through the queued path.
   */
  inferTensors(name: string, target: Target, request: ParsedInferRequest, sticky: StickyKeys, ctx: { model?: LoadedModel } = {}): InferResult | Promise<InferResult> {
    if ('version' in target) return this.inferTensorsQueued(name, target, request, sticky, ctx);
    const r = this.resolveAliasOrPolicy(name, target, sticky);
    if (!r.model.acquire()) return this.inferTensorsQueued(name, target, request, sticky, ctx); // swapped out meanwhile: resolve again
    let releaseLater = false;
    try {
      ctx.model = r.model;
      this.checkOutputs(r.model, request);
      const rows = assembleRows(r.model.artifact, request.inputs, this.limits.maxRows);
      const now = this.predictNow(r.model, r.arm, rows, sticky.requestId);
      if (now) return this.inferResult(r, request, rows, now, sticky.requestId);
      releaseLater = true;
      return this.predict(r.model, r.arm, rows, sticky.requestId)
        .then((out) => this.inferResult(r, request, rows, out, sticky.requestId))
        .finally(() => r.model.release());
    } finally {
      if (!releaseLater) r.model.release();
    }
  }

  private async inferTensorsQueued(name: string, target: Target, request: ParsedInferRequest, sticky: StickyKeys, ctx: { model?: LoadedModel }): Promise<InferResult> {
    const requestId = sticky.requestId;
    const held = new Set<LoadedModel>();
    try {
      const r = await this.resolveHeld(name, target, sticky, held);
      ctx.model = r.model;
      this.checkOutputs(r.model, request);
      const rows = assembleRows(r.model.artifact, request.inputs, this.limits.maxRows);
      const out = await this.predict(r.model, r.arm, rows, requestId);
      return this.inferResult(r, request, rows, out, requestId);
    } finally {
      for (const m of held) m.release();
    }
  }

  private checkOutputs(model: LoadedModel, request: ParsedInferRequest): void {
    if (!request.outputs) return;
    for (const o of request.outputs) {
      if (!model.artifact.signature.outputs.some((s) => s.name === o)) throw badInfer(InferErrorCode.UNKNOWN_OUTPUT, `the model has no output ${o}`);
    }
  }

  private inferResult(r: { model: LoadedModel; arm: ModelArm; shadow?: LoadedModel }, request: ParsedInferRequest, rows: ModelRows, out: Float32Array, requestId: string): InferResult {
    if (r.shadow) void this.shadowScore(r.shadow, request.inputs, requestId);
    return { model: r.model, arm: r.arm, outputs: outputTensors(r.model.artifact, out, rows.rows) };
  }

  /**
   * Resolves the version to use and holds it until the caller releases it, so a swap that happens
   * while the request is still fetching features or assembling rows cannot unload it underneath.
   * A version unloaded between resolving and holding is resolved again (the new one is serving).
   */
  private async resolveHeld(name: string, target: Target, sticky: StickyKeys, held: Set<LoadedModel>) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = 'version' in target ? await this.resolve(name, target, sticky) : this.resolveAliasOrPolicy(name, target, sticky);
      if (held.has(r.model) || r.model.acquire()) {
        held.add(r.model);
        return r;
      }
    }
    throw new PlatformError(503, InferErrorCode.MODEL_NOT_READY, `${name} is being swapped; retry`);
  }

  /**
   * Predicts through the version's batcher while holding it (a swapped-out version stays alive
   * until this returns), then logs and observes drift off the answer path.
   */
  async predict(model: LoadedModel, arm: ModelArm | 'shadow', rows: ModelRows, requestId: string, entities?: Array<Record<string, string | number>>): Promise<Float32Array> {
    if (arm !== 'shadow') this.predictionLog.assertRoom(rows.rows);
    if (!model.acquire()) throw new PlatformError(503, InferErrorCode.MODEL_NOT_READY, `${model.name} v${model.version} was unloaded; retry`);
    const started = performance.now();
    let out: Float32Array;
    try {
      out = await model.predict(rows.matrix, rows.rows);
    } finally {
      model.release();
    }
    this.observed(model, arm, rows, out, started, requestId, entities);
    return out;
  }

  /** The synchronous twin of `predict` for a version the caller holds; undefined when it must queue. */
  private predictNow(model: LoadedModel, arm: ModelArm, rows: ModelRows, requestId: string): Float32Array | undefined {
    this.predictionLog.assertRoom(rows.rows);
    const started = performance.now();
    const out = model.predictNow(rows.matrix, rows.rows);
    if (out) this.observed(model, arm, rows, out, started, requestId);
    return out;
  }

  /**
   * Measures, watches drift and logs a prediction once made (off the answer's critical path). A
   * non-finite output is never an answer: it fails the request with NON_FINITE_PREDICTION (counted
   * as a failure of the version, logged with it), and nothing of it is logged as a prediction.
   */
  private observed(model: LoadedModel, arm: ModelArm | 'shadow', rows: ModelRows, out: Float32Array, started: number, requestId: string, entities?: Array<Record<string, string | number>>): void {
    for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) throw this.nonFinite(model, arm, out, i, requestId);
    const seconds = (performance.now() - started) / 1000;
    if (arm !== 'shadow') {
      this.successOf(model)();
      this.durationOf(model)(seconds);
      this.drift.observe(model, rows.columns, rows.rows);
    }
    this.logPredictions(model, arm, rows, out, seconds * 1000, requestId, entities);
  }

  private nonFinite(model: LoadedModel, arm: ModelArm | 'shadow', out: Float32Array, at: number, requestId: string): PlatformError {
    const width = model.outWidth;
    this.log.error({ model: model.name, version: model.version, arm, requestId, row: Math.floor(at / width), value: String(out[at]) }, 'the model answered a non-finite value; the request failed');
    return new PlatformError(500, InferErrorCode.NON_FINITE_PREDICTION, `${model.name} v${model.version} answered ${String(out[at])} for row ${Math.floor(at / width)}; no prediction was returned`);
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

  private logPredictions(model: LoadedModel, arm: ModelArm | 'shadow', rows: ModelRows, out: Float32Array, latencyMs: number, requestId: string, entities?: Array<Record<string, string | number>>) {
    const width = out.length / rows.rows;
    const request = requestId.length > 128 ? requestId.slice(0, 128) : requestId;
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

  private async shadowScore(challenger: LoadedModel, inputs: ParsedTensor[], requestId: string): Promise<void> {
    try {
      const rows = assembleRows(challenger.artifact, inputs, this.limits.maxRows);
      await this.predict(challenger, 'shadow', rows, requestId);
    } catch (err) {
      this.log.warn({ model: challenger.name, version: challenger.version, err: String(err) }, 'shadow scoring failed (the caller was not affected)');
    }
  }

  // --- entity-keyed predictions ---

  async predictEntities(name: string, entities: Record<string, Array<string | number>>, version: number | undefined, requestId: string, header?: string): Promise<PredictEntitiesReply> {
    const keys = Object.keys(entities);
    if (keys.length === 0) throw PlatformError.badRequest('entities needs at least one join key', [], 'INVALID_ENTITIES');
    const n = entities[keys[0]].length;
    if (keys.some((k) => entities[k].length !== n)) throw PlatformError.badRequest('every join key needs one value per entity', [], 'INVALID_ENTITIES');
    if (n > this.limits.maxRows) throw new PlatformError(413, InferErrorCode.BATCH_TOO_LARGE, `${n} entities exceed the limit of ${this.limits.maxRows}`);
    const entityRows = Array.from({ length: n }, (_, i) => Object.fromEntries(keys.map((k) => [k, entities[k][i]])));
    // Route each entity by its own sticky key, then score each arm's group in one call.
    const groups = new Map<LoadedModel, { arm: ModelArm; idx: number[] }>();
    let shadow: LoadedModel | undefined;
    const held = new Set<LoadedModel>();
    try {
      for (let i = 0; i < n; i++) {
        const entity = keys.map((k) => `${k}=${entities[k][i]}`).join('&');
        const r = await this.resolveHeld(name, version ? { version } : { policy: true }, { entity, header, requestId }, held);
        shadow ??= r.shadow;
        const g = groups.get(r.model) ?? { arm: r.arm, idx: [] };
        g.idx.push(i);
        groups.set(r.model, g);
      }
      const predictions: PredictEntitiesReply['predictions'] = new Array(n);
      let degraded = 0;
      await Promise.all(
        [...groups].map(async ([model, g]) => {
          const subset = g.idx.map((i) => entityRows[i]);
          const { rows, values, statuses, filled } = await this.entityRows(model, subset);
          const out = await this.predict(model, g.arm, rows, requestId, subset);
          const width = out.length / rows.rows;
          g.idx.forEach((i, j) => {
            if (filled[j] > 0) degraded++;
            predictions[i] = {
              entity: subset[j],
              score: out[j * width],
              model: model.name,
              version: model.version,
              arm: g.arm === 'pinned' ? 'pinned' : g.arm,
              featureStatuses: statuses[j],
              features: values[j],
            };
          });
        }),
      );
      if (shadow) {
        const challenger = shadow;
        void this.entityRows(challenger, entityRows)
          .then(({ rows }) => this.predict(challenger, 'shadow', rows, requestId, entityRows))
          .catch((err) => this.log.warn({ err: String(err) }, 'shadow scoring failed (the caller was not affected)'));
      }
      return { model: name, predictions, degraded };
    } finally {
      for (const m of held) m.release();
    }
  }

  /**
   * Fetches a model's features online and makes its model rows. A value the feature store marks
   * NOT_FOUND or OUTSIDE_MAX_AGE, or one the preprocessing cannot use, is missing: filled as in
   * training, and its status says so (PRESENT becomes NOT_FOUND for an unusable value).
   */
  async entityRows(model: LoadedModel, entityRows: Array<Record<string, string | number>>) {
    const transforms = model.artifact.preprocessing.features;
    const keys = Object.keys(entityRows[0] ?? {});
    const reply = await this.peers.get(ServiceName.FEATURE_STORE).send(GetOnlineFeaturesMessage, {
      // Exactly the view versions the model was trained on, where its artifact records them.
      ...onlineFeatureSelection(model.artifact),
      entities: Object.fromEntries(keys.map((k) => [k, entityRows.map((e) => e[k])])),
      full_feature_names: true,
    });
    const names = reply.metadata.feature_names;
    const offset = reply.results.length - transforms.length;
    const column = (ref: string, i: number) => {
      const [view, feature] = ref.split(':');
      const candidates = [onlineColumnName(model.artifact, ref), ref, `${view.replace(/@v\d+$/, '')}__${feature}`, `${view}__${feature}`, feature];
      const at = names.findIndex((n) => candidates.includes(n));
      return reply.results[at >= 0 ? at : offset + i];
    };
    const cols = transforms.map((t, i) => column(t.name, i));
    const n = entityRows.length;
    if (cols.some((c) => !c || c.values.length !== n || c.statuses.length !== n)) {
      throw new PlatformError(502, 'BAD_PEER_REPLY', `feature-store answered ${cols.length} features for ${n} entities in an unexpected shape`);
    }
    const used: RawColumn[] = [];
    const values: Array<Record<string, FeatureValue>> = Array.from({ length: n }, () => ({}));
    const statuses: Array<Record<string, FeatureStatus>> = Array.from({ length: n }, () => ({}));
    const filled = new Uint32Array(n);
    transforms.forEach((t, i) => {
      const column: FeatureValue[] = new Array(n);
      for (let r = 0; r < n; r++) {
        const value = cols[i].values[r];
        let status = cols[i].statuses[r];
        if (status === 'PRESENT' && isMissing(t, value)) status = 'NOT_FOUND';
        values[r][t.name] = value;
        statuses[r][t.name] = status;
        column[r] = status === 'PRESENT' ? value : null;
        if (status !== 'PRESENT') filled[r]++;
      }
      used.push(column);
    });
    return { rows: modelRows(model.artifact, used, n), values, statuses, filled };
  }
}
