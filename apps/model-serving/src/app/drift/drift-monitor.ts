import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DriftReport } from '@mlp/contracts';
import type { RawColumn } from '@mlp/model-runtime';
import type { Logger } from '@mlp/runtime';
import { PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { ServingMetrics } from '../metrics/serving-metrics';
import type { LoadedModel } from '../models/loaded-model';
import { overallSource, versionKey, type BaselineSource } from './baseline-sources';
import { DriftAlerts } from './drift-alerts';
import { DriftBaselines } from './drift-baselines';
import { breaches, PsiMonitor, type PsiMonitorOptions } from './psi-drift';

interface Watched {
  model: LoadedModel;
  monitor: PsiMonitor;
  sources: ReadonlyMap<string, BaselineSource>;
}

/**
 * Input drift per served version: PSI of a sliding window of live inputs (psi-drift.ts) against the
 * version's baseline (DriftBaselines), started afresh when the baseline changes. Every
 * `DRIFT_CHECK_INTERVAL_MS` it sets the `model_feature_psi` gauges and hands versions in breach to
 * DriftAlerts.
 */
@Injectable()
export class DriftMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly watched = new Map<string, Watched>();
  private readonly options: PsiMonitorOptions;
  private readonly checkIntervalMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly baselines: DriftBaselines,
    private readonly alerts: DriftAlerts,
    private readonly metrics: ServingMetrics,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    const env = config.env;
    this.options = {
      window: env['DRIFT_WINDOW'] as number,
      minObservations: env['DRIFT_MIN_OBSERVATIONS'] as number,
      warnThreshold: env['DRIFT_WARN_PSI'] as number,
      driftThreshold: env['DRIFT_ALERT_PSI'] as number,
    };
    this.checkIntervalMs = env['DRIFT_CHECK_INTERVAL_MS'] as number;
    baselines.onChange((model, version) => this.watched.delete(versionKey(model, version)));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check().catch((err) => this.log.warn({ err: String(err) }, 'drift check failed')), this.checkIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Observes a batch's raw inputs (columns in the model's feature order). */
  observe(model: LoadedModel, columns: readonly RawColumn[], rows: number): void {
    this.watch(model).monitor.observeColumns(model.featureNames, columns, rows);
  }

  report(model: LoadedModel): DriftReport {
    const w = this.watch(model);
    return {
      model: model.name,
      version: model.version,
      baseline: overallSource(w.sources),
      window: this.options.window,
      warnThreshold: this.options.warnThreshold,
      driftThreshold: this.options.driftThreshold,
      features: w.monitor.report().map((f) => ({ ...f, source: w.sources.get(f.feature) ?? 'preprocessing' })),
    };
  }

  /** Every watched version's bin counts since the last call, with each feature's baseline fingerprint (the history's deltas). */
  drainCounts(): Array<{ model: string; version: number; features: ReturnType<PsiMonitor['drainCounts']> }> {
    const out: Array<{ model: string; version: number; features: ReturnType<PsiMonitor['drainCounts']> }> = [];
    for (const w of this.watched.values()) {
      const features = w.monitor.drainCounts();
      if (features.length) out.push({ model: w.model.name, version: w.model.version, features });
    }
    return out;
  }

  /** A served version's baseline per feature (fingerprint and expected proportions) and the thresholds. */
  expectations(model: LoadedModel): { features: ReturnType<PsiMonitor['expectations']>; options: PsiMonitorOptions } {
    return { features: this.watch(model).monitor.expectations(), options: this.options };
  }

  /** Publishes the gauges and alerts the versions in breach; returns how many alerts went out. */
  async check(): Promise<number> {
    let alerts = 0;
    for (const [key, w] of this.watched) {
      if (w.model.isDisposed) {
        this.watched.delete(key);
        continue;
      }
      this.baselines.retryFeatureStore(w.model);
      const report = w.monitor.report();
      for (const f of report) if (f.psi !== null) this.metrics.psi.set({ model: w.model.name, version: String(w.model.version), feature: f.feature }, f.psi);
      if (await this.alerts.raise(w.model, breaches(report))) alerts++;
    }
    return alerts;
  }

  private watch(model: LoadedModel): Watched {
    const key = versionKey(model.name, model.version);
    let w = this.watched.get(key);
    if (!w || w.model !== model) {
      const baseline = this.baselines.of(model);
      w = { model, sources: baseline.sources, monitor: new PsiMonitor(baseline.histograms, this.options) };
      this.watched.set(key, w);
    }
    return w;
  }
}
