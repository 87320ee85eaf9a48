import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DriftBaseline, FeatureViewStats, ModelDriftDetectedEvent, type BaselineHistogram, type DriftReport } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, Outbox, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { ServingMetrics } from '../metrics/serving-metrics';
import type { LoadedModel } from '../models/loaded-model';
import { ModelStore } from '../models/model-store';
import type { RawColumn } from '@mlp/model-runtime';
import { baselineFromFeatureStats, parseFeatureRef } from './feature-store-baseline';
import { baselineFromPreprocessing, PsiMonitor } from './psi-drift';

type BaselineSource = 'explicit' | 'training' | 'feature_store' | 'preprocessing';
const FEATURE_STORE_RETRY_MS = 60_000;

interface Monitored {
  model: LoadedModel;
  monitor: PsiMonitor;
  sources: Map<string, BaselineSource>;
}

/**
 * Input drift per served version: PSI of a sliding window of live inputs against the training
 * baseline. Per model version the baseline is an explicit one stored through the API when present;
 * otherwise, per feature, the training-split histogram the trainer stored in the artifact; for
 * artifacts without one, the feature store's latest materialization statistics
 * (`GET /v1/feature-views/{view}/stats`), else one derived from the artifact's preprocessing (see
 * psi-drift.ts). A breach goes out once per cooldown (sooner when another feature starts drifting) as
 * `model.drift.detected.v1` through the outbox (to the trainer and the webhooks).
 */
