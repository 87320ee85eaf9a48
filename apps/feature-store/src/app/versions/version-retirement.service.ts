import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Materialization } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { MaterializationService } from '../materialization/materialization.service';
import { ONLINE_STORE, type OnlineStore } from '../online/online-store';
import { FeatureRegistry } from '../registry/feature-registry.service';
import { checkRetirable, versionKey, versionsToRetire, type RetirementCandidate, type VersionUsage } from '../registry/version-lifecycle';
import { VersionUsageTracker } from '../registry/version-usage.service';

type Tx = { query(sql: string, params?: unknown[]): Promise<unknown> };
const APPLY_LOCK = `SELECT pg_advisory_xact_lock(hashtext('feature-store.apply'))`;

export interface RetireResult {
  view: string;
  version: number;
  retired: true;
  reason: string;
  /** Online values deleted now (0 when the version was retired before). */
  online_values_dropped: number;
}

/**
 * Retires view versions nobody uses any more (the rules are in `version-lifecycle.ts`) so the
 * online store does not grow with every edit of a view, and restores them on request. Every
 * `VERSION_RETIREMENT_CHECK_MS` a replica retires what the rules say under the apply lock (so no
 * apply or other replica races it), then deletes the online values of retired versions.
 */
@Injectable()
export class VersionRetirementService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;

  constructor(
    private readonly db: Database,
    private readonly registry: FeatureRegistry,
    private readonly usage: VersionUsageTracker,
    private readonly materializations: MaterializationService,
    @Inject(ONLINE_STORE) private readonly store: OnlineStore,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.sweeping || !this.db.isConnected) return;
      this.sweeping = this.sweep()
        .catch((err) => this.log.warn({ err: String(err) }, 'retiring feature view versions failed'))
        .finally(() => (this.sweeping = undefined));
    }, Number(this.config.env['VERSION_RETIREMENT_CHECK_MS'] ?? 60000));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  private get idleSeconds(): number {
    return Number(this.config.env['FEATURE_VERSION_IDLE_RETIRE_SECONDS'] ?? 604800);
  }

  /** Retires what the rules say now, then drops the online values of every retired version. */
  async sweep(): Promise<RetirementCandidate[]> {
    // This replica's own recent reads count before anything is judged idle.
    await this.usage.flush();
    const s = this.db.schema;
    const retired = await this.db.transaction(async (m) => {
      await m.query(APPLY_LOCK);
      const snap = await this.registry.snapshotIn(m);
      // Times as the database's clock tells them (the replicas' clocks may differ).
      const rows = (await m.query(
        `SELECT name, version, (extract(epoch from superseded_at) * 1000)::float8 AS superseded, (extract(epoch from last_online_read_at) * 1000)::float8 AS read,
                (extract(epoch from now()) * 1000)::float8 AS now
           FROM "${s}".feature_views WHERE retired_at IS NULL`,
      )) as Array<{ name: string; version: number; superseded: number | null; read: number | null; now: number }>;
      if (!rows.length) return [];
      const usage = new Map<string, VersionUsage>(rows.map((r) => [versionKey(r.name, r.version), { supersededAt: r.superseded, lastOnlineReadAt: r.read }]));
      const due = versionsToRetire(snap, usage, rows[0].now, this.idleSeconds);
      for (const c of due) await this.markRetired(m, c.view, c.version, c.reason);
      return due;
    });
    if (retired.length) {
      this.registry.invalidate();
      this.log.info({ versions: retired.map((r) => `${versionKey(r.view, r.version)} (${r.reason})`) }, 'retired feature view versions');
    }
    await this.dropRetired();
    return retired;
  }

  /** `POST /v1/feature-views/{view}/versions/{version}/retire`: refused for the head or a pinned version. */
  async retire(view: string, version: number): Promise<RetireResult> {
    const outcome = await this.db.transaction(async (m) => {
      await m.query(APPLY_LOCK);
      const { alreadyRetired } = checkRetirable(await this.registry.snapshotIn(m), view, version);
      if (!alreadyRetired) await this.markRetired(m, view, version, 'EXPLICIT');
      const [row] = (await m.query(`SELECT retired_reason FROM "${this.db.schema}".feature_views WHERE name = $1 AND version = $2`, [view, version])) as Array<{ retired_reason: string }>;
      return { alreadyRetired, reason: row.retired_reason };
    });
    this.registry.invalidate();
    const dropped = outcome.alreadyRetired ? new Map<string, number>() : await this.dropRetired();
    return { view, version, retired: true, reason: outcome.reason, online_values_dropped: dropped.get(versionKey(view, version)) ?? 0 };
  }

  /**
   * `POST /v1/feature-views/{view}/versions/{version}/restore`: serves a retired version online
   * again (its idle clock restarts) and starts its incremental materialization (from `now - ttl`).
   */
  async restore(view: string, version: number): Promise<{ view: string; version: number; retired: false; materializations: Materialization[] }> {
    const s = this.db.schema;
    const restored = await this.db.transaction(async (m) => {
      await m.query(APPLY_LOCK);
      const reg = (await this.registry.snapshotIn(m)).views.get(view);
      if (!reg || reg.removed) throw PlatformError.notFound(`unknown feature view ${view}`, 'UNKNOWN_FEATURE_VIEW');
      if (!reg.versions.has(version)) throw PlatformError.notFound(`feature view ${view} has no version ${version}`, 'UNKNOWN_FEATURE_VERSION');
      const [row] = (await m.query(`SELECT retired_at, online_dropped_at FROM "${s}".feature_views WHERE name = $1 AND version = $2 FOR UPDATE`, [view, version])) as Array<{ retired_at: Date | null; online_dropped_at: Date | null }>;
      if (!row.retired_at) return false;
      if (!row.online_dropped_at) {
        throw PlatformError.conflict(`${versionKey(view, version)} is being retired (its online values are being deleted); try again shortly`, [], 'RETIREMENT_IN_PROGRESS');
      }
      await m.query(`UPDATE "${s}".feature_views SET retired_at = NULL, retired_reason = NULL, online_dropped_at = NULL, last_online_read_at = now() WHERE name = $1 AND version = $2`, [view, version]);
      return true;
    });
    this.registry.invalidate();
    const spec = (await this.registry.snapshot()).views.get(view)!.versions.get(version)!;
    const materializations = restored && spec.online ? await this.materializations.materializeIncremental(new Date().toISOString(), [view], 'restore', '$.end', new Set([versionKey(view, version)])) : [];
    if (restored) this.log.info({ version: versionKey(view, version) }, 'restored a retired feature view version');
    return { view, version, retired: false, materializations };
  }

  /**
   * Marks the version retired and stops its unfinished materializations. The row update waits for
   * chunks that are writing the version (they hold the row FOR SHARE), and later chunks see it
   * retired, so nothing writes the version once this commits and its values can be dropped.
   */
  private async markRetired(m: Tx, view: string, version: number, reason: string): Promise<void> {
    const s = this.db.schema;
    await m.query(`UPDATE "${s}".feature_views SET retired_at = now(), retired_reason = $3, online_dropped_at = NULL WHERE name = $1 AND version = $2 AND retired_at IS NULL`, [view, version, reason]);
    await m.query(
      `UPDATE "${s}".materializations SET status = 'FAILED', error = 'feature view version retired', finished_at = now() WHERE view = $1 AND version = $2 AND status IN ('PENDING', 'RUNNING')`,
      [view, version],
    );
    await m.query(`DELETE FROM "${s}".online_watermarks WHERE view_key = $1`, [versionKey(view, version)]);
    await m.query(`DELETE FROM "${s}".freshness_state WHERE view = $1 AND version = $2`, [view, version]);
  }

  /** Deletes the online values of retired versions not dropped yet (repeated until it succeeds). */
  async dropRetired(): Promise<Map<string, number>> {
    const s = this.db.schema;
    const due = await this.db.query<{ name: string; version: number }>(`SELECT name, version FROM "${s}".feature_views WHERE retired_at IS NOT NULL AND online_dropped_at IS NULL ORDER BY name, version`);
    const dropped = new Map<string, number>();
    for (const v of due) {
      const key = versionKey(v.name, v.version);
      try {
        dropped.set(key, await this.store.drop(key));
        await this.db.query(`UPDATE "${s}".feature_views SET online_dropped_at = now() WHERE name = $1 AND version = $2 AND retired_at IS NOT NULL AND online_dropped_at IS NULL`, [v.name, v.version]);
      } catch (err) {
        this.log.warn({ version: key, err: String(err) }, 'dropping the online values of a retired feature view version failed; retried at the next check');
      }
    }
    return dropped;
  }
}
