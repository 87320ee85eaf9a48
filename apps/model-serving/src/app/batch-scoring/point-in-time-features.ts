import { Inject, Injectable } from '@nestjs/common';
import type { ModelArtifact } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { entityRows, type EntityKey, type EntityRows, type FeatureColumn } from '../entity-predictions/entity-features';
import { onlineColumnName, onlineFeatureSelection } from '../entity-predictions/online-feature-request';
import type { ModelInputs } from '../inference/inference.service';
import { pointInTimeColumns, pointInTimeRequest } from './point-in-time-request';

/** How long one chunk's point-in-time retrieval may take before the run is interrupted (and retried). */
const RETRIEVAL_TIMEOUT_MS = 120_000;

/**
 * A batch job's features as of a stated time: the feature store's point-in-time retrieval
 * (`POST {FEATURE_STORE_URL}/v1/historical-features`, the join training sets are built with), one
 * row per entity at `asOf`, for exactly the feature view versions the model was trained on. The
 * values become model rows through the same code as online features (`entityRows`), so the one
 * inference path scores them.
 */
@Injectable()
export class PointInTimeFeatures {
  private readonly url: string;
  private readonly token?: string;

  constructor(@Inject(PLATFORM_CONFIG) config: PlatformConfig) {
    this.url = String(config.env['FEATURE_STORE_URL']).replace(/\/$/, '');
    this.token = config.env['FEATURE_STORE_TOKEN'] as string | undefined;
  }

  inputsAsOf(entities: readonly EntityKey[], asOf: string): ModelInputs<EntityRows> {
    return { rowsFor: (artifact) => this.rowsAsOf(artifact, entities, asOf) };
  }

  async rowsAsOf(artifact: ModelArtifact, entities: readonly EntityKey[], asOf: string): Promise<EntityRows> {
    const names = artifact.preprocessing.features.map((t) => onlineColumnName(artifact, t.name));
    let reply = await this.retrieve(pointInTimeRequest(onlineFeatureSelection(artifact), entities, asOf, false));
    // Keys come from the warehouse as text; an entity whose join key is an integer takes numbers.
    if (reply.status === 400 && reply.code === 'WRONG_KEY_TYPE' && entities.every((e) => Object.values(e).every((v) => /^-?[0-9]{1,15}$/.test(String(v))))) {
      reply = await this.retrieve(pointInTimeRequest(onlineFeatureSelection(artifact), entities, asOf, true));
    }
    if (reply.status >= 400) {
      throw PlatformError.badRequest(`the feature store refused the point-in-time retrieval: ${reply.error}`, [{ path: '$.features', code: reply.code, message: reply.error }], reply.code);
    }
    const cols: FeatureColumn[] = pointInTimeColumns(reply.body, names, entities.length);
    return entityRows(artifact, entities, cols);
  }

  /** One retrieval; an outage (network, timeout, 5xx) is a 503, so the run is retried from its cursor. */
  private async retrieve(body: unknown): Promise<{ status: number; body: string; code: string; error: string }> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.url}/v1/historical-features`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/x-ndjson', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(RETRIEVAL_TIMEOUT_MS),
      });
      text = await res.text();
    } catch (err) {
      throw PlatformError.unavailable('feature store', err);
    }
    if (res.status >= 500) throw PlatformError.unavailable('feature store', `${res.status} ${text.slice(0, 200)}`);
    if (res.status < 400) return { status: res.status, body: text, code: '', error: '' };
    let parsed: { code?: unknown; error?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // not JSON: the status speaks for itself
    }
    return { status: res.status, body: text, code: typeof parsed.code === 'string' ? parsed.code : 'FEATURE_STORE_REFUSED', error: typeof parsed.error === 'string' ? parsed.error : `${res.status}` };
  }
}
