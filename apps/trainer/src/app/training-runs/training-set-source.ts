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
    let metadata: { fingerprint?: string } | null = null;
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
    const version = res.headers.get('x-feature-service-version') ?? (await this.definitionVersion(request.featureService));
    return { rows, fingerprint: declared ?? ours, featureServiceVersion: version, featureTypes: await this.featureTypes(request.featureService) };
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
   * The feature service has no version number of its own; its definition pins the feature views
   * (and their versions), so a hash of the definition identifies what the training set was built from.
   * Best effort: lineage without it is still recorded.
   */
  private async definitionVersion(featureService: string): Promise<string | null> {
    try {
      const res = await fetch(new URL(`/v1/feature-services/${encodeURIComponent(featureService)}`, this.baseUrl), {
        headers: this.headers,
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) return null;
      return `sha256:${createHash('sha256').update(canonicalJson(await res.json())).digest('hex').slice(0, 16)}`;
    } catch {
      return null;
    }
  }
}
