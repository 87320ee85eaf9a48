import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LiveQualityMessage, OutcomeErrorCode, ServiceName, type LiveQualityGroup, type LiveQualityReport } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { PeerClients, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { InferErrorCode } from '../errors/inference-error';
import { ServingMetrics } from '../metrics/serving-metrics';
import { ModelStore } from '../models/model-store';

/**
 * Live model quality (AUC, log loss, Brier, calibration for binary labels; RMSE, MAE for any) is
 * computed by the warehouse from the logged predictions its outcome labelled
 * (`dwh-ingest.live-quality.v1`); this asks for it on demand and, every LIVE_QUALITY_REFRESH_MS,
 * for every served model to refresh the `model_live_*` gauges. A model without an outcome is a
 * 404 NO_OUTCOME from the warehouse, passed on as it is; it has no gauges. When the warehouse is
 * unreachable the endpoint answers 503 and the gauges keep their last values (their age is
 * `model_live_quality_refreshed_timestamp_seconds`).
 */
@Injectable()
export class LiveQualityService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly lastGroups = new Map<string, LiveQualityGroup[]>();

  constructor(
    private readonly peers: PeerClients,
    private readonly store: ModelStore,
    private readonly metrics: ServingMetrics,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  get defaultWindowHours(): number {
    return this.config.env['LIVE_QUALITY_WINDOW_HOURS'] as number;
  }

  report(model: string, windowHours: number, version?: number): Promise<LiveQualityReport> {
    const multiclass = this.store.loadedModels().find((m) => m.name === model && (version === undefined || m.version === version) && m.artifact.task === 'multiclass_classification');
    if (multiclass) {
      return Promise.reject(
        new PlatformError(
          422,
          InferErrorCode.LIVE_QUALITY_UNSUPPORTED_TASK,
          `${model} v${multiclass.version} is a multiclass model: live quality (AUC, log loss, Brier, calibration; RMSE, MAE) is not defined for its logged predicted classes`,
        ),
      );
    }
    return this.peers.get(ServiceName.DWH_INGEST).send(LiveQualityMessage, { model, windowHours, ...(version === undefined ? {} : { version }) });
  }

  onApplicationBootstrap(): void {
    const every = this.config.env['LIVE_QUALITY_REFRESH_MS'] as number;
    if (every === 0) return;
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One round over the served models; a model whose report fails keeps its previous gauges. */
  async refresh(): Promise<void> {
    let failed = 0;
    for (const model of this.store.modelNames()) {
      try {
        const report = await this.report(model, this.defaultWindowHours);
        this.lastGroups.set(model, report.groups);
        this.metrics.liveRefreshed.set({ model }, Date.now() / 1000);
      } catch (err) {
        if (err instanceof PlatformError && (err.code === OutcomeErrorCode.NO_OUTCOME || err.code === InferErrorCode.LIVE_QUALITY_UNSUPPORTED_TASK)) {
          this.lastGroups.delete(model); // nothing labels it (any more), or no figure applies: none to show
          continue;
        }
        failed++;
        if (failed === 1) this.log.warn({ model, err: String(err) }, 'live quality not refreshed; gauges keep their last values');
      }
    }
    const m = this.metrics;
    for (const g of [m.liveAuc, m.liveLogLoss, m.liveBrier, m.livePositiveRate, m.liveRmse, m.liveMae, m.liveLabelled]) g.reset();
    for (const [model, groups] of this.lastGroups) {
      for (const g of groups) {
        const labels = { model, version: String(g.version), arm: g.arm };
        m.liveLabelled.set(labels, g.labelled);
        if (g.auc !== null) m.liveAuc.set(labels, g.auc);
        if (g.logLoss !== null) m.liveLogLoss.set(labels, g.logLoss);
        if (g.brier !== null) m.liveBrier.set(labels, g.brier);
        if (g.positiveRate !== null) m.livePositiveRate.set(labels, g.positiveRate);
        if (g.rmse !== undefined && g.rmse !== null) m.liveRmse.set(labels, g.rmse);
        if (g.mae !== undefined && g.mae !== null) m.liveMae.set(labels, g.mae);
      }
    }
  }
}
