import type { DatasetMetadata, FeatureApplyPlan, FeatureApplyRequest, HistoricalFeaturesRequest, OnlineFeaturesRequest, OnlineFeaturesResponse } from './generated/contract-types.js';
import { HttpTransport, seg, type CallOptions, type ServiceOptions } from './http-transport.js';
import { ndjsonLines } from './ndjson-lines.js';
import { ClientErrorCode, PlatformApiError } from './platform-api-error.js';

export type FeatureRow = Record<string, string | number | boolean | null>;

/** A training set being streamed: rows as they arrive, the metadata line (row count, fingerprint) once they are all read. */
export interface TrainingSetStream {
  /** Column names from the `x-dataset-columns` header. */
  columns: string[];
  /** `view@vN` of each feature view the set was read from. */
  viewVersions: string[];
  requestId: string;
  /** Every row in order; reading them to the end fills `metadata`. */
  rows(): AsyncGenerator<FeatureRow>;
  /** The final `_metadata` line (after `rows()` was read to the end). */
  readonly metadata: DatasetMetadata['_metadata'] | undefined;
  /** The raw body (CSV or NDJSON), for writing to a file instead. */
  body: ReadableStream<Uint8Array>;
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

/** One feature view with every version, as `GET /v1/feature-views/{name}` answers it. */
export interface RegisteredFeatureViewVersions {
  name: string;
  project: string | null;
  version: number;
  versions: Array<{
    version: number;
    spec: FeatureDefinitions;
    source_status: 'READY' | 'SOURCE_MISSING' | 'INVALID';
    source_message: string | null;
    /** The warehouse relations its source SQL reads (`dwh.mart_orders`). */
    source_relations: string[];
    live: boolean;
    created_at: string;
    superseded_at: string | null;
    last_online_read_at: string | null;
    retired_at: string | null;
    retired_reason: string | null;
  }>;
}

/** A registered feature service. */
export type RegisteredFeatureService = NonNullable<FeatureApplyRequest['feature_services']>[number] & { project: string | null };

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
  async featureViews(options: CallOptions = {}): Promise<RegisteredFeatureView[]> {
    return (await this.http.json<{ feature_views: RegisteredFeatureView[] }>({ ...options, method: 'GET', path: '/v1/feature-views' })).feature_views;
  }
  /** One feature view with all its versions; an unknown name throws PlatformApiError 404 `UNKNOWN_FEATURE_VIEW`. */
  featureView(name: string, options: CallOptions = {}): Promise<RegisteredFeatureViewVersions> {
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

  /** A point-in-time training set as NDJSON, streamed. */
  async trainingSet(request: Omit<HistoricalFeaturesRequest, 'format'>, options: CallOptions = {}): Promise<TrainingSetStream> {
    const { response, requestId } = await this.http.stream({ ...options, method: 'POST', path: '/v1/historical-features', json: { ...request, format: 'ndjson' } });
    if (!response.body) throw new PlatformApiError({ status: response.status, code: ClientErrorCode.INVALID_RESPONSE, message: 'the training set answer has no body', requestId });
    const list = (h: string) => (response.headers.get(h) ?? '').split(',').filter(Boolean);
    const body = response.body;
    let metadata: DatasetMetadata['_metadata'] | undefined;
    let used = false;
    return {
      columns: list('x-dataset-columns'),
      viewVersions: list('x-feature-view-versions'),
      requestId,
      body,
      get metadata() {
        return metadata;
      },
      async *rows() {
        if (used) throw new TypeError('the training set stream can be read once');
        used = true;
        for await (const line of ndjsonLines<FeatureRow | DatasetMetadata>(body)) {
          if (line && typeof line === 'object' && '_metadata' in line) metadata = (line as DatasetMetadata)._metadata;
          else yield line as FeatureRow;
        }
      },
    };
  }
}
