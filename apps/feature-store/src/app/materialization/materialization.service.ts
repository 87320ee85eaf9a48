import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { FeatureViewStats, Materialization } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, MetricsService, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Counter } from 'prom-client';
import { SessionPool } from '../database/session-pool';
import { OnlineWriter } from '../online/online-writer.service';
import { FeatureRegistry, type ResolvedView } from '../registry/feature-registry.service';
import { quoteIdent } from '../registry/feature-ref';
import { liveVersions, versionKey } from '../registry/version-lifecycle';
import { projectedSource, SQL_TYPE } from '../registry/source-sql';
import { assembleFeatureStats, featureStatsQuery } from '../stats/feature-stats-query';
import { checkTimestamp, compareInstants, epochMicrosSql, formatInstant, instantFromEpochMicros, instantLiteral } from '../time/event-time';

interface ChunkClaim {
  materialization_id: string;
  chunk: number;
  staged_rows: string;
  chunks_total: number;
  view: string;
  version: number;
  attempts: number;
}

const MAX_ATTEMPTS = 3;
const STAGE_WORK_MEM = '128MB';
const STAGE_JANITOR_MS = 5 * 60_000;

interface StageClaim {
  materialization_id: string;
  view: string;
  version: number;
  /** The window's bounds as exact epoch microseconds (text of a bigint). */
  start_us: string;
  end_us: string;
  chunks_total: number;
  attempts: number;
}

type WorkClaim = ({ kind: 'chunk' } & ChunkClaim) | ({ kind: 'stage' } & StageClaim);

/** The job's view version was retired: its chunks must not write online values any more. */
class VersionRetiredError extends Error {
  constructor(viewKey: string) {
    super(`feature view version ${viewKey} is retired`);
  }
}

