import type { BatchJob, BatchResultsPage, CreateBatchJob, DriftHistory, DriftReport, InferRequest, InferResponse, LiveQualityReport, PredictEntitiesReply, TrafficPolicy, TrafficPolicyPatch, TrafficStats } from './generated/contract-types.js';
import { HttpTransport, seg, type CallOptions, type ServiceOptions } from './http-transport.js';
import type { RegistryClient } from './registry-client.js';

/** Which version answers: a number, an alias (resolved through the registry), or the traffic policy's pick when absent. */
export type VersionSelector = number | 'champion' | 'challenger';

export interface PredictOptions extends CallOptions {
  version?: VersionSelector;
  /** `x-sticky-key`: keeps a caller on the same arm of a canary. */
  stickyKey?: string;
}

/** TF-Serving's REST predict body: rows (`instances`) or columns (`inputs`). */
export type TfPredictRequest = { instances: unknown[]; signature_name?: string } | { inputs: Record<string, unknown> | unknown[]; signature_name?: string };
export interface TfPredictResponse {
  predictions?: unknown[];
  outputs?: unknown;
  [key: string]: unknown;
}

/** TF-Serving's model status: one entry per version held in memory or being loaded, and the labels. */
export interface ModelStatus {
  model_version_status: Array<{ version: string; state: 'AVAILABLE' | 'LOADING' | 'END' | string; status: { error_code: string; error_message: string } }>;
  labels?: { champion: number | null; challenger: number | null };
}

/** V2 model metadata: the version answering, its input tensors (raw features) and outputs. */
export interface ModelMetadata {
  name: string;
  /** Versions serving holds, as strings (V2's convention). */
  versions: string[];
  platform: string;
  inputs: Array<{ name: string; datatype: string; shape: number[] }>;
  outputs: Array<{ name: string; datatype: string; shape: number[] }>;
  parameters: { version: string; sha256: string; task: string; algorithm: string; input_kind: 'raw_features'; [key: string]: unknown };
}

/** One model serving holds: the versions loaded under each alias, those it is loading, and its traffic policy. */
export interface ServedModel {
  name: string;
  champion: number | null;
  challenger: number | null;
  /** The versions the registry's aliases name, while they differ from those loaded. */
  wanted?: { champion: number | null; challenger: number | null };
  /** Versions held for explicit `/versions/{v}` calls. */
  pinned?: number[];
  lastError?: string | null;
  policy: TrafficPolicy;
  [key: string]: unknown;
}

/** A time range of a served model's series: ISO 8601 `from`/`to` (default the last hour), `bucket` seconds (whole minutes, 60..86400). */
export interface SeriesRange {
  from?: string;
  to?: string;
  bucket?: number;
  version?: number;
}

export interface PredictionsClientOptions extends ServiceOptions {
  /** How long an alias's version, read from the trainer, is reused (default 10 000 ms; 0 reads it per call). */
  aliasTtlMs?: number;
}

/** model-serving: Open Inference Protocol (V2), predict by entity id, TF-Serving predict. */
export class PredictionsClient {
  private readonly http: HttpTransport;
  private readonly aliasTtlMs: number;
  private readonly aliases = new Map<string, { version: number | null; until: number }>();

  /** `registry` resolves `champion`/`challenger` to a version for V2 infer (V2 paths take numbers only). */
  constructor(
    options: PredictionsClientOptions,
    private readonly registry?: RegistryClient,
  ) {
    this.http = new HttpTransport(options);
    this.aliasTtlMs = options.aliasTtlMs ?? 10_000;
  }

  /** V2 `infer` with the model's raw-feature tensors. */
  async infer(model: string, request: InferRequest, options: PredictOptions = {}): Promise<InferResponse> {
    const version = await this.resolve(model, options);
    const path = version === undefined ? `/v2/models/${seg(model)}/infer` : `/v2/models/${seg(model)}/versions/${seg(version)}/infer`;
    return this.http.json({ ...options, headers: this.headers(options), method: 'POST', path, json: request });
  }

  /** Scores entities by id: the server reads their online features. `entities`: join key -> ids. */
  predictEntities(model: string, entities: Record<string, Array<string | number>>, options: Omit<PredictOptions, 'version'> & { version?: number } = {}): Promise<PredictEntitiesReply> {
    const json = options.version === undefined ? { entities } : { entities, version: options.version };
    return this.http.json({ ...options, headers: this.headers(options), method: 'POST', path: `/v1/models/${seg(model)}/predict-entities`, json });
  }

  /** TF-Serving's `:predict`, by the policy's version, a version number, or a label (alias). */
  tfPredict(model: string, request: TfPredictRequest, options: Omit<PredictOptions, 'version'> & { version?: number; label?: string } = {}): Promise<TfPredictResponse> {
    const base = `/v1/models/${seg(model)}`;
    const path = options.version !== undefined ? `${base}/versions/${seg(options.version)}:predict` : options.label !== undefined ? `${base}/labels/${seg(options.label)}:predict` : `${base}:predict`;
    return this.http.json({ ...options, headers: this.headers(options), method: 'POST', path, json: request });
  }

