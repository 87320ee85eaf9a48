import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { KpiDefinition, KpiReportEvent } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { Database, Outbox, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import { dueOccurrence, reportWindow } from './kpi-report-schedule';
import { Kpis } from './kpis.service';

/**
 * Scheduled KPI reports: every KPI_REPORT_POLL_MS, each KPI whose project declares `report:
 * {schedule, webhook}` and whose latest occurrence has no report yet gets its points over the report
 * window (read as `GET /v1/kpis/{name}` reads them) delivered to that webhook receiver as
 * `dwh.kpi.report.v1` through the outbox (signed, retried, dead-lettered like every webhook). The
 * replica that inserts the occurrence's row in `dwh.kpi_reports` sends it, in the same transaction
 * as the outbox row: one report per occurrence however many replicas run.
 */
@Injectable()
export class KpiReports implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly db: Database,
    private readonly catalog: WarehouseCatalog,
    private readonly kpis: Kpis,
    private readonly outbox: Outbox,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.env['KPI_REPORT_POLL_MS'] as number;
    if (every === 0) return;
    this.timer = setInterval(() => void this.tick(new Date()), every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass at `now`: answers how many reports this replica sent. One pass at a time. */
  tick(now: Date): Promise<number> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date): Promise<number> {
    if (!this.db.isConnected) return 0;
    let sent = 0;
    for (const row of await this.catalog.objects('kpi')) {
      if (!row.def['report']) continue;
      const checked = KpiDefinition.validate({ ...row.def, name: row.name });
      if (!checked.ok || !checked.value.report) continue;
      try {
        if (await this.report(row.project, checked.value, now)) sent++;
      } catch (err) {
        this.log.warn({ kpi: row.name, err: String(err) }, 'KPI report not sent; retried on the next pass');
      }
    }
    return sent;
  }

  private async report(project: string, def: KpiDefinition, now: Date): Promise<boolean> {
    const report = def.report as NonNullable<KpiDefinition['report']>;
    const at = dueOccurrence(report.schedule, now, this.config.env['KPI_REPORT_CATCH_UP_MS'] as number);
    if (!at) return false;
    const [done] = await this.db.query(`SELECT 1 FROM "dwh".kpi_reports WHERE kpi = $1 AND scheduled_for = $2`, [def.name, at]);
    if (done) return false;
    if (!this.outbox.hasWebhook(report.webhook)) {
      this.log.warn({ kpi: def.name, webhook: report.webhook }, 'KPI report has no receiver of that name (WEBHOOKS); not sent');
      return false;
    }
    const window = reportWindow(at, report);
    const series = await this.kpis.points(def, window);
    return this.db.transaction(async (m) => {
      const claimed = await m.query(
        `INSERT INTO "dwh".kpi_reports (kpi, scheduled_for, webhook, points) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING kpi`,
        [def.name, at, report.webhook, series.points.length],
      );
      if (claimed.length === 0) return false; // another replica sent it
      await this.outbox.publishToWebhook(
        KpiReportEvent,
        { kpi: def.name, project, description: def.description ?? null, unit: def.unit ?? null, scheduledFor: at.toISOString(), ...window, points: series.points },
        report.webhook,
        m,
      );
      return true;
    });
  }
}
