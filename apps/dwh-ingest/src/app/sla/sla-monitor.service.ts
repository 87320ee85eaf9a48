import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DwhCompletenessSlas, DwhFreshnessSlas, SlaBreachedEvent, SlaRecoveredEvent, type FreshnessSla, type SlaCheckResult, type SlaReport } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { Database, MetricsService, Outbox, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { Gauge } from 'prom-client';
import { durationSeconds } from '../warehouse/duration';
import { IDENTIFIER } from '../warehouse/identifiers';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import {
  completenessDefaults,
  completenessStatus,
  freshnessDefaults,
  freshnessStatus,
  parseOverrides,
  statusRank,
  worst,
  type Thresholds,
} from './sla-evaluation';

const QUALIFIED = /^([a-z_][a-z0-9_]{0,62})\.([a-z_][a-z0-9_]{0,62})$/;

interface Measured {
  dataset: string;
  check: 'freshness' | 'completeness';
  measured: number | null;
  thresholds: Thresholds;
}

/**
 * Measures freshness (the age of each dataset's newest data: the maximum of its freshness column,
 * whenever its job ran) of the platform's datasets and of every source and model whose applied
 * definition declares a freshness policy, and completeness, keeps each check's status in `dwh.sla_state`, and emits `dwh.sla.breached.v1`
 * through the outbox when a check turns warn or error, and `dwh.sla.recovered.v1` when it returns
 * to ok (webhooks receive both from there).
 */
@Injectable()
export class SlaMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly overrides: Map<string, Thresholds>;
  private readonly freshness: Gauge<'dataset'>;
  private readonly status: Gauge<'dataset' | 'check'>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly catalog: WarehouseCatalog,
    metrics: MetricsService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    for (const s of DwhFreshnessSlas) if (!QUALIFIED.test(s.table) || !IDENTIFIER.test(s.loadedAtColumn)) throw new Error(`invalid SLA table ${s.table}`);
    // Thresholds of team datasets live in their definitions; overrides are for the platform's own.
    const known = [...DwhFreshnessSlas.map((s) => s.dataset), ...DwhCompletenessSlas.map((s) => `${s.dataset}:completeness`)];
    this.overrides = parseOverrides(config.env['SLA_OVERRIDES'] as string | undefined, known);
    const measure = () => (this.db.isConnected ? this.measure().catch(() => [] as Measured[]) : Promise.resolve([] as Measured[]));
    this.freshness = new Gauge({
      name: 'dwh_dataset_freshness_seconds',
      help: 'Age in seconds of the newest data of a dataset (its freshness column)',
      labelNames: ['dataset'],
      registers: [metrics.registry],
      async collect() {
        const measured = await measure();
        for (const m of measured) if (m.check === 'freshness' && m.measured !== null) this.set({ dataset: m.dataset }, m.measured);
      },
    });
    this.status = new Gauge({ name: 'dwh_sla_status', help: 'SLA status per dataset and check: 0 ok, 1 warn, 2 error', labelNames: ['dataset', 'check'], registers: [metrics.registry] });
  }

  onApplicationBootstrap(): void {
    const seconds = Number(this.config.env['SLA_CHECK_INTERVAL_SECONDS'] ?? 60);
    if (seconds > 0) {
      this.timer = setInterval(() => {
        if (this.db.isConnected) void this.evaluate().catch((err) => this.log.warn({ err: String(err) }, 'SLA evaluation failed'));
      }, seconds * 1000);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private thresholds(key: string, fallback: Thresholds): Thresholds {
    return this.overrides.get(key) ?? fallback;
  }

  /** Freshness policies of the applied sources and models, as datasets named by their relation. */
  private async declaredFreshness(): Promise<FreshnessSla[]> {
    const out: FreshnessSla[] = [];
    const policy = (dataset: string, column: string, f: { warn_after: string; error_after: string }) =>
      out.push({ dataset, table: `dwh.${dataset}`, loadedAtColumn: column, warnAfterSeconds: durationSeconds(f.warn_after), errorAfterSeconds: durationSeconds(f.error_after) });
    for (const s of await this.catalog.sources()) if (s.def.freshness) policy(`src_${s.def.name}`, s.def.freshness.column ?? 'loaded_at', s.def.freshness);
    for (const m of await this.catalog.models()) if (m.def.freshness?.column) policy(m.def.name, m.def.freshness.column, m.def.freshness);
    return out;
  }

  private async measure(): Promise<Measured[]> {
    const out: Measured[] = [];
    for (const s of [...DwhFreshnessSlas, ...(await this.declaredFreshness())]) {
      const match = QUALIFIED.exec(s.table);
      if (!match || !IDENTIFIER.test(s.loadedAtColumn)) continue;
      const [, schema, table] = match;
      const [exists] = await this.db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`"${schema}"."${table}"`]);
      let age: number | null = null;
      if (exists.ok) {
        // A date column counts from the start of its day in UTC (extract(epoch) of a date is nominal).
        const [r] = await this.db.query<{ age: number | null }>(
          `SELECT (extract(epoch FROM now()) - extract(epoch FROM max("${s.loadedAtColumn}")))::float8 AS age FROM "${schema}"."${table}"`,
        );
        age = r.age;
      }
      const platform = DwhFreshnessSlas.includes(s);
      const defaults = freshnessDefaults(s);
      out.push({ dataset: s.dataset, check: 'freshness', measured: age === null ? null : Math.max(0, age), thresholds: platform ? this.thresholds(s.dataset, defaults) : defaults });
    }
    for (const s of DwhCompletenessSlas) {
      const [r] = await this.db.query<{ accepted: string; rejected: string }>(
        `SELECT (SELECT count(*) FROM "dwh".events WHERE received_at >= now() - make_interval(secs => $1)) AS accepted,
                (SELECT count(*) FROM "dwh".failed_events WHERE received_at >= now() - make_interval(secs => $1)) AS rejected`,
        [s.windowSeconds],
      );
      const total = Number(r.accepted) + Number(r.rejected);
      out.push({
        dataset: s.dataset,
        check: 'completeness',
        measured: total ? Number(r.rejected) / total : null,
        thresholds: this.thresholds(`${s.dataset}:completeness`, completenessDefaults(s)),
      });
    }
    return out;
  }

  /** Measures every check, records status changes and emits breaches, all in one transaction. */
  async evaluate(): Promise<SlaReport> {
    const measured = await this.measure();
    const checkedAt = new Date();
    const checks = await this.db.transaction(async (m) => {
      // Replicas evaluating at once must not both emit the same breach.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('dwh.sla_state'))`);
      const rows: Array<{ dataset: string; check: string; status: 'ok' | 'warn' | 'error'; changed_at: Date }> = await m.query(`SELECT * FROM "dwh".sla_state`);
      const previous = new Map(rows.map((r) => [`${r.dataset}|${r.check}`, r]));
      const results: SlaCheckResult[] = [];
      for (const x of measured) {
        const verdict = x.check === 'freshness' ? freshnessStatus(x.measured, x.thresholds) : completenessStatus(x.measured, x.thresholds);
        const prev = previous.get(`${x.dataset}|${x.check}`);
        const changed = !prev || prev.status !== verdict.status;
        const [saved]: Array<{ changed_at: Date }> = await m.query(
          `INSERT INTO "dwh".sla_state (dataset, "check", status, measured, changed_at, checked_at) VALUES ($1, $2, $3, $4, $5, $5)
           ON CONFLICT (dataset, "check") DO UPDATE SET status = EXCLUDED.status, measured = EXCLUDED.measured, checked_at = EXCLUDED.checked_at,
             changed_at = CASE WHEN "dwh".sla_state.status = EXCLUDED.status THEN "dwh".sla_state.changed_at ELSE EXCLUDED.changed_at END
           RETURNING changed_at`,
          [x.dataset, x.check, verdict.status, x.measured, checkedAt],
        );
        if (changed && verdict.status !== 'ok') {
          await this.outbox.publish(
            SlaBreachedEvent,
            {
              dataset: x.dataset,
              check: x.check,
              status: verdict.status,
              previousStatus: prev?.status ?? null,
              measured: x.measured,
              warnAfter: x.thresholds.warnAfter,
              errorAfter: x.thresholds.errorAfter,
              reason: verdict.reason,
              at: checkedAt.toISOString(),
            },
            m,
          );
          this.log.warn({ dataset: x.dataset, check: x.check, status: verdict.status, reason: verdict.reason }, 'SLA breached');
        } else if (changed && prev && prev.status !== 'ok') {
          await this.outbox.publish(
            SlaRecoveredEvent,
            {
              dataset: x.dataset,
              check: x.check,
              status: 'ok',
              previousStatus: prev.status,
              measured: x.measured,
              warnAfter: x.thresholds.warnAfter,
              errorAfter: x.thresholds.errorAfter,
              reason: verdict.reason,
              breachedSince: new Date(prev.changed_at).toISOString(),
              at: checkedAt.toISOString(),
            },
            m,
          );
          this.log.info({ dataset: x.dataset, check: x.check, previousStatus: prev.status, reason: verdict.reason }, 'SLA recovered');
        }
        this.status.set({ dataset: x.dataset, check: x.check }, statusRank(verdict.status));
        if (x.check === 'freshness' && x.measured !== null) this.freshness.set({ dataset: x.dataset }, x.measured);
        results.push({
          dataset: x.dataset,
          check: x.check,
          status: verdict.status,
          measured: x.measured,
          warnAfter: x.thresholds.warnAfter,
          errorAfter: x.thresholds.errorAfter,
          reason: verdict.reason,
          since: new Date(saved.changed_at).toISOString(),
        });
      }
      return results;
    });
    return { status: worst(checks.map((c) => c.status)), checkedAt: checkedAt.toISOString(), checks };
  }
}
