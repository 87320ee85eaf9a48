import type { DatasetMetadata, EntityDefinition, FeatureApplyPlan, FeatureApplyRequest, FeatureViewStats, HistoricalFeaturesRequest, Materialization, MaterializeIncrementalRequest, OnlineFeaturesRequest, OnlineFeaturesResponse } from './generated/contract-types.js';
import { HttpTransport, seg, transportError, type CallOptions, type ServiceOptions } from './http-transport.js';
import { byteLines } from './ndjson-lines.js';
import { ClientErrorCode, PlatformApiError } from './platform-api-error.js';

export type FeatureRow = Record<string, string | number | boolean | null>;

/** A training set being streamed: rows as they arrive, the metadata line (row count, fingerprint) once they are all read. */
export interface TrainingSetStream {
  /** Column names from the `x-dataset-columns` header. */
  columns: string[];
  /** `view@vN` of each feature view the set was read from. */
  viewVersions: string[];
  requestId: string;
  /** The answer's headers (e.g. `x-dataset-rows`, or a version header a feature store adds). */
  headers: Headers;
  /**
   * Every row in order. Reading to the end checks the set is whole: a `_metadata` line must end it
   * and its row count must match (else TRAINING_SET_INCOMPLETE), and with `sha256` given the row
   * lines' bytes must hash to its fingerprint (else DATASET_FINGERPRINT_MISMATCH); then `metadata`
   * and `fingerprint` are set. A line that is not a JSON object is TRAINING_SET_MALFORMED; a body
   * that breaks off is NETWORK_ERROR, TIMEOUT or ABORTED. All are PlatformApiError.
   */
  rows(): AsyncGenerator<FeatureRow>;
  /** The final `_metadata` line (after `rows()` was read to the end). */
  readonly metadata: DatasetMetadata['_metadata'] | undefined;
  /**
   * `sha256:<hex>` of the row lines (after `rows()` was read to the end): the one the feature store
   * declared, checked when `sha256` was given; the one computed when it declared none.
   */
  readonly fingerprint: string | undefined;
  /** The raw body (NDJSON), for writing to a file instead. */
  body: ReadableStream<Uint8Array>;
}

/** An incremental SHA-256, e.g. Node's `createHash('sha256')` (the client itself has no Node imports). */
export interface IncrementalHash {
  update(data: Uint8Array): unknown;
  digest(encoding: 'hex'): string;
}

export interface TrainingSetOptions extends CallOptions {
  /**
   * Makes a SHA-256 hash (`() => createHash('sha256')` in Node): the stream then checks the
   * declared fingerprint against the exact bytes of the row lines received.
   */
  sha256?: () => IncrementalHash;
}

type FeatureDefinitions = NonNullable<FeatureApplyRequest['feature_views']>[number];

/** A registered feature view at its head version, as `GET /v1/feature-views` lists it. */
export type RegisteredFeatureView = FeatureDefinitions & {
  project: string | null;
  version: number;
  versions: number[];
  live_versions: number[];
  source_status?: 'READY' | 'SOURCE_MISSING' | 'INVALID';
  source_message: string | null;
};

/** A registered entity with its owning project, as `GET /v1/entities` lists it. */
export type RegisteredEntity = EntityDefinition & { project: string | null };

/** A registered feature service. */
export type RegisteredFeatureService = NonNullable<FeatureApplyRequest['feature_services']>[number] & { project: string | null };

/** One version of a feature view, as `GET /v1/feature-views/{name}` lists it. */
export interface FeatureViewVersion {
  version: number;
  spec: FeatureDefinitions;
  source_status?: 'READY' | 'SOURCE_MISSING' | 'INVALID';
  source_message: string | null;
  source_relations: string[];
  /** Served online (materialized, watched for freshness). */
  live: boolean;
  created_at: string | null;
  superseded_at: string | null;
  last_online_read_at: string | null;
  retired_at: string | null;
  retired_reason: string | null;
}

/** A feature view with every version it had: training sets and models pin versions (`view@vN:feature`). */
export interface FeatureViewHistory {
  name: string;
  project: string | null;
  /** The head version. */
  version: number;
  versions: FeatureViewVersion[];
}