  /** V2 metadata of the champion, or of a version held (`GET /v2/models/{m}[/versions/{v}]`); unknown ones throw PlatformApiError 404. */
  metadata(model: string, options: CallOptions & { version?: number } = {}): Promise<ModelMetadata> {
    const path = options.version === undefined ? `/v2/models/${seg(model)}` : `/v2/models/${seg(model)}/versions/${seg(options.version)}`;
    return this.http.json({ ...options, method: 'GET', path });
  }

  /** Input drift of a model's live traffic against its training distribution (the champion's, or `version`'s). */
  drift(model: string, options: CallOptions & { version?: number } = {}): Promise<DriftReport> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(model)}/drift`, query: { version: options.version } });
  }

  /** Every model serving holds, with `ready` false while a champion is still loading (`GET /v1/models`). */
  servedModels(options: CallOptions = {}): Promise<{ ready: boolean; models: ServedModel[] }> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/models' });
  }

  /** How a model's traffic is split between champion and challenger, and batched. */
  trafficPolicy(model: string, options: CallOptions = {}): Promise<TrafficPolicy> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(model)}/traffic-policy` });
  }

  /** Changes the fields of a model's traffic policy that `patch` names (scope `serving:admin`); answers the whole policy. */
  setTrafficPolicy(model: string, patch: TrafficPolicyPatch, options: CallOptions = {}): Promise<TrafficPolicy> {
    return this.http.json({ ...options, method: 'PUT', path: `/v1/models/${seg(model)}/traffic-policy`, json: patch });
  }

  /** Requests, errors, rate and latency percentiles of a model per time bucket (every replica's). */
  trafficStats(model: string, range: SeriesRange = {}, options: CallOptions = {}): Promise<TrafficStats> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(model)}/traffic-stats`, query: { from: range.from, to: range.to, bucket: range.bucket, version: range.version } });
  }

  /** PSI per input feature per time bucket against the version's baseline (the champion's, or `version`'s). */
  driftHistory(model: string, range: SeriesRange = {}, options: CallOptions = {}): Promise<DriftHistory> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(model)}/drift/history`, query: { from: range.from, to: range.to, bucket: range.bucket, version: range.version } });
  }

  /** Live quality of the model's logged predictions against their outcomes, as serving reports it (a PlatformApiError `NO_OUTCOME` when its project declares no outcome). */
  liveQuality(model: string, window: { windowHours?: number; version?: number } = {}, options: CallOptions = {}): Promise<LiveQualityReport> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(model)}/live-quality`, query: { window_hours: window.windowHours, version: window.version } });
  }

  /** What serving holds of a model (`GET /v1/models/{m}`); a model it does not know throws PlatformApiError 404. */
  modelStatus(model: string, options: CallOptions = {}): Promise<ModelStatus> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(model)}` });
  }

  /** Creates a batch scoring job (`POST /v1/batch-jobs`, scope `serving:admin`); its results land in `dwh.<results.table>`. */
  createBatchJob(job: CreateBatchJob, options: CallOptions = {}): Promise<BatchJob> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/batch-jobs', json: job });
  }

  /** A batch job and its progress. */
  batchJob(id: string, options: CallOptions = {}): Promise<BatchJob> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/batch-jobs/${seg(id)}` });
  }

  /** One page of a batch job's scores (`run` defaults to the job's current run); pass `nextCursor` on to get the next. */
  batchResults(id: string, page: { run?: number; entity?: string; limit?: number; cursor?: string } = {}, options: CallOptions = {}): Promise<BatchResultsPage> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/batch-jobs/${seg(id)}/results`, query: { run: page.run, entity: page.entity, limit: page.limit, cursor: page.cursor } });
  }

  /** Every score of a run, page after page (each row once; the run of the first page is kept, should a new one start meanwhile). */
  async *allBatchResults(id: string, page: { run?: number; limit?: number } = {}, options: CallOptions = {}): AsyncGenerator<BatchResultsPage['items'][number]> {
    let run = page.run;
    let cursor: string | undefined;
    do {
      const answer = await this.batchResults(id, { ...page, run, cursor }, options);
      run = answer.run;
      yield* answer.items;
      cursor = answer.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  private headers(options: PredictOptions): Record<string, string> | undefined {
    return options.stickyKey === undefined ? options.headers : { ...options.headers, 'x-sticky-key': options.stickyKey };
  }

  private async resolve(model: string, options: PredictOptions): Promise<number | undefined> {
    const v = options.version;
    if (v === undefined || typeof v === 'number') return v;
    if (!this.registry) throw new TypeError(`version '${v}' is an alias: give the client the trainer's URL so it can resolve it`);
    const key = `${model}\u0000${v}`;
    let cached = this.aliases.get(key);
    if (!cached || cached.until <= Date.now()) {
      const summary = await this.registry.model(model, { signal: options.signal, timeoutMs: options.timeoutMs, requestId: options.requestId });
      const until = Date.now() + this.aliasTtlMs;
      for (const alias of ['champion', 'challenger'] as const) this.aliases.set(`${model}\u0000${alias}`, { version: summary.aliases[alias] ?? null, until });
      cached = this.aliases.get(key);
    }
    if (cached?.version === null || cached?.version === undefined) throw new TypeError(`model ${model} has no ${v}`);
    return cached.version;
  }
}
