import { createHash } from 'node:crypto';
import { canonicalJson } from '../artifacts/artifact-codec';
import type { FeatureType, RawValue } from '@mlp/model-runtime';

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
 * `POST /v1/historical-features` as NDJSON: one JSON object per row (join keys, event_timestamp,
 * label, `view__feature` columns) and a final `{"_metadata": {...}}` line whose fingerprint is
 * checked against the bytes received.
 */
export class HttpTrainingSetSource implements TrainingSetSource {
  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly timeoutMs = 30 * 60_000,
  ) {}

  async load(request: TrainingSetRequest): Promise<TrainingSet> {
    let res: Response;
    try {
      res = await fetch(new URL('/v1/historical-features', this.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', ...this.headers },
        body: JSON.stringify({
          feature_service: request.featureService,
          label_source: { sql: request.labelSql, start: request.start.toISOString(), end: request.end.toISOString() },
          format: 'ndjson',
          full_feature_names: true,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new TrainingSetError(`feature store unreachable at ${this.baseUrl}: ${e instanceof Error ? e.message : String(e)}`, 'FEATURE_STORE_UNAVAILABLE', true);
    }
    if (!res.ok || !res.body) {
      const text = await res.text().catch(() => '');
      let code = `FEATURE_STORE_${res.status}`;
      try {
        code = (JSON.parse(text) as { code?: string }).code ?? code;
      } catch {
        // not JSON: keep the status code
      }
      const retryable = res.status >= 500 || res.status === 429;
      throw new TrainingSetError(`feature store answered ${res.status}: ${text.slice(0, 500)}`, code, retryable);
    }
    const rows: TrainingRow[] = [];
    const hash = createHash('sha256');
    let metadata: { fingerprint?: string; features?: unknown; feature_refs?: unknown } | null = null;
    let buffered = '';
    const decoder = new TextDecoder();
    const take = (line: string) => {
      if (line.trim() === '') return;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed['_metadata'] && typeof parsed['_metadata'] === 'object') {
        metadata = parsed['_metadata'] as { fingerprint?: string };
        return;
      }
      hash.update(`${line}\n`);
      rows.push(parsed as TrainingRow);
    };
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          take(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
        }
      }
      take(buffered + decoder.decode());
    } catch (e) {
      if (e instanceof SyntaxError) throw new TrainingSetError(`training set is not valid NDJSON: ${e.message}`, 'TRAINING_SET_MALFORMED', false);
      throw new TrainingSetError(`training set stream broke: ${e instanceof Error ? e.message : String(e)}`, 'FEATURE_STORE_UNAVAILABLE', true);
    }
    const ours = `sha256:${hash.digest('hex')}`;
    const declared = (metadata as { fingerprint?: string } | null)?.fingerprint;
    if (declared && declared !== ours) {
      throw new TrainingSetError(`training set fingerprint ${declared} does not match the bytes received (${ours})`, 'DATASET_FINGERPRINT_MISMATCH', true);
    }
    const featureRefs = featureRefsOf(metadata);
    const version = res.headers.get('x-feature-service-version') ?? (await this.definitionVersion(request.featureService, featureRefs));
    const featureTypes = featureRefs ? await this.versionedFeatureTypes(Object.values(featureRefs)) : await this.featureTypes(request.featureService);
    return { rows, fingerprint: declared ?? ours, featureServiceVersion: version, featureTypes, ...(featureRefs ? { featureRefs } : {}) };
  }

  private async registryGet(path: string): Promise<Record<string, unknown> | null> {
    const res = await fetch(new URL(path, this.baseUrl), { headers: this.headers, signal: AbortSignal.timeout(10_000) });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : null;
  }

  /** The declared type of each feature (`view:feature`) at exactly the versions the set was joined from. Best effort. */
  private async versionedFeatureTypes(refs: string[]): Promise<Record<string, FeatureType>> {
    const types: Record<string, FeatureType> = {};
    const byView = new Map<string, Array<{ version: number; feature: string }>>();
    for (const ref of refs) {
      const p = parseVersionedRef(ref)!;
      byView.set(p.view, [...(byView.get(p.view) ?? []), p]);
    }
    try {
      for (const [view, wanted] of byView) {
        const def = await this.registryGet(`/v1/feature-views/${encodeURIComponent(view)}`);
        const versions = (def?.['versions'] ?? []) as Array<{ version: number; spec: { features?: Array<{ name: string; type: FeatureType }> } }>;
        for (const { version, feature } of wanted) {
          const type = versions.find((x) => x.version === version)?.spec.features?.find((f) => f.name === feature)?.type;
          if (type) types[`${view}:${feature}`] = type;
        }
      }
    } catch {
      // types are best effort: without them the model declares numeric inputs FP64
    }
    return types;
  }

  /**
   * The declared type of each feature of the service (`view:feature` -> int64, float64, string,
   * bool), read from the views' definitions at the versions the service pins. Best effort: without
   * it the model declares numeric inputs FP64 (every numeric datatype is accepted anyway).
   */
  private async featureTypes(featureService: string): Promise<Record<string, FeatureType>> {
    const get = async (path: string) => {
      const res = await fetch(new URL(path, this.baseUrl), { headers: this.headers, signal: AbortSignal.timeout(10_000) });
      return res.ok ? ((await res.json()) as Record<string, unknown>) : null;
    };
    const types: Record<string, FeatureType> = {};
    try {
      const svc = await get(`/v1/feature-services/${encodeURIComponent(featureService)}`);
      const refs = Array.isArray(svc?.['features']) ? (svc['features'] as unknown[]).filter((f): f is string => typeof f === 'string') : [];
      const views = new Map<string, Array<{ version: number | null; feature: string }>>();
      for (const ref of refs) {
        const m = /^([a-z][a-z0-9_]*)(?:@v(\d+))?:([a-z][a-z0-9_]*)$/.exec(ref);
        if (!m) continue;
        views.set(m[1], [...(views.get(m[1]) ?? []), { version: m[2] ? Number(m[2]) : null, feature: m[3] }]);
      }
      for (const [view, wanted] of views) {
        const def = await get(`/v1/feature-views/${encodeURIComponent(view)}`);
        const versions = (def?.['versions'] ?? []) as Array<{ version: number; spec: { features?: Array<{ name: string; type: FeatureType }> } }>;
        for (const { version, feature } of wanted) {
          const v = versions.find((x) => x.version === (version ?? def?.['version']));
          const type = v?.spec.features?.find((f) => f.name === feature)?.type;
          if (type) types[`${view}:${feature}`] = type;
        }
      }
    } catch {
      // lineage and types are best effort; the training set itself was read in full
    }
    return types;
  }

  /**
   * The feature service has no version number of its own: a hash of its definition and, where the
   * feature store told, the exact view versions the set was joined from (the definition alone
   * stays the same when a view it names gets a new version) identifies what the set was built from.
   * Best effort: lineage without it is still recorded.
   */
  private async definitionVersion(featureService: string, featureRefs?: Record<string, string>): Promise<string | null> {
    try {
      const res = await fetch(new URL(`/v1/feature-services/${encodeURIComponent(featureService)}`, this.baseUrl), {
        headers: this.headers,
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) return null;
      const definition = (await res.json()) as Record<string, unknown>;
      const identity = featureRefs ? { ...definition, resolved_features: Object.values(featureRefs) } : definition;
      return `sha256:${createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16)}`;
    } catch {
      return null;
    }
  }
}
