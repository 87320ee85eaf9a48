import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FeatureFreshnessBreachedEvent } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { Database, MetricsService, Outbox, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { Gauge } from 'prom-client';
import { FeatureRegistry } from '../registry/feature-registry.service';
import { liveVersions, versionKey } from '../registry/version-lifecycle';
import { epochMicrosSql, formatInstant, instantFromEpochMicros } from '../time/event-time';

export interface FreshnessStatus {
  view: string;
  version: number;
  newest_event_timestamp: string | null;
  age_seconds: number | null;
  sla_seconds: number;
  /** OK, BREACHED (newest online value older than the SLA) or NO_DATA (nothing online yet). */
  status: 'OK' | 'BREACHED' | 'NO_DATA';
}

/**
 * The freshness SLA of every live online view version (the head, and older versions models still
 * read): age of its newest online value against `freshness_sla_seconds` (default: the version's
 * ttl). Exposed as gauges and a status endpoint; each change between OK and BREACHED is published
 * once (outbox -> webhooks), replicas agree through the `freshness_state` row (per view version)
 * they update in the same transaction.
 */
@Injectable()
export class FreshnessMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private checking?: Promise<unknown>;

  constructor(
    private readonly db: Database,
    private readonly registry: FeatureRegistry,
    private readonly outbox: Outbox,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    const current = () => this.statuses().catch(() => [] as FreshnessStatus[]);
    const labels = ['view', 'version'] as const;
    new Gauge({
      name: 'feature_view_freshness_seconds',
      help: 'Age of the newest online value per feature view (seconds)',
      labelNames: labels,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const s of await current()) if (s.age_seconds !== null) this.set({ view: s.view, version: String(s.version) }, s.age_seconds);
      },
    });
    new Gauge({
      name: 'feature_view_freshness_sla_seconds',
      help: 'Freshness SLA per feature view (seconds)',
      labelNames: labels,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const s of await current()) this.set({ view: s.view, version: String(s.version) }, s.sla_seconds);
      },
    });
    new Gauge({
      name: 'feature_view_freshness_breached',
      help: '1 when the newest online value of a view is older than its SLA',
      labelNames: labels,
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const s of await current()) this.set({ view: s.view, version: String(s.version) }, s.status === 'BREACHED' ? 1 : 0);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.checking || !this.db.isConnected) return;
      this.checking = this.check()
        .catch((err) => this.log.warn({ err: String(err) }, 'freshness check failed'))
        .finally(() => (this.checking = undefined));
    }, Number(this.config.env['FRESHNESS_CHECK_MS'] ?? 15000));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checking;
  }

  async statuses(now = new Date()): Promise<FreshnessStatus[]> {
    const snap = await this.registry.snapshot();
    const live = [...snap.views.values()].flatMap((v) => liveVersions(v).filter((n) => v.versions.get(n)!.online).map((version) => ({ name: v.name, version, spec: v.versions.get(version)! })));
    if (!live.length) return [];
    const marks = await this.db.query<{ view_key: string; newest: string }>(
      `SELECT view_key, ${epochMicrosSql('newest_event_timestamp')}::text AS newest FROM "${this.db.schema}".online_watermarks WHERE view_key = ANY($1::text[])`,
      [live.map((v) => versionKey(v.name, v.version))],
    );
    const byKey = new Map(marks.map((m) => [m.view_key, instantFromEpochMicros(m.newest)]));
    return live
      .map(({ name, version, spec }) => {
        const sla = spec.freshness_sla_seconds ?? spec.ttl_seconds;
        const newest = byKey.get(versionKey(name, version));
        const age = newest ? Math.max(0, (now.getTime() - newest.ms - newest.us / 1000) / 1000) : null;
        const status: FreshnessStatus['status'] = age === null ? 'NO_DATA' : age > sla ? 'BREACHED' : 'OK';
        return { view: name, version, newest_event_timestamp: newest ? formatInstant(newest) : null, age_seconds: age, sla_seconds: sla, status };
      })
      .sort((a, b) => a.view.localeCompare(b.view) || b.version - a.version);
  }

  /** Publishes transitions between OK and BREACHED; returns the statuses it saw. */
  async check(now = new Date()): Promise<FreshnessStatus[]> {
    const statuses = await this.statuses(now);
    for (const st of statuses) {
      if (st.status === 'NO_DATA') continue;
      const breached = st.status === 'BREACHED';
      await this.db.transaction(async (m) => {
        const changed = await m.query(
          `INSERT INTO "${this.db.schema}".freshness_state (view, version, breached) VALUES ($1, $3, $2)
           ON CONFLICT (view, version) DO UPDATE SET breached = EXCLUDED.breached, changed_at = now() WHERE freshness_state.breached <> EXCLUDED.breached
           RETURNING (xmax = 0) AS inserted`,
          [st.view, breached, st.version],
        );
        const row = changed[0] as { inserted: boolean } | undefined;
        // A first observation that is fine is not news; a first breach and every later change are.
        if (!row || (row.inserted && !breached)) return;
        await this.outbox.publish(
          FeatureFreshnessBreachedEvent,
          { view: st.view, version: st.version, age_seconds: st.age_seconds, sla_seconds: st.sla_seconds, status: breached ? 'BREACHED' : 'RECOVERED', observed_at: now.toISOString() },
          m,
        );
        this.log.warn({ view: st.view, version: st.version, age: st.age_seconds, sla: st.sla_seconds, breached }, 'feature view freshness changed');
      });
    }
    return statuses;
  }
}