/** The freshness SLA state of one online feature view version. */
export interface FeatureViewFreshness {
  view: string;
  version: number;
  status: string;
  age_seconds: number | null;
  /** The view's freshness SLA in seconds (its `freshness_sla_seconds`, else 2 x ttl). */
  sla_seconds: number;
  newest_event_timestamp: string | null;
  [key: string]: unknown;
}

/** feature-store: definitions (apply, views, services, freshness), online features by entity, training sets as a stream. */
export class FeaturesClient {
  private readonly http: HttpTransport;

  constructor(options: ServiceOptions) {
    this.http = new HttpTransport(options);
  }

  /** Plans (`dry_run: true`) or applies a project's entities, feature views and feature services, atomically. */
  apply(request: FeatureApplyRequest, options: CallOptions = {}): Promise<FeatureApplyPlan> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/apply', json: request });
  }
  async entities(options: CallOptions = {}): Promise<RegisteredEntity[]> {
    return (await this.http.json<{ entities: RegisteredEntity[] }>({ ...options, method: 'GET', path: '/v1/entities' })).entities;
  }
  async featureViews(options: CallOptions = {}): Promise<RegisteredFeatureView[]> {
    return (await this.http.json<{ feature_views: RegisteredFeatureView[] }>({ ...options, method: 'GET', path: '/v1/feature-views' })).feature_views;
  }
  /** One feature view with every version; an unknown name throws PlatformApiError 404 `UNKNOWN_FEATURE_VIEW`. */
  featureView(name: string, options: CallOptions = {}): Promise<FeatureViewHistory> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/feature-views/${seg(name)}` });
  }
  async featureServices(options: CallOptions = {}): Promise<RegisteredFeatureService[]> {
    return (await this.http.json<{ feature_services: RegisteredFeatureService[] }>({ ...options, method: 'GET', path: '/v1/feature-services' })).feature_services;
  }
  /** One feature service; an unknown name throws PlatformApiError 404 `UNKNOWN_FEATURE_SERVICE`. */
  featureService(name: string, options: CallOptions = {}): Promise<RegisteredFeatureService> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/feature-services/${seg(name)}` });
  }
  /** Freshness SLA state of every online feature view (`status` is `BREACHED` when one is). */
  freshness(options: CallOptions = {}): Promise<{ status: 'OK' | 'BREACHED'; views: FeatureViewFreshness[] }> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/freshness' });
  }

  /** Queues materialization of each online view (or those named) from its last watermark up to `end`; answers the jobs (202). */
  async materializeIncremental(request: MaterializeIncrementalRequest, options: CallOptions = {}): Promise<Materialization[]> {
    return (await this.http.json<{ materializations: Materialization[] }>({ ...options, method: 'POST', path: '/v1/materialize-incremental', json: request })).materializations;
  }
  /** Materialization jobs, newest first: all views' or one `view`'s (`limit` 1..1000, default 100). */
  async materializations(filter: { view?: string; limit?: number } = {}, options: CallOptions = {}): Promise<Materialization[]> {
    return (await this.http.json<{ materializations: Materialization[] }>({ ...options, method: 'GET', path: '/v1/materializations', query: { view: filter.view, limit: filter.limit } })).materializations;
  }
  /** Statistics and histograms of a view's features from its latest successful materialization; a PlatformApiError 404 before one finished. */
  viewStats(name: string, options: CallOptions = {}): Promise<FeatureViewStats> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/feature-views/${seg(name)}/stats` });
  }
  /** One materialization job, to follow it to `succeeded` or `failed`. */
  materialization(id: number, options: CallOptions = {}): Promise<Materialization> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/materializations/${seg(id)}` });
  }

  /** Latest values per entity (Feast's shape: one result per requested column, a value per entity row). */
  online(request: OnlineFeaturesRequest, options: CallOptions = {}): Promise<OnlineFeaturesResponse> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/online-features', json: request });
  }

  /** The same answer as one object per entity row: `{ customer_id: 1, 'churn:orders_30d': 4 }`. */
  async onlineRows(request: OnlineFeaturesRequest, options: CallOptions = {}): Promise<FeatureRow[]> {
    const answer = await this.online(request, options);
    const names = answer.metadata.feature_names;
    const n = answer.results[0]?.values.length ?? 0;
    return Array.from({ length: n }, (_, row) => Object.fromEntries(names.map((name, col) => [name, answer.results[col]?.values[row] ?? null])) as FeatureRow);
  }

  /**
   * A point-in-time training set as NDJSON, streamed. The options' timeout bounds the wait for the
   * answer's head; pass a `signal` (e.g. `AbortSignal.timeout(ms)`) to bound the whole read.
   */
  async trainingSet(request: Omit<HistoricalFeaturesRequest, 'format'>, options: TrainingSetOptions = {}): Promise<TrainingSetStream> {
    const { sha256, ...call } = options;
    const { response, requestId } = await this.http.stream({ ...call, method: 'POST', path: '/v1/historical-features', headers: { accept: 'application/x-ndjson', ...call.headers }, json: { ...request, format: 'ndjson' } });
    if (!response.body) throw new PlatformApiError({ status: response.status, code: ClientErrorCode.INVALID_RESPONSE, message: 'the training set answer has no body', requestId });
    const list = (h: string) => (response.headers.get(h) ?? '').split(',').filter(Boolean);
    const body = response.body;
    let metadata: DatasetMetadata['_metadata'] | undefined;
    let fingerprint: string | undefined;
    let used = false;
    const fail = (code: string, message: string, retryable: boolean) => new PlatformApiError({ status: response.status, code, message: `training set: ${message}`, requestId, retryable });
    return {
      columns: list('x-dataset-columns'),
      viewVersions: list('x-feature-view-versions'),
      requestId,
      headers: response.headers,
      body,
      get metadata() {
        return metadata;
      },
      get fingerprint() {
        return fingerprint;
      },
      async *rows() {
        if (used) throw new TypeError('the training set stream can be read once');
        used = true;
        const hash = sha256?.();
        const decoder = new TextDecoder('utf-8', { fatal: true });
        let declared: DatasetMetadata['_metadata'] | undefined;
        let count = 0;
        const lines = byteLines(body);
        try {
          for (;;) {
            let next: IteratorResult<Uint8Array>;
            try {
              next = await lines.next();
            } catch (err) {
              throw transportError(err, call.signal, 'POST /v1/historical-features', requestId);
            }
            if (next.done) break;
            const row = parseLine(next.value, decoder, fail);
            if (row === undefined) {
              // A blank line: not a row, but part of the bytes the server hashed.
              if (!declared) hash?.update(next.value);
              continue;
            }
            if (declared) throw fail(ClientErrorCode.TRAINING_SET_MALFORMED, 'a line follows the _metadata line', false);
            if ('_metadata' in row && row['_metadata'] !== null && typeof row['_metadata'] === 'object') {
              declared = row['_metadata'] as DatasetMetadata['_metadata'];
              continue;
            }
            hash?.update(next.value);
            count++;
            yield row as FeatureRow;
          }
        } finally {
          // Stopped early (or failed): cancel the body so the connection does not stay open.
          await lines.return(undefined);
        }
        if (!declared) throw fail(ClientErrorCode.TRAINING_SET_INCOMPLETE, `ended after ${count} rows without its _metadata line`, true);
        if (typeof declared.rows === 'number' && declared.rows !== count) throw fail(ClientErrorCode.TRAINING_SET_INCOMPLETE, `declares ${declared.rows} rows, ${count} arrived`, true);
        const computed = hash ? `sha256:${hash.digest('hex')}` : undefined;
        if (computed && declared.fingerprint && declared.fingerprint !== computed) {
          throw fail(ClientErrorCode.DATASET_FINGERPRINT_MISMATCH, `fingerprint ${declared.fingerprint} does not match the bytes received (${computed})`, true);
        }
        metadata = declared;
        fingerprint = declared.fingerprint || computed;
      },
    };
  }
}

/** One NDJSON line: a JSON object, undefined for a blank line; anything else is TRAINING_SET_MALFORMED. */
function parseLine(bytes: Uint8Array, decoder: { decode(bytes: Uint8Array): string }, fail: (code: string, message: string, retryable: boolean) => PlatformApiError): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    const text = decoder.decode(bytes).trim();
    if (!text) return undefined;
    value = JSON.parse(text);
  } catch (err) {
    throw fail(ClientErrorCode.TRAINING_SET_MALFORMED, `a line is not valid UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`, false);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(ClientErrorCode.TRAINING_SET_MALFORMED, 'a line is not a JSON object', false);
  return value as Record<string, unknown>;
}
