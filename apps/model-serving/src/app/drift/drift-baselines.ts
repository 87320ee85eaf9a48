import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { FeatureViewStats, type BaselineHistogram } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import type { LoadedModel } from '../models/loaded-model';
import { ModelStore } from '../models/model-store';
import { checkExplicitBaseline, composeBaseline, versionKey, type ComposedBaseline } from './baseline-sources';
import { baselinesFromStats, statsRequests } from './feature-store-baseline';
import { baselineFromPreprocessing } from './psi-drift';

const FEATURE_STORE_RETRY_MS = 60_000;

/**
 * The drift baseline of each served model version (composed as baseline-sources.ts says): explicit
 * baselines stored in `serving.drift_baselines` (loaded at start, replaced through the API), the
 * feature store's statistics (`GET /v1/feature-views/{view}/stats`, asked when a version loads and
 * again at most once a minute while it gave nothing), and what the artifact carries. Whoever
 * measures against a baseline hears when one changes (`onChange`).
 */
@Injectable()
export class DriftBaselines implements OnApplicationBootstrap {
  private readonly explicit = new Map<string, BaselineHistogram[]>();
  private readonly fromFeatureStore = new Map<string, BaselineHistogram[]>();
  private readonly featureStoreTried = new Map<string, number>();
  private readonly listeners: Array<(model: string, version: number) => void> = [];
  private readonly featureStoreUrl: string;
  private readonly featureStoreToken?: string;

  constructor(
    store: ModelStore,
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    this.featureStoreUrl = String(config.env['FEATURE_STORE_URL']).replace(/\/$/, '');
    this.featureStoreToken = config.env['FEATURE_STORE_TOKEN'] as string | undefined;
    store.onLoaded((m) => void this.fetchFeatureStoreBaseline(m));
  }

  onApplicationBootstrap(): void {
    void this.db.whenReady().then(() => this.loadExplicit().catch((err) => this.log.warn({ err: String(err) }, 'could not load drift baselines')));
  }

  /** `listener(model, version)` runs whenever that version's baseline changed. */
  onChange(listener: (model: string, version: number) => void): void {
    this.listeners.push(listener);
  }

  /** The baseline this version is measured against now. */
  of(model: LoadedModel): ComposedBaseline {
    const key = versionKey(model.name, model.version);
    return composeBaseline({
      explicit: this.explicit.get(key),
      training: model.artifact.trainingBaseline,
      featureStore: this.fromFeatureStore.get(key),
      preprocessing: baselineFromPreprocessing(model.artifact.preprocessing),
    });
  }

  /** Checks and stores an explicit baseline for this version; it replaces every other source. */
  async setExplicit(model: LoadedModel, histograms: BaselineHistogram[]): Promise<void> {
    checkExplicitBaseline(new Set(model.artifact.preprocessing.features.map((f) => f.name)), histograms);
    await this.db.query(
      `INSERT INTO "serving".drift_baselines (model, version, baseline) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (model, version) DO UPDATE SET baseline = EXCLUDED.baseline, updated_at = now()`,
      [model.name, model.version, JSON.stringify(histograms)],
    );
    this.explicit.set(versionKey(model.name, model.version), histograms);
    this.changed(model);
  }

  /** Asks the feature store again when it has given nothing for this version and the last try is a minute old. */
  retryFeatureStore(model: LoadedModel): void {
    const key = versionKey(model.name, model.version);
    if (!this.fromFeatureStore.has(key) && Date.now() - (this.featureStoreTried.get(key) ?? 0) > FEATURE_STORE_RETRY_MS) void this.fetchFeatureStoreBaseline(model);
  }

  /** Loads the feature store's statistics for the model's features; returns how many features got a baseline. */
  async fetchFeatureStoreBaseline(model: LoadedModel): Promise<number> {
    const key = versionKey(model.name, model.version);
    this.featureStoreTried.set(key, Date.now());
    const found: BaselineHistogram[] = [];
    for (const request of statsRequests(model.artifact.features)) {
      try {
        const res = await fetch(`${this.featureStoreUrl}/v1/feature-views/${request.path}`, {
          headers: this.featureStoreToken ? { authorization: `Bearer ${this.featureStoreToken}` } : {},
          signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) continue;
        const stats = FeatureViewStats.validate(await res.json());
        if (!stats.ok) continue;
        found.push(...baselinesFromStats(request, stats.value));
      } catch (err) {
        this.log.debug({ view: request.path, err: String(err) }, 'feature store statistics not available');
      }
    }
    if (found.length) {
      this.fromFeatureStore.set(key, found);
      this.changed(model);
      this.log.info({ model: model.name, version: model.version, features: found.map((b) => b.feature) }, 'drift baseline from feature store statistics');
    }
    return found.length;
  }

  private changed(model: LoadedModel): void {
    for (const listener of this.listeners) listener(model.name, model.version);
  }

  private async loadExplicit(): Promise<void> {
    const rows = await this.db.query<{ model: string; version: number; baseline: BaselineHistogram[] }>(`SELECT model, version, baseline FROM "serving".drift_baselines`);
    for (const r of rows) this.explicit.set(versionKey(r.model, r.version), r.baseline);
  }
}
