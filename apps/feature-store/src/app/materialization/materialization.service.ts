import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { FeatureViewStats, Materialization } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, MetricsService, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { SessionPool } from '../database/session-pool';
import { OnlineWriter } from '../online/online-writer.service';
import { FeatureRegistry, type ResolvedView } from '../registry/feature-registry.service';
import { projectedSource } from '../registry/source-sql';
import { assembleFeatureStats, featureStatsQuery } from '../stats/feature-stats-query';

interface ChunkClaim {
  materialization_id: string;
  chunk: number;
  chunks_total: number;
  view: string;
  version: number;
  start_ts: Date;
  end_ts: Date;
  attempts: number;
}

const FETCH_ROWS = 5000;
const MAX_ATTEMPTS = 3;

/**
 * Materialization: the latest value per entity in [start, end) copied into the online store.
 * A job is split into hash chunks of the entity key, rows of `materialization_chunks` that any
 * replica claims with FOR UPDATE SKIP LOCKED and keeps with a heartbeat. A chunk whose worker
 * died (heartbeat older than the lease) is claimed again, so a crash resumes at the unfinished
 * chunks instead of restarting; online writes are newer-wins, so replaying a chunk is harmless.
 */
@Injectable()
export class MaterializationService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workerId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly rowsWritten: Counter<'view'>;
  private readonly chunkCount: number;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionPool,
    private readonly registry: FeatureRegistry,
    private readonly writer: OnlineWriter,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    this.chunkCount = Number(config.env['MATERIALIZATION_CHUNKS'] ?? 16);
    this.leaseMs = Number(config.env['MATERIALIZATION_LEASE_MS'] ?? 30000);
    this.rowsWritten = new Counter({ name: 'feature_materialized_rows_total', help: 'Rows written to the online store by materialization', labelNames: ['view'], registers: [metrics.registry] });
  }

  onApplicationBootstrap(): void {
    if (this.config.env['MATERIALIZATION_WORKER'] === false) return;
    this.timer = setInterval(() => this.kick(), Number(this.config.env['MATERIALIZATION_POLL_MS'] ?? 1000));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  kick(): void {
    if (this.stopped || this.running || !this.db.isConnected || this.config.env['MATERIALIZATION_WORKER'] === false) return;
    // Several drains in parallel: each claims its own chunks (SKIP LOCKED), so a replica overlaps
    // reading one chunk with writing another.
    const concurrency = Number(this.config.env['MATERIALIZATION_CONCURRENCY'] ?? 2);
    this.running = Promise.all(Array.from({ length: concurrency }, () => this.drain()))
      .then(() => undefined)
      .catch((err) => this.log.warn({ err: String(err) }, 'materialization pass failed'))
      .finally(() => (this.running = undefined));
  }

  /** Works until no chunk is due; returns the number of chunks finished. */
  async drain(limit = Infinity): Promise<number> {
    let done = 0;
    while (!this.stopped && done < limit) {
      const claim = await this.claim();
      if (!claim) break;
      await this.runChunk(claim);
      done++;
    }
    return done;
  }

  async materialize(start: Date, end: Date, views: string[] | undefined, trigger: string): Promise<Materialization[]> {
    if (!(start < end)) throw PlatformError.badRequest('start must be before end', [], 'INVALID_TIME_RANGE');
    const targets = await this.targets(views);
    const jobs: Materialization[] = [];
    for (const v of targets) jobs.push(await this.createJob(v, start, end, trigger));
    this.kick();
    return jobs;
  }

  /**
   * Up to `end`, from where the last successful run ended or from `end - ttl`, whichever is earlier.
   * Re-reading the ttl window catches rows that arrived after a run but carry an event time before
   * its end (a mart rebuilt later than the data's event time); online writes keep the newest value
   * per entity, so reading a row twice changes nothing.
   */
  async materializeIncremental(end: Date, views: string[] | undefined, trigger: string): Promise<Materialization[]> {
    const targets = await this.targets(views);
    const jobs: Materialization[] = [];
    for (const v of targets) {
      const [last] = await this.db.query<{ end_ts: Date | null }>(
        `SELECT max(end_ts) AS end_ts FROM "${this.db.schema}".materializations WHERE view = $1 AND version = $2 AND status <> 'FAILED'`,
        [v.name, v.version],
      );
      const ttlStart = new Date(end.getTime() - v.spec.ttl_seconds * 1000);
      const start = last?.end_ts && last.end_ts < ttlStart ? last.end_ts : ttlStart;
      if (start >= end) continue;
      jobs.push(await this.createJob(v, start, end, trigger));
    }
    this.kick();
    return jobs;
  }

  /** Views whose sources read one of these marts (for `dwh.mart.refreshed`). */
  async viewsReading(mart: string): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      `SELECT v.name FROM "${this.db.schema}".feature_views v JOIN "${this.db.schema}".feature_view_heads h ON h.name = v.name AND h.version = v.version AND h.removed_at IS NULL
        WHERE $1 = ANY(v.source_relations) AND (v.spec->>'online')::boolean`,
      [mart.includes('.') ? mart : `dwh.${mart}`],
    );
    return rows.map((r) => r.name);
  }

  private async targets(views: string[] | undefined): Promise<ResolvedView[]> {
    const snap = await this.registry.snapshot();
    const names = views ?? [...snap.views.values()].filter((v) => !v.removed && v.versions.get(v.head)!.online).map((v) => v.name);
    const out: ResolvedView[] = [];
    for (const name of names) {
      const reg = snap.views.get(name);
      if (!reg || reg.removed) throw PlatformError.badRequest(`unknown feature view ${name}`, [{ code: 'UNKNOWN_FEATURE_VIEW', message: name }], 'UNKNOWN_FEATURE_VIEW');
      const spec = reg.versions.get(reg.head)!;
      if (!spec.online) throw PlatformError.badRequest(`feature view ${name} is not served online`, [], 'VIEW_NOT_ONLINE');
      const resolved = await this.registry.resolve({ features: spec.features.map((f) => `${name}:${f.name}`) });
      out.push(resolved.views[0]);
    }
    for (const v of out) await this.registry.ensureSourceReady(v);
    return out;
  }

  private async createJob(v: ResolvedView, start: Date, end: Date, trigger: string): Promise<Materialization> {
    return this.db.transaction(async (m) => {
      const [job] = await m.query(
        `INSERT INTO "${this.db.schema}".materializations (view, version, start_ts, end_ts, chunks_total, trigger) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [v.name, v.version, start.toISOString(), end.toISOString(), this.chunkCount, trigger],
      );
      await m.query(`INSERT INTO "${this.db.schema}".materialization_chunks (materialization_id, chunk) SELECT $1, g FROM generate_series(0, $2 - 1) g`, [job.id, this.chunkCount]);
      return (await this.list({ id: Number(job.id) }, m))[0];
    });
  }

  async list(filter: { id?: number; view?: string; limit?: number } = {}, m?: { query(sql: string, p: unknown[]): Promise<unknown> }): Promise<Materialization[]> {
    const sql = `SELECT j.id, j.view, j.version, j.start_ts, j.end_ts, j.status, j.chunks_total, j.trigger, j.error, j.created_at, j.finished_at,
                        count(c.chunk) FILTER (WHERE c.status = 'DONE')::int AS chunks_done, coalesce(sum(c.rows_written), 0)::bigint AS rows_written
                   FROM "${this.db.schema}".materializations j LEFT JOIN "${this.db.schema}".materialization_chunks c ON c.materialization_id = j.id
                  WHERE ($1::bigint IS NULL OR j.id = $1) AND ($2::text IS NULL OR j.view = $2)
                  GROUP BY j.id ORDER BY j.id DESC LIMIT $3`;
    const params = [filter.id ?? null, filter.view ?? null, filter.limit ?? 100];
    const rows = (m ? await m.query(sql, params) : await this.db.query(sql, params)) as Array<Record<string, unknown>>;
    const iso = (d: unknown) => (d ? new Date(d as Date).toISOString() : null);
    return rows.map((r) => ({
      id: Number(r['id']),
      view: String(r['view']),
      version: Number(r['version']),
      start: iso(r['start_ts'])!,
      end: iso(r['end_ts'])!,
      status: r['status'] as Materialization['status'],
      chunks_total: Number(r['chunks_total']),
      chunks_done: Number(r['chunks_done']),
      rows_written: Number(r['rows_written']),
      trigger: String(r['trigger']),
      error: (r['error'] as string | null) ?? null,
      created_at: iso(r['created_at'])!,
      finished_at: iso(r['finished_at']),
    }));
  }

  /** Claims one due chunk: pending, or running with a heartbeat older than the lease (its worker died). */
  async claim(): Promise<ChunkClaim | undefined> {
    const s = this.db.schema;
    const rows = await this.db.query<ChunkClaim>(
      `WITH due AS (
         SELECT c.materialization_id, c.chunk FROM "${s}".materialization_chunks c
           JOIN "${s}".materializations j ON j.id = c.materialization_id AND j.status IN ('PENDING', 'RUNNING')
          WHERE c.status = 'PENDING' OR (c.status = 'RUNNING' AND c.heartbeat_at < now() - make_interval(secs => $2::float8 / 1000))
          ORDER BY c.materialization_id, c.chunk LIMIT 1 FOR UPDATE OF c SKIP LOCKED
       ), claimed AS (
         UPDATE "${s}".materialization_chunks c SET status = 'RUNNING', claimed_by = $1, heartbeat_at = now(), attempts = c.attempts + 1
           FROM due WHERE c.materialization_id = due.materialization_id AND c.chunk = due.chunk
         RETURNING c.materialization_id, c.chunk, c.attempts
       )
       SELECT cl.materialization_id, cl.chunk, cl.attempts, j.chunks_total, j.view, j.version, j.start_ts, j.end_ts
         FROM claimed cl JOIN "${s}".materializations j ON j.id = cl.materialization_id`,
      [this.workerId, this.leaseMs],
    );
    const claim = rows[0];
    if (claim) await this.db.query(`UPDATE "${s}".materializations SET status = 'RUNNING' WHERE id = $1 AND status = 'PENDING'`, [claim.materialization_id]);
    return claim;
  }

  /** Copies one chunk; on success marks it done and, if it was the last one, finishes the job. */
  async runChunk(claim: ChunkClaim): Promise<void> {
    const s = this.db.schema;
    try {
      const resolved = await this.viewVersion(claim.view, claim.version);
      let written = 0;
      await this.sessions.with(async (client) => {
        await client.query('BEGIN READ ONLY');
        try {
          await client.query(
            `DECLARE fs_mat NO SCROLL CURSOR FOR
               SELECT DISTINCT ON (p.entity_key) p.entity_key, p.event_timestamp, (to_jsonb(p) - 'entity_key' - 'event_timestamp' - '_prio')::text AS vals
                 FROM (${projectedSource(s, resolved.spec, resolved.version, resolved.joinKey)}) p
                WHERE p.event_timestamp >= $1 AND p.event_timestamp < $2 AND mod(hashtext(p.entity_key) & 2147483647, $3) = $4
                ORDER BY p.entity_key, p.event_timestamp DESC, p._prio DESC`,
            [claim.start_ts, claim.end_ts, claim.chunks_total, claim.chunk],
          );
          for (;;) {
            const batch = await client.query<{ entity_key: string; event_timestamp: Date; vals: string }>(`FETCH ${FETCH_ROWS} FROM fs_mat`);
            if (batch.rows.length === 0) break;
            written += await this.writer.write(
              resolved.viewKey,
              batch.rows.map((r) => ({ entityKey: r.entity_key, eventTimestamp: r.event_timestamp, values: JSON.parse(r.vals) })),
            );
            const still = await this.db.query(`UPDATE "${s}".materialization_chunks SET heartbeat_at = now() WHERE materialization_id = $1 AND chunk = $2 AND claimed_by = $3 RETURNING 1`, [claim.materialization_id, claim.chunk, this.workerId]);
            if (still.length === 0) throw new Error('lost the chunk lease to another worker');
          }
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
        }
      });
      this.rowsWritten.inc({ view: resolved.viewKey }, written);
      const done = await this.db.query(
        `UPDATE "${s}".materialization_chunks SET status = 'DONE', rows_written = $4, finished_at = now() WHERE materialization_id = $1 AND chunk = $2 AND claimed_by = $3 RETURNING 1`,
        [claim.materialization_id, claim.chunk, this.workerId, written],
      );
      if (done.length) await this.finishIfComplete(claim.materialization_id);
    } catch (err) {
      this.log.warn({ err: String(err), materialization: claim.materialization_id, chunk: claim.chunk }, 'materialization chunk failed');
      const final = claim.attempts >= MAX_ATTEMPTS;
      await this.db
        .query(`UPDATE "${s}".materialization_chunks SET status = $4 WHERE materialization_id = $1 AND chunk = $2 AND claimed_by = $3`, [claim.materialization_id, claim.chunk, this.workerId, final ? 'FAILED' : 'PENDING'])
        .catch(() => undefined);
      if (final) {
        await this.db.query(`UPDATE "${s}".materializations SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1`, [claim.materialization_id, String((err as Error).message ?? err).slice(0, 2000)]).catch(() => undefined);
      }
    }
  }

  private async viewVersion(name: string, version: number): Promise<ResolvedView> {
    const snap = await this.registry.snapshot();
    const spec = snap.views.get(name)?.versions.get(version);
    if (!spec) throw new Error(`feature view ${name}@v${version} is no longer registered`);
    return (await this.registry.resolve({ features: spec.features.map((f) => `${name}@v${version}:${f.name}`) })).views[0];
  }

  private async finishIfComplete(id: string): Promise<void> {
    const s = this.db.schema;
    const finished = await this.db.query<{ id: string }>(
      `UPDATE "${s}".materializations j SET status = 'SUCCEEDED', finished_at = now()
        WHERE j.id = $1 AND j.status = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM "${s}".materialization_chunks c WHERE c.materialization_id = j.id AND c.status <> 'DONE')
        RETURNING j.id`,
      [id],
    );
    if (!finished.length) return;
    try {
      await this.computeStats(id);
    } catch (err) {
      this.log.warn({ err: String(err), materialization: id }, 'statistics of a materialization failed');
    }
  }

  /** Statistics of what the materialization served: the latest value per entity in its window. */
  async computeStats(id: string): Promise<void> {
    const s = this.db.schema;
    const [job] = await this.db.query<{ view: string; version: number; start_ts: Date; end_ts: Date }>(`SELECT view, version, start_ts, end_ts FROM "${s}".materializations WHERE id = $1`, [id]);
    const v = await this.viewVersion(job.view, job.version);
    const latest = `SELECT DISTINCT ON (p.entity_key) p.* FROM (${projectedSource(s, v.spec, v.version, v.joinKey)}) p
                     WHERE p.event_timestamp >= $1 AND p.event_timestamp < $2 ORDER BY p.entity_key, p.event_timestamp DESC, p._prio DESC`;
    const features = await this.sessions.with(async (client) => {
      await client.query('BEGIN READ ONLY');
      try {
        const res = await client.query(featureStatsQuery(latest, v.spec.features), [job.start_ts, job.end_ts]);
        return assembleFeatureStats(res.rows[0], v.spec.features);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    });
    await this.db.query(`INSERT INTO "${s}".feature_stats (materialization_id, view, version, stats) VALUES ($1, $2, $3, $4) ON CONFLICT (materialization_id) DO NOTHING`, [id, job.view, job.version, JSON.stringify(features)]);
  }

  async latestStats(view: string, version?: number): Promise<FeatureViewStats> {
    const snap = await this.registry.snapshot();
    const reg = snap.views.get(view);
    if (!reg || reg.removed) throw PlatformError.notFound(`unknown feature view ${view}`, 'UNKNOWN_FEATURE_VIEW');
    const v = version ?? reg.head;
    const [row] = await this.db.query<{ materialization_id: string; computed_at: Date; stats: FeatureViewStats['features'] }>(
      `SELECT materialization_id, computed_at, stats FROM "${this.db.schema}".feature_stats WHERE view = $1 AND version = $2 ORDER BY computed_at DESC, materialization_id DESC LIMIT 1`,
      [view, v],
    );
    if (!row) throw PlatformError.notFound(`feature view ${view}@v${v} has no statistics yet (materialize it first)`, 'NO_STATISTICS');
    return { view, version: v, materialization_id: Number(row.materialization_id), computed_at: new Date(row.computed_at).toISOString(), features: row.stats };
  }
}