/** A chunk found fewer staged rows than were recorded for it: the unlogged stage was emptied. */
class StageLostError extends Error {
  constructor(read: number, expected: number) {
    super(`staged rows lost: read ${read}, expected ${expected}`);
  }
}

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
    this.janitor = setInterval(() => void this.dropFinishedStages(), STAGE_JANITOR_MS);
    this.janitor.unref();
  }

  private janitor?: NodeJS.Timeout;

  /** Stages of jobs that ended without their statistics step (its worker died) are dropped after a while. */
  async dropFinishedStages(): Promise<void> {
    if (this.stopped || !this.db.isConnected) return;
    try {
      const left = await this.db.query<{ id: string }>(
        `SELECT j.id FROM "${this.db.schema}".materializations j
          WHERE j.status IN ('SUCCEEDED', 'FAILED') AND j.finished_at < now() - interval '10 minutes'
            AND to_regclass(format('%I.materialization_stage_%s', $1::text, j.id)) IS NOT NULL`,
        [this.db.schema],
      );
      for (const j of left) await this.dropStage(j.id);
    } catch (err) {
      this.log.warn({ err: String(err) }, 'dropping finished materialization stages failed');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.janitor) clearInterval(this.janitor);
    await Promise.all([...this.drains]);
  }

  private active = 0;
  private readonly drains = new Set<Promise<void>>();

  /** Starts drains up to the configured concurrency; each claims its own work (SKIP LOCKED). */
  kick(): void {
    if (this.stopped || !this.db.isConnected || this.config.env['MATERIALIZATION_WORKER'] === false) return;
    const concurrency = Number(this.config.env['MATERIALIZATION_CONCURRENCY'] ?? 2);
    while (this.active < concurrency) {
      this.active++;
      const run: Promise<void> = this.drain()
        .then(() => undefined)
        .catch((err) => this.log.warn({ err: String(err) }, 'materialization pass failed'))
        .finally(() => {
          this.active--;
          this.drains.delete(run);
        });
      this.drains.add(run);
    }
  }

  /** Works until no chunk is due; returns the number of chunks finished. */
  async drain(limit = Infinity): Promise<number> {
    let done = 0;
    while (!this.stopped && done < limit) {
      const claim = await this.claim();
      if (!claim) break;
      await this.runWork(claim);
      done++;
    }
    return done;
  }

  /** `start` and `end` are date-times as the client wrote them (PostgreSQL parses them: microseconds are kept). */
  async materialize(start: string, end: string, views: string[] | undefined, trigger: string): Promise<Materialization[]> {
    if (compareInstants(checkTimestamp(start, '$.start'), checkTimestamp(end, '$.end')) >= 0) throw PlatformError.badRequest('start must be before end', [], 'INVALID_TIME_RANGE');
    const targets = await this.targets(views);
    const jobs: Materialization[] = [];
    for (const v of targets) {
      const job = await this.createJob(v, start, end, trigger);
      if (job) jobs.push(job);
    }
    this.kick();
    return jobs;
  }

  /**
   * Up to `end`, from where the last successful run ended or from `end - ttl`, whichever is earlier.
   * Re-reading the ttl window catches rows that arrived after a run but carry an event time before
   * its end (a mart rebuilt later than the data's event time); online writes keep the newest value
   * per entity, so reading a row twice changes nothing.
   */
  async materializeIncremental(end: string, views: string[] | undefined, trigger: string, field = '$.end', versions?: ReadonlySet<string>): Promise<Materialization[]> {
    checkTimestamp(end, field);
    const targets = await this.targets(views, versions);
    const jobs: Materialization[] = [];
    for (const v of targets) {
      const job = await this.createJob(v, null, end, trigger);
      if (job) jobs.push(job);
    }
    this.kick();
    return jobs;
  }

  /** Live online view versions (`view@vN`) whose sources read this mart (for `dwh.mart.refreshed`). */
  async viewsReading(mart: string): Promise<string[]> {
    const rows = await this.db.query<{ name: string; version: number }>(
      `SELECT v.name, v.version FROM "${this.db.schema}".feature_views v JOIN "${this.db.schema}".feature_view_heads h ON h.name = v.name AND h.removed_at IS NULL
        WHERE $1 = ANY(v.source_relations) AND (v.spec->>'online')::boolean AND (v.version = h.version OR v.retired_at IS NULL)
        ORDER BY v.name, v.version`,
      [mart.includes('.') ? mart : `dwh.${mart}`],
    );
    return rows.map((r) => `${r.name}@v${r.version}`);
  }

  /**
   * Every live version of the views (all online views when none are named) that is served online:
   * the head, and each older version not retired, which models trained on it still read (see
   * `version-lifecycle.ts`). A named view whose head is not online is refused. `versions` narrows
   * the result to these `view@vN`.
   */
  private async targets(views: string[] | undefined, versions?: ReadonlySet<string>): Promise<ResolvedView[]> {
    const snap = await this.registry.snapshot();
    const names = views ?? [...snap.views.values()].filter((v) => !v.removed && liveVersions(v).some((n) => v.versions.get(n)!.online)).map((v) => v.name);
    const out: ResolvedView[] = [];
    for (const name of names) {
      const reg = snap.views.get(name);
      if (!reg || reg.removed) throw PlatformError.badRequest(`unknown feature view ${name}`, [{ code: 'UNKNOWN_FEATURE_VIEW', message: name }], 'UNKNOWN_FEATURE_VIEW');
      if (views && !versions && !reg.versions.get(reg.head)!.online) throw PlatformError.badRequest(`feature view ${name} is not served online`, [], 'VIEW_NOT_ONLINE');
      for (const version of liveVersions(reg)) {
        const spec = reg.versions.get(version)!;
        if (!spec.online || (versions && !versions.has(versionKey(name, version)))) continue;
        const resolved = await this.registry.resolve({ features: spec.features.map((f) => `${name}@v${version}:${f.name}`) });
        out.push(resolved.views[0]);
      }
    }
    for (const v of out) await this.registry.ensureSourceReady(v);
    return out;
  }

  /**
   * A job over [start, end) (date-time texts, parsed by PostgreSQL); `start` null: incremental,
   * from the end of the last non-failed run of the view version or `end - ttl`, whichever is
   * earlier, computed in SQL (exact to the microsecond). Nothing is created (undefined) when that
   * start is not before `end`.
   */
  private async createJob(v: ResolvedView, start: string | null, end: string, trigger: string): Promise<Materialization | undefined> {
    const s = this.db.schema;
    return this.db.transaction(async (m) => {
      const [job] = await m.query(
        `INSERT INTO "${s}".materializations (view, version, start_ts, end_ts, chunks_total, trigger)
         SELECT $1, $2, w.start_ts, $4::timestamptz, $5, $6
           FROM (SELECT coalesce($3::timestamptz,
                   least((SELECT max(end_ts) FROM "${s}".materializations WHERE view = $1 AND version = $2 AND status <> 'FAILED'),
                         $4::timestamptz - make_interval(secs => $7))) AS start_ts) w
          WHERE w.start_ts < $4::timestamptz
         RETURNING id`,
        [v.name, v.version, start, end, this.chunkCount, trigger, v.spec.ttl_seconds],
      );
      if (!job) return undefined;
      await m.query(`INSERT INTO "${this.db.schema}".materialization_chunks (materialization_id, chunk) SELECT $1, g FROM generate_series(0, $2 - 1) g`, [job.id, this.chunkCount]);
      return (await this.list({ id: Number(job.id) }, m))[0];
    });
  }

  async list(filter: { id?: number; view?: string; limit?: number } = {}, m?: { query(sql: string, p: unknown[]): Promise<unknown> }): Promise<Materialization[]> {
    const sql = `SELECT j.id, j.view, j.version, ${epochMicrosSql('j.start_ts')}::text AS start_us, ${epochMicrosSql('j.end_ts')}::text AS end_us, j.status, j.chunks_total, j.trigger, j.error, j.created_at, j.finished_at,
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
      start: formatInstant(instantFromEpochMicros(String(r['start_us']))),
      end: formatInstant(instantFromEpochMicros(String(r['end_us']))),
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

  /**
   * Claims one unit of work: a chunk of a staged job (pending, or running with a heartbeat older
   * than the lease: its worker died), else the staging step of a job not staged yet.
   */
  async claim(): Promise<WorkClaim | undefined> {
    const s = this.db.schema;
    const rows = await this.db.query<ChunkClaim>(
      `WITH due AS (
         SELECT c.materialization_id, c.chunk FROM "${s}".materialization_chunks c
           JOIN "${s}".materializations j ON j.id = c.materialization_id AND j.status IN ('PENDING', 'RUNNING') AND j.staged_at IS NOT NULL
          WHERE c.status = 'PENDING' OR (c.status = 'RUNNING' AND c.heartbeat_at < now() - make_interval(secs => $2::float8 / 1000))
          ORDER BY c.materialization_id, c.chunk LIMIT 1 FOR UPDATE OF c SKIP LOCKED
       ), claimed AS (
         UPDATE "${s}".materialization_chunks c SET status = 'RUNNING', claimed_by = $1, heartbeat_at = now(), attempts = c.attempts + 1
           FROM due WHERE c.materialization_id = due.materialization_id AND c.chunk = due.chunk
         RETURNING c.materialization_id, c.chunk, c.attempts, c.staged_rows
       )
       SELECT cl.materialization_id, cl.chunk, cl.attempts, cl.staged_rows, j.chunks_total, j.view, j.version
         FROM claimed cl JOIN "${s}".materializations j ON j.id = cl.materialization_id`,
      [this.workerId, this.leaseMs],
    );
    if (rows[0]) return { kind: 'chunk', ...rows[0] };
    // (Wrapped in a CTE: the driver answers a bare UPDATE ... RETURNING as [rows, count].)
    const staged = await this.db.query<StageClaim>(
      `WITH claimed AS (UPDATE "${s}".materializations j SET status = 'RUNNING', stage_claimed_by = $1, stage_heartbeat_at = now(), stage_attempts = j.stage_attempts + 1
        WHERE j.id = (
          SELECT id FROM "${s}".materializations
           WHERE status IN ('PENDING', 'RUNNING') AND staged_at IS NULL
             AND (stage_claimed_by IS NULL OR stage_heartbeat_at < now() - make_interval(secs => $2::float8 / 1000))
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING j.id AS materialization_id, j.view, j.version, ${epochMicrosSql('j.start_ts')}::text AS start_us, ${epochMicrosSql('j.end_ts')}::text AS end_us, j.chunks_total, j.stage_attempts AS attempts) SELECT * FROM claimed`,
      [this.workerId, this.leaseMs],
    );
    return staged[0] ? { kind: 'stage', ...staged[0] } : undefined;
  }

  async runWork(work: WorkClaim): Promise<void> {
    if (work.kind === 'stage') await this.stage(work);
    else await this.runChunk(work);
  }

  /** Keeps a lease alive while long statements run on another connection. */
  private keepLease(sql: string, params: unknown[]): () => void {
    const timer = setInterval(() => void this.db.query(sql, params).catch(() => undefined), Math.max(250, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Reads the job's source once: the latest value per entity in the window, with its hash chunk,
   * streamed by COPY from a READ ONLY transaction (the source SQL never runs in a writable one)
   * into the UNLOGGED stage by COPY inside one transaction on a second session. That transaction
   * also records the rows per chunk and marks the job staged, only if this worker still holds the
   * staging lease, so a killed staging leaves nothing behind and is simply claimed again.
   */
  async stage(claim: StageClaim): Promise<void> {
    const s = this.db.schema;
    const stop = this.keepLease(`UPDATE "${s}".materializations SET stage_heartbeat_at = now() WHERE id = $1 AND stage_claimed_by = $2 AND staged_at IS NULL`, [claim.materialization_id, this.workerId]);
    try {
      const v = await this.viewVersion(claim.view, claim.version);
      const id = Number(claim.materialization_id);
      const chunks = Number(claim.chunks_total);
      if (!Number.isSafeInteger(id) || !Number.isSafeInteger(chunks)) throw new Error('bad materialization id or chunk count');
      const stage = this.stageTable(id);
      // COPY takes no parameters: only integers and timestamps built from digits (exact to the
      // microsecond, see instantLiteral) are inlined.
      const start = instantLiteral(instantFromEpochMicros(claim.start_us));
      const end = instantLiteral(instantFromEpochMicros(claim.end_us));
      const vals = v.spec.features.map((f) => `'${f.name}', p.${quoteIdent(f.name)}`).join(', ');
      // The latest row per entity by the tie rule of training sets: event time, then write sequence.
      const select = `SELECT ${id}, c, entity_key, event_timestamp, _seq, json_build_object(${vals})
                        FROM (SELECT DISTINCT ON (c, q.entity_key) q.*
                                FROM (SELECT mod(hashtext(x.entity_key) & 2147483647, ${chunks}) AS c, x.* FROM (${projectedSource(s, v.spec, v.version, v.joinKeys)}) x
                                       WHERE x.event_timestamp >= ${start} AND x.event_timestamp < ${end}) q
                               ORDER BY c, q.entity_key, q.event_timestamp DESC, q._seq DESC) p`;
      await this.sessions.with((reader) =>
        this.sessions.with(async (writer) => {
          await writer.query('BEGIN');
          try {
            // A table per job: dropping it is instant and leaves nothing for VACUUM.
            await writer.query(`DROP TABLE IF EXISTS ${stage}`);
            await writer.query(`CREATE UNLOGGED TABLE ${stage} (materialization_id bigint NOT NULL, chunk integer NOT NULL, entity_key text NOT NULL, event_timestamp timestamptz NOT NULL, write_seq bigint NOT NULL, vals json NOT NULL)`);
            await reader.query('BEGIN READ ONLY');
            try {
              // The latest-per-entity sort of a whole job: in memory rather than in temp files.
              await reader.query(`SET LOCAL work_mem = '${STAGE_WORK_MEM}'`);
              const out = reader.query(copyTo(`COPY (${select}) TO STDOUT`));
              const into = writer.query(copyFrom(`COPY ${stage} (materialization_id, chunk, entity_key, event_timestamp, write_seq, vals) FROM STDIN`));
              await pipeline(out, into);
            } finally {
              await reader.query('ROLLBACK').catch(() => undefined);
            }
            // Rows arrive ordered by chunk, so a BRIN index finds a chunk's pages for almost nothing.
            await writer.query(`CREATE INDEX ON ${stage} USING brin (chunk)`);
            await writer.query(`UPDATE "${s}".materialization_chunks SET staged_rows = 0 WHERE materialization_id = $1`, [id]);
            await writer.query(
              `UPDATE "${s}".materialization_chunks c SET staged_rows = n.rows
                 FROM (SELECT chunk, count(*) AS rows FROM ${stage} GROUP BY chunk) n
                WHERE c.materialization_id = $1 AND c.chunk = n.chunk`,
              [id],
            );
            const mine = await writer.query(`UPDATE "${s}".materializations SET staged_at = now() WHERE id = $1 AND stage_claimed_by = $2 AND staged_at IS NULL RETURNING 1`, [id, this.workerId]);
            if (mine.rowCount === 0) throw new Error('lost the staging lease to another worker');
            await writer.query('COMMIT');
          } catch (err) {
            await writer.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }),
      );
      this.kick();
    } catch (err) {
      this.log.warn({ err: String(err), materialization: claim.materialization_id }, 'materialization staging failed');
      const final = claim.attempts >= MAX_ATTEMPTS;
      await this.db
        .query(
          `UPDATE "${s}".materializations SET stage_claimed_by = NULL, status = CASE WHEN $3 THEN 'FAILED' ELSE status END, error = CASE WHEN $3 THEN $4 ELSE error END, finished_at = CASE WHEN $3 THEN now() ELSE finished_at END
            WHERE id = $1 AND stage_claimed_by = $2`,
          [claim.materialization_id, this.workerId, final, String((err as Error).message ?? err).slice(0, 2000)],
        )
        .catch(() => undefined);
      if (final) await this.dropStage(claim.materialization_id);
    } finally {
      stop();
    }
  }

  /**
   * Writes one staged chunk in one transaction on a session: mark it done (only if this worker
   * still holds it), upsert its staged rows newer-wins, record the count; so a chunk is written
   * completely or not at all. Fewer staged rows than recorded means the stage was lost (a server
   * crash empties unlogged tables): the job is staged again.
   */
  async runChunk(claim: ChunkClaim): Promise<void> {
    const s = this.db.schema;
    const stop = this.keepLease(`UPDATE "${s}".materialization_chunks SET heartbeat_at = now() WHERE materialization_id = $1 AND chunk = $2 AND claimed_by = $3 AND status = 'RUNNING'`, [claim.materialization_id, claim.chunk, this.workerId]);
    try {
      const resolved = await this.viewVersion(claim.view, claim.version);
      const written = await this.sessions.with(async (client) => {
        await client.query('BEGIN');
        try {
          const mine = await client.query(
            `UPDATE "${s}".materialization_chunks SET status = 'DONE', finished_at = now() WHERE materialization_id = $1 AND chunk = $2 AND claimed_by = $3 AND status = 'RUNNING' RETURNING 1`,
            [claim.materialization_id, claim.chunk, this.workerId],
          );
          if (mine.rowCount === 0) throw new Error('lost the chunk lease to another worker');
          // Held until this chunk commits: a retirement (which updates this row) waits for the chunk's
          // writes to finish before it drops the version's online values, and a chunk that starts
          // after a retirement writes nothing.
          const live = await client.query(`SELECT 1 FROM "${s}".feature_views WHERE name = $1 AND version = $2 AND retired_at IS NULL FOR SHARE`, [claim.view, claim.version]);
          if (live.rowCount === 0) throw new VersionRetiredError(`${claim.view}@v${claim.version}`);
          const result = await this.writer.writeStaged(client, resolved.viewKey, { table: this.stageTable(claim.materialization_id), materializationId: claim.materialization_id, chunk: claim.chunk });
          if (result.read !== Number(claim.staged_rows)) throw new StageLostError(result.read, Number(claim.staged_rows));
          await client.query(`UPDATE "${s}".materialization_chunks SET rows_written = $3 WHERE materialization_id = $1 AND chunk = $2`, [claim.materialization_id, claim.chunk, result.written]);
          await client.query('COMMIT');
          return result.written;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
      this.rowsWritten.inc({ view: resolved.viewKey }, written);
      await this.finishIfComplete(claim.materialization_id);
    } catch (err) {
      if (err instanceof StageLostError || (err as { code?: string }).code === '42P01') {
        this.log.warn({ materialization: claim.materialization_id, chunk: claim.chunk, err: String(err) }, 'materialization stage lost; staging again');
        await this.db
          .query(`UPDATE "${s}".materializations SET staged_at = NULL, stage_claimed_by = NULL WHERE id = $1 AND staged_at IS NOT NULL`, [claim.materialization_id])
          .then(() => this.db.query(`UPDATE "${s}".materialization_chunks SET status = 'PENDING', attempts = attempts - 1 WHERE materialization_id = $1 AND chunk = $2 AND claimed_by = $3`, [claim.materialization_id, claim.chunk, this.workerId]))
          .catch(() => undefined);
        return;
      }
      this.log.warn({ err: String(err), materialization: claim.materialization_id, chunk: claim.chunk }, 'materialization chunk failed');
      const final = claim.attempts >= MAX_ATTEMPTS || err instanceof VersionRetiredError;
      await this.db
        .query(`UPDATE "${s}".materialization_chunks SET status = $4 WHERE materialization_id = $1 AND chunk = $2 AND claimed_by = $3`, [claim.materialization_id, claim.chunk, this.workerId, final ? 'FAILED' : 'PENDING'])
        .catch(() => undefined);
      if (final) {
        await this.db.query(`UPDATE "${s}".materializations SET status = 'FAILED', error = $2, finished_at = now() WHERE id = $1`, [claim.materialization_id, String((err as Error).message ?? err).slice(0, 2000)]).catch(() => undefined);
        await this.dropStage(claim.materialization_id);
      }
    } finally {
      stop();
    }
  }

  /** The UNLOGGED stage table of one job (an integer id, never user input). */
  private stageTable(id: string | number): string {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`bad materialization id ${id}`);
    return `"${this.db.schema}".materialization_stage_${n}`;
  }

  private async dropStage(id: string): Promise<void> {
    await this.db.query(`DROP TABLE IF EXISTS ${this.stageTable(id)}`).catch(() => undefined);
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
      `WITH finished AS (UPDATE "${s}".materializations j SET status = 'SUCCEEDED', finished_at = now()
        WHERE j.id = $1 AND j.status = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM "${s}".materialization_chunks c WHERE c.materialization_id = j.id AND c.status <> 'DONE')
        RETURNING j.id) SELECT id FROM finished`,
      [id],
    );
    if (!finished.length) return;
    try {
      await this.computeStats(id);
    } catch (err) {
      this.log.warn({ err: String(err), materialization: id }, 'statistics of a materialization failed');
    }
  }

  /**
   * Statistics of what the materialization served, the latest value per entity in its window,
   * read from the job's stage (the source is not read again); the stage is dropped afterwards.
   */
  async computeStats(id: string): Promise<void> {
    const s = this.db.schema;
    try {
      const [job] = await this.db.query<{ view: string; version: number }>(`SELECT view, version FROM "${s}".materializations WHERE id = $1`, [id]);
      const v = await this.viewVersion(job.view, job.version);
      // One json parse per row (json_to_record), not one per feature.
      const cols = v.spec.features.map((f) => `${quoteIdent(f.name)} ${SQL_TYPE[f.type]}`).join(', ');
      const latest = `SELECT r.* FROM ${this.stageTable(id)} st, json_to_record(st.vals) AS r(${cols}) WHERE st.materialization_id = $1`;
      const features = await this.sessions.with(async (client) => {
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL work_mem = '${STAGE_WORK_MEM}'`);
          const res = await client.query(featureStatsQuery(latest, v.spec.features), [id]);
          return assembleFeatureStats(res.rows[0], v.spec.features);
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
        }
      });
      await this.db.query(`INSERT INTO "${s}".feature_stats (materialization_id, view, version, stats) VALUES ($1, $2, $3, $4) ON CONFLICT (materialization_id) DO NOTHING`, [id, job.view, job.version, JSON.stringify(features)]);
    } finally {
      await this.dropStage(id);
    }
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