@Injectable()
export class DriftService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly monitors = new Map<string, Monitored>();
  private readonly explicit = new Map<string, BaselineHistogram[]>();
  private readonly fromFeatureStore = new Map<string, BaselineHistogram[]>();
  private readonly featureStoreTried = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    store: ModelStore,
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly metrics: ServingMetrics,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    store.onLoaded((m) => void this.fetchFeatureStoreBaseline(m));
  }

  private get options() {
    const env = this.config.env;
    return {
      window: env['DRIFT_WINDOW'] as number,
      minObservations: env['DRIFT_MIN_OBSERVATIONS'] as number,
      warnThreshold: env['DRIFT_WARN_PSI'] as number,
      driftThreshold: env['DRIFT_ALERT_PSI'] as number,
    };
  }

  onApplicationBootstrap(): void {
    void this.db.whenReady().then(() => this.loadBaselines().catch((err) => this.log.warn({ err: String(err) }, 'could not load drift baselines')));
    this.timer = setInterval(() => void this.check().catch((err) => this.log.warn({ err: String(err) }, 'drift check failed')), this.config.env['DRIFT_CHECK_INTERVAL_MS'] as number);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private key(model: string, version: number) {
    return `${model}@${version}`;
  }

  private monitorFor(model: LoadedModel): Monitored {
    const key = this.key(model.name, model.version);
    let m = this.monitors.get(key);
    if (!m || m.model !== model) {
      const sources = new Map<string, BaselineSource>();
      const explicit = this.explicit.get(key);
      let baselines: BaselineHistogram[];
      if (explicit) {
        baselines = explicit;
        for (const b of explicit) sources.set(b.feature, 'explicit');
      } else {
        const byFeature = new Map<string, BaselineHistogram>();
        const layers: Array<[BaselineSource, BaselineHistogram[]]> = [
          ['preprocessing', baselineFromPreprocessing(model.artifact.preprocessing)],
          ['feature_store', this.fromFeatureStore.get(key) ?? []],
          // Last, so it wins: the distribution the model was trained on, not the data's latest.
          ['training', model.artifact.trainingBaseline ?? []],
        ];
        for (const [source, list] of layers) {
          for (const b of list) {
            byFeature.set(b.feature, b);
            sources.set(b.feature, source);
          }
        }
        baselines = [...byFeature.values()];
      }
      m = { model, sources, monitor: new PsiMonitor(baselines, this.options) };
      this.monitors.set(key, m);
    }
    return m;
  }

  /** Loads the feature store's statistics for the model's features; the monitor restarts with them. */
  async fetchFeatureStoreBaseline(model: LoadedModel): Promise<number> {
    const key = this.key(model.name, model.version);
    this.featureStoreTried.set(key, Date.now());
    const base = String(this.config.env['FEATURE_STORE_URL']).replace(/\/$/, '');
    const token = this.config.env['FEATURE_STORE_TOKEN'] as string | undefined;
    const byView = new Map<string, Array<{ ref: string; feature: string }>>();
    for (const ref of model.artifact.features) {
      const parsed = parseFeatureRef(ref);
      if (!parsed) continue;
      const viewKey = `${parsed.view}/stats${parsed.version ? `?version=${parsed.version}` : ''}`;
      byView.set(viewKey, [...(byView.get(viewKey) ?? []), { ref, feature: parsed.feature }]);
    }
    const found: BaselineHistogram[] = [];
    for (const [viewKey, refs] of byView) {
      try {
        const res = await fetch(`${base}/v1/feature-views/${viewKey}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) continue;
        const stats = FeatureViewStats.validate(await res.json());
        if (!stats.ok) continue;
        for (const { ref, feature } of refs) {
          const s = stats.value.features.find((f) => f.feature === feature);
          const b = s && baselineFromFeatureStats(ref, s);
          if (b) found.push(b);
        }
      } catch (err) {
        this.log.debug({ view: viewKey, err: String(err) }, 'feature store statistics not available');
      }
    }
    if (found.length) {
      this.fromFeatureStore.set(key, found);
      this.monitors.delete(key);
      this.log.info({ model: model.name, version: model.version, features: found.map((b) => b.feature) }, 'drift baseline from feature store statistics');
    }
    return found.length;
  }

  /** Observes a batch's raw inputs (columns in the model's feature order). */
  observe(model: LoadedModel, columns: readonly RawColumn[], rows: number): void {
    const { monitor } = this.monitorFor(model);
    monitor.observeColumns(model.featureNames, columns, rows);
  }

  report(model: LoadedModel): DriftReport {
    const m = this.monitorFor(model);
    const o = this.options;
    const sources = [...m.sources.values()];
    return {
      model: model.name,
      version: model.version,
      baseline: sources.includes('explicit') ? 'explicit' : sources.includes('training') ? 'training' : sources.includes('feature_store') ? 'feature_store' : 'preprocessing',
      window: o.window,
      warnThreshold: o.warnThreshold,
      driftThreshold: o.driftThreshold,
      features: m.monitor.report().map((f) => ({ ...f, source: m.sources.get(f.feature) ?? 'preprocessing' })),
    };
  }

  async setBaseline(model: LoadedModel, body: DriftBaseline): Promise<DriftReport> {
    const known = new Set(model.artifact.preprocessing.features.map((f) => f.name));
    const unknown = body.features.filter((f) => !known.has(f.feature));
    if (unknown.length) throw PlatformError.badRequest('the baseline names features the model does not use', unknown.map((f) => ({ path: f.feature, code: 'UNKNOWN_FEATURE', message: f.feature })));
    try {
      new PsiMonitor(body.features, this.options);
    } catch (err) {
      throw PlatformError.badRequest(String((err as Error).message), [], 'INVALID_BASELINE');
    }
    await this.db.query(
      `INSERT INTO "serving".drift_baselines (model, version, baseline) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (model, version) DO UPDATE SET baseline = EXCLUDED.baseline, updated_at = now()`,
      [model.name, model.version, JSON.stringify(body.features)],
    );
    this.explicit.set(this.key(model.name, model.version), body.features);
    this.monitors.delete(this.key(model.name, model.version));
    return this.report(model);
  }

  private async loadBaselines(): Promise<void> {
    const rows = await this.db.query<{ model: string; version: number; baseline: BaselineHistogram[] }>(`SELECT model, version, baseline FROM "serving".drift_baselines`);
    for (const r of rows) this.explicit.set(this.key(r.model, r.version), r.baseline);
  }

  /** Publishes gauges and, for versions in breach and out of cooldown, the drift event. */
  async check(): Promise<number> {
    let alerts = 0;
    for (const [key, m] of this.monitors) {
      if (m.model.isDisposed) {
        this.monitors.delete(key);
        continue;
      }
      if (!this.fromFeatureStore.has(key) && Date.now() - (this.featureStoreTried.get(key) ?? 0) > FEATURE_STORE_RETRY_MS) void this.fetchFeatureStoreBaseline(m.model);
      const report = m.monitor.report();
      for (const f of report) if (f.psi !== null) this.metrics.psi.set({ model: m.model.name, version: String(m.model.version), feature: f.feature }, f.psi);
      const breached = report.filter((f) => f.status === 'drift').map((f) => ({ feature: f.feature, psi: f.psi as number }));
      if (breached.length === 0 || !this.db.isConnected) continue;
      const cooldown = this.config.env['DRIFT_ALERT_COOLDOWN_MS'] as number;
      const published = await this.db.transaction(async (tx) => {
        const claimed: unknown[] = await tx.query(
          `INSERT INTO "serving".drift_alerts (model, version, last_alert_at, features) VALUES ($1, $2, now(), $3::jsonb)
           ON CONFLICT (model, version) DO UPDATE SET last_alert_at = now(),
             -- Within the cooldown the alerted set only grows, so features flapping around the
             -- threshold cannot re-alert each other; a new cooldown period starts from this breach.
             features = CASE WHEN "serving".drift_alerts.last_alert_at < now() - ($4 || ' milliseconds')::interval THEN EXCLUDED.features
                             ELSE (SELECT jsonb_agg(DISTINCT f) FROM jsonb_array_elements("serving".drift_alerts.features || EXCLUDED.features) f) END
             WHERE "serving".drift_alerts.last_alert_at < now() - ($4 || ' milliseconds')::interval
                OR NOT ("serving".drift_alerts.features ?& $5::text[])
           RETURNING model`,
          [m.model.name, m.model.version, JSON.stringify(breached.map((b) => b.feature)), String(cooldown), breached.map((b) => b.feature)],
        );
        if (claimed.length === 0) return false;
        await this.outbox.publish(
          ModelDriftDetectedEvent,
          { model: m.model.name, version: m.model.version, features: breached, threshold: this.options.driftThreshold, window: this.options.window, at: new Date().toISOString() },
          tx,
        );
        return true;
      });
      if (published) {
        alerts++;
        this.log.warn({ model: m.model.name, version: m.model.version, features: breached }, 'input drift detected');
      }
    }
    return alerts;
  }
}
