import { createHash } from 'node:crypto';
import { FeaturesClient, PlatformApiError, type FeatureViewHistory, type TrainingSetStream } from '@mlp/client';
import { canonicalJson } from '../artifacts/artifact-codec';
import type { FeatureType, RawValue } from '@mlp/model-runtime';

/** Registry lookups (types, lineage) are best effort and must not hold a run up. */
const REGISTRY_TIMEOUT_MS = 10_000;

export interface TrainingSetRequest {
  featureService: string;
  labelSql: string;
  start: Date;
  end: Date;
}

export type TrainingRow = Record<string, RawValue>;

export interface TrainingSet {
  rows: TrainingRow[];
  /** `sha256:<hex>` of the body the rows came from: two runs on the same fingerprint saw the same data. */
  fingerprint: string;
  featureServiceVersion: string | null;
  /** Declared type of each feature (`view:feature`), where the feature store told: the served model's input datatypes. */
  featureTypes?: Record<string, FeatureType>;
  /**
   * Feature column -> the exact view version it was joined from (`view@vN:feature`), where the
   * feature store told (its `_metadata.feature_refs`): what the model must be served.
   */
  featureRefs?: Record<string, string>;
}

const VERSIONED_REF = /^([a-z][a-z0-9_]{0,62})@v([0-9]+):([a-z][a-z0-9_]{0,62})$/;

/** `view@vN:feature` -> its parts; undefined for anything else. */
export function parseVersionedRef(ref: string): { view: string; version: number; feature: string } | undefined {
  const m = VERSIONED_REF.exec(ref);
  return m ? { view: m[1], version: Number(m[2]), feature: m[3] } : undefined;
}

/**
 * Column -> exact ref from a training set's metadata (`features` and `feature_refs`, in the same
 * order). Undefined when the feature store did not say (older versions) or said something unusable.
 */
export function featureRefsOf(metadata: { features?: unknown; feature_refs?: unknown } | null): Record<string, string> | undefined {
  const features = metadata?.features;
  const refs = metadata?.feature_refs;
  if (!Array.isArray(features) || !Array.isArray(refs) || features.length !== refs.length || features.length === 0) return undefined;
  if (!refs.every((r) => typeof r === 'string' && parseVersionedRef(r)) || !features.every((f) => typeof f === 'string')) return undefined;
  return Object.fromEntries(features.map((f, i) => [f as string, refs[i] as string]));
}

/** Where training sets come from; the feature store over HTTP in production, the same contract in tests. */
export interface TrainingSetSource {
  load(request: TrainingSetRequest): Promise<TrainingSet>;
}

/** A training set could not be loaded; `retryable` separates an outage from a bad spec. */
export class TrainingSetError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'TrainingSetError';
  }
}

/**
 * Streams a point-in-time correct training set from the feature store's
 * `POST /v1/historical-features` as NDJSON through `@mlp/client`: one JSON object per row (join
 * keys, event_timestamp, label, `view__feature` columns) and a final `{"_metadata": {...}}` line. The
 * client checks the set is whole (the metadata line, its row count) and that the row lines' bytes
 * hash to the declared fingerprint; its errors become TrainingSetErrors with the same codes.
 */
export class HttpTrainingSetSource implements TrainingSetSource {
  private readonly features: FeaturesClient;

  constructor(
    private readonly baseUrl: string,
    headers: Record<string, string> = {},
    private readonly timeoutMs = 30 * 60_000,
  ) {
    // The whole read is bounded by a signal per load (timeoutMs), not only the wait for the head.
    this.features = new FeaturesClient({ baseUrl, headers, timeoutMs: 0 });
  }

  async load(request: TrainingSetRequest): Promise<TrainingSet> {
    const rows: TrainingRow[] = [];
    let set: TrainingSetStream;
    try {
      set = await this.features.trainingSet(
        {
          feature_service: request.featureService,
          label_source: { sql: request.labelSql, start: request.start.toISOString(), end: request.end.toISOString() },
          full_feature_names: true,
        },
        { signal: AbortSignal.timeout(this.timeoutMs), sha256: () => createHash('sha256') },
      );
      for await (const row of set.rows()) rows.push(row);
    } catch (e) {
      throw this.failure(e);
    }
    const featureRefs = featureRefsOf(set.metadata ?? null);
    const version = set.headers.get('x-feature-service-version') ?? (await this.definitionVersion(request.featureService, featureRefs));
    const featureTypes = featureRefs ? await this.versionedFeatureTypes(Object.values(featureRefs)) : await this.featureTypes(request.featureService);
    return { rows, fingerprint: set.fingerprint as string, featureServiceVersion: version, featureTypes, ...(featureRefs ? { featureRefs } : {}) };
  }

  /** The client's error as a run failure: outages are retried, refusals and malformed sets are not, a broken or altered set is. */
  private failure(e: unknown): TrainingSetError {
    if (!(e instanceof PlatformApiError)) return new TrainingSetError(`training set stream broke: ${e instanceof Error ? e.message : String(e)}`, 'FEATURE_STORE_UNAVAILABLE', true);
    // No answer, or a body that broke off or timed out.
    if (e.status === 0) return new TrainingSetError(`feature store unreachable at ${this.baseUrl}: ${e.message}`, 'FEATURE_STORE_UNAVAILABLE', true);
    // A 200 whose set failed the client's checks (TRAINING_SET_MALFORMED, TRAINING_SET_INCOMPLETE, DATASET_FINGERPRINT_MISMATCH).
    if (e.status < 300) return new TrainingSetError(e.message, e.code, e.retryable);
    const code = e.code === `HTTP_${e.status}` ? `FEATURE_STORE_${e.status}` : e.code;
    return new TrainingSetError(`feature store answered ${e.status}: ${e.message}`, code, e.status >= 500 || e.status === 429);
  }

  /** The declared type of each feature (`view:feature`) at exactly the versions the set was joined from. Best effort. */
  private async versionedFeatureTypes(refs: string[]): Promise<Record<string, FeatureType>> {
    const types: Record<string, FeatureType> = {};
    const byView = new Map<string, Array<{ version: number; feature: string }>>();
    for (const ref of refs) {
      const p = parseVersionedRef(ref)!;
      byView.set(p.view, [...(byView.get(p.view) ?? []), p]);
    }
    for (const [view, wanted] of byView) {
      const def = await this.viewHistory(view);
      for (const { version, feature } of wanted) {
        const type = def?.versions.find((x) => x.version === version)?.spec.features?.find((f) => f.name === feature)?.type;
        if (type) types[`${view}:${feature}`] = type;
      }
    }
    return types;
  }

  /**
   * The declared type of each feature of the service (`view:feature` -> int64, float64, string,
   * bool), read from the views' definitions at the versions the service pins. Best effort: without
   * it the model declares numeric inputs FP64 (every numeric datatype is accepted anyway).
   */
  private async featureTypes(featureService: string): Promise<Record<string, FeatureType>> {
    const types: Record<string, FeatureType> = {};
    const svc = await this.features.featureService(featureService, { timeoutMs: REGISTRY_TIMEOUT_MS }).catch(() => null);
    const refs = Array.isArray(svc?.features) ? svc.features.filter((f): f is string => typeof f === 'string') : [];
    const views = new Map<string, Array<{ version: number | null; feature: string }>>();
    for (const ref of refs) {
      const m = /^([a-z][a-z0-9_]*)(?:@v(\d+))?:([a-z][a-z0-9_]*)$/.exec(ref);
      if (!m) continue;
      views.set(m[1], [...(views.get(m[1]) ?? []), { version: m[2] ? Number(m[2]) : null, feature: m[3] }]);
    }
    for (const [view, wanted] of views) {
      const def = await this.viewHistory(view);
      for (const { version, feature } of wanted) {
        const type = def?.versions.find((x) => x.version === (version ?? def.version))?.spec.features?.find((f) => f.name === feature)?.type;
        if (type) types[`${view}:${feature}`] = type;
      }
    }
    return types;
  }

  /** A view with every version, or null when the registry cannot say (types are best effort). */
  private viewHistory(view: string): Promise<FeatureViewHistory | null> {
    return this.features.featureView(view, { timeoutMs: REGISTRY_TIMEOUT_MS }).catch(() => null);
  }

  /**
   * The feature service has no version number of its own: a hash of its definition and, where the
   * feature store told, the exact view versions the set was joined from (the definition alone
   * stays the same when a view it names gets a new version) identifies what the set was built from.
   * Best effort: lineage without it is still recorded.
   */
  private async definitionVersion(featureService: string, featureRefs?: Record<string, string>): Promise<string | null> {
    const definition = await this.features.featureService(featureService, { timeoutMs: REGISTRY_TIMEOUT_MS }).catch(() => null);
    if (!definition) return null;
    const identity = featureRefs ? { ...definition, resolved_features: Object.values(featureRefs) } : definition;
    return `sha256:${createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16)}`;
  }
}
