import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MartRefreshedEvent } from '@mlp/contracts';
import { isDependencyDown, PlatformError, type Logger } from '@mlp/runtime';
import { asDependencyError, Database, Outbox, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { dataTestQuery, testName } from './data-test-sql';
import { DemoModels } from './demo-models';
import { bindWindow, checkModels, selectWithDownstream, topologicalOrder, type ModelDefinition } from './model-dag';

export interface DataTestResult {
  test: string;
  severity: 'error' | 'warn';
  status: 'pass' | 'fail';
  failures: number;
  sample: unknown[];
}

export interface ModelRunResult {
  model: string;
  materialized: ModelDefinition['materialized'];
  status: 'built' | 'unchanged' | 'failed' | 'skipped';
  rowsAffected: number;
  watermark: string | null;
  durationMs: number;
  error?: string;
  tests: DataTestResult[];
}

export interface TransformationRun {
  runId: string;
  trigger: 'api' | 'schedule';
  status: 'success' | 'tests_failed' | 'failed';
  startedAt: string;
  finishedAt: string;
  models: ModelRunResult[];
}

interface ModelState {
  watermark: Date | null;
  last_built_at: Date | null;
}

const SCHEMA = 'dwh';
const LOCK_KEY = 'dwh.transformations';

/**
 * Runs the model DAG in dependency order, one transaction per model, holding a session advisory
 * lock so that one replica runs at a time. Incremental windows end at a bound below every open
 * transaction's start, so rows committed late (with an earlier loaded_at) are never skipped.
 */
@Injectable()
export class TransformationRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly models: readonly ModelDefinition[] = DemoModels;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    const errors = checkModels(this.models);
    if (errors.length) throw new Error(`invalid transformation models: ${errors.join('; ')}`);
  }

  onApplicationBootstrap(): void {
    const seconds = Number(this.config.env['TRANSFORM_INTERVAL_SECONDS'] ?? 300);
    if (seconds > 0) {
      this.timer = setInterval(() => void this.scheduled(), seconds * 1000);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async scheduled(): Promise<void> {
    if (!this.db.isConnected || this.running) return;
    try {
      const run = await this.run({ trigger: 'schedule' });
      this.log.info({ runId: run.runId, status: run.status }, 'scheduled transformation run finished');
    } catch (err) {
      if ((err as PlatformError).code !== 'RUN_IN_PROGRESS') this.log.warn({ err: String(err) }, 'scheduled transformation run failed');
    }
  }

  async run(options: { trigger: 'api' | 'schedule'; models?: string[]; fullRefresh?: boolean }): Promise<TransformationRun> {
    const unknown = (options.models ?? []).filter((m) => !this.models.some((d) => d.name === m));
    if (unknown.length) throw PlatformError.badRequest(`unknown models: ${unknown.join(', ')}`, [], 'UNKNOWN_MODEL');
    const selected = options.models?.length ? selectWithDownstream(this.models, options.models) : topologicalOrder(this.models);
    const work = this.runLocked(selected, options);
    this.running = work;
    try {
      return await work;
    } finally {
      if (this.running === work) this.running = undefined;
    }
  }

  private async runLocked(models: ModelDefinition[], options: { trigger: 'api' | 'schedule'; fullRefresh?: boolean }): Promise<TransformationRun> {
    const qr = this.db.source.createQueryRunner();
    try {
      await qr.connect();
      const [lock] = await qr.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [LOCK_KEY]);
      if (!lock.ok) throw PlatformError.conflict('a transformation run is in progress', [], 'RUN_IN_PROGRESS');
      try {
        return await this.execute(qr, models, options);
      } finally {
        await qr.query(`SELECT pg_advisory_unlock(hashtext($1))`, [LOCK_KEY]).catch(() => undefined);
      }
    } catch (err) {
      throw asDependencyError(err);
    } finally {
      await qr.release().catch(() => undefined);
    }
  }

  private async execute(qr: QueryRunner, models: ModelDefinition[], options: { trigger: 'api' | 'schedule'; fullRefresh?: boolean }): Promise<TransformationRun> {
    const runId = randomUUID();
    const startedAt = new Date();
    await qr.query(`INSERT INTO "dwh".transformation_runs (id, trigger, status, started_at) VALUES ($1, $2, 'running', $3)`, [runId, options.trigger, startedAt]);
    // Everything loaded before the bound is committed: no open transaction started earlier.
    const [b] = await qr.query(
      `SELECT least(now(), (SELECT min(xact_start) FROM pg_stat_activity
                             WHERE datname = current_database() AND backend_type = 'client backend'
                               AND pid <> pg_backend_pid() AND xact_start IS NOT NULL)) AS bound`,
    );
    const bound: Date = b.bound;
    const results: ModelRunResult[] = [];
    const changed = new Set<string>();
    const broken = new Set<string>();
    for (const model of models) {
      const t0 = Date.now();
      const base = { model: model.name, materialized: model.materialized, tests: [] as DataTestResult[] };
      if (model.deps.some((d) => broken.has(d))) {
        broken.add(model.name);
        results.push({ ...base, status: 'skipped', rowsAffected: 0, watermark: null, durationMs: 0, error: 'an upstream model failed' });
        continue;
      }
      try {
        const built = await this.buildModel(qr, model, bound, runId, changed, !!options.fullRefresh);
        if (built.changed) changed.add(model.name);
        const tests = built.changed ? await this.runTests(qr, model, runId) : [];
        results.push({ ...base, status: built.changed ? 'built' : 'unchanged', rowsAffected: built.rows, watermark: bound.toISOString(), durationMs: Date.now() - t0, tests });
      } catch (err) {
        if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
        if (isDependencyDown(err)) throw err;
        broken.add(model.name);
        this.log.error({ err: String(err), model: model.name }, 'model build failed');
        results.push({ ...base, status: 'failed', rowsAffected: 0, watermark: null, durationMs: Date.now() - t0, error: String((err as Error)?.message ?? err), tests: [] });
        await qr.query(
          `INSERT INTO "dwh".model_state (name, last_run_id, last_status) VALUES ($1, $2, 'failed')
           ON CONFLICT (name) DO UPDATE SET last_run_id = EXCLUDED.last_run_id, last_status = 'failed'`,
          [model.name, runId],
        );
      }
    }
    const status: TransformationRun['status'] = results.some((r) => r.status === 'failed')
      ? 'failed'
      : results.some((r) => r.tests.some((t) => t.status === 'fail' && t.severity === 'error'))
        ? 'tests_failed'
        : 'success';
    const finishedAt = new Date();
    await qr.query(`UPDATE "dwh".transformation_runs SET status = $2, finished_at = $3, models = $4::jsonb WHERE id = $1`, [runId, status, finishedAt, JSON.stringify(results)]);
    return { runId, trigger: options.trigger, status, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), models: results };
  }

  private async buildModel(qr: QueryRunner, m: ModelDefinition, bound: Date, runId: string, changed: Set<string>, fullRefresh: boolean): Promise<{ changed: boolean; rows: number }> {
    const table = `"${SCHEMA}"."${m.name}"`;
    const [state]: ModelState[] = await qr.query(`SELECT watermark, last_built_at FROM "dwh".model_state WHERE name = $1`, [m.name]);
    const depsChanged = m.deps.some((d) => changed.has(d));
    await qr.startTransaction();
    let rows = 0;
    let didChange = false;
    if (m.materialized === 'view') {
      const [exists] = await qr.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${SCHEMA}.${m.name}`]);
      await qr.query(`CREATE OR REPLACE VIEW ${table} AS ${m.sql}`);
      didChange = !exists.ok || depsChanged || fullRefresh;
    } else {
      await this.ensureTable(qr, m);
      const cols = (m.columns ?? []).map((c) => `"${c.name}"`).join(', ');
      if (m.materialized === 'incremental') {
        if (fullRefresh) await qr.query(`DELETE FROM ${table}`);
        const from = fullRefresh || !state?.watermark ? '-infinity' : state.watermark;
        const key = (m.uniqueKey ?? []).map((k) => `"${k}"`).join(', ');
        const updates = (m.columns ?? []).filter((c) => !m.uniqueKey?.includes(c.name)).map((c) => `"${c.name}" = EXCLUDED."${c.name}"`);
        const [r] = await qr.query(
          `WITH ins AS (INSERT INTO ${table} (${cols}) ${bindWindow(m.sql)}
                         ON CONFLICT (${key}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'} RETURNING 1)
           SELECT count(*)::bigint AS n FROM ins`,
          [from, bound],
        );
        rows = Number(r.n);
        didChange = rows > 0 || fullRefresh;
      } else {
        const stale = !state?.last_built_at || Date.now() - new Date(state.last_built_at).getTime() > (m.maxAgeSeconds ?? Infinity) * 1000;
        let sourcesChanged = false;
        for (const s of m.sources ?? []) {
          const [schema, name] = s.table.split('.');
          const [r] = await qr.query(`SELECT EXISTS (SELECT 1 FROM "${schema}"."${name}" WHERE "${s.loadedAt}" >= $1 AND "${s.loadedAt}" < $2) AS ok`, [
            state?.watermark ?? '-infinity',
            bound,
          ]);
          sourcesChanged ||= r.ok;
        }
        if (fullRefresh || stale || depsChanged || sourcesChanged) {
          await qr.query(`DELETE FROM ${table}`);
          const [r] = await qr.query(`WITH ins AS (INSERT INTO ${table} (${cols}) ${m.sql} RETURNING 1) SELECT count(*)::bigint AS n FROM ins`);
          rows = Number(r.n);
          didChange = true;
        }
      }
    }
    await qr.query(
      `INSERT INTO "dwh".model_state (name, watermark, last_run_id, last_status, last_rows, last_built_at)
       VALUES ($1, $2, $3, 'success', $4, CASE WHEN $5 THEN now() END)
       ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark, last_run_id = EXCLUDED.last_run_id, last_status = 'success',
         last_rows = EXCLUDED.last_rows, last_built_at = coalesce(EXCLUDED.last_built_at, "dwh".model_state.last_built_at)`,
      [m.name, bound, runId, rows, didChange],
    );
    if (m.layer === 'marts' && didChange) {
      await this.outbox.publish(MartRefreshedEvent, { mart: `${SCHEMA}.${m.name}`, watermark: bound.toISOString(), rowsAffected: rows, runId }, qr.manager);
    }
    await qr.commitTransaction();
    return { changed: didChange, rows };
  }

  private async ensureTable(qr: QueryRunner, m: ModelDefinition): Promise<void> {
    const table = `"${SCHEMA}"."${m.name}"`;
    const cols = (m.columns ?? []).map((c) => `"${c.name}" ${c.type}`);
    if (m.uniqueKey?.length) cols.push(`PRIMARY KEY (${m.uniqueKey.map((k) => `"${k}"`).join(', ')})`);
    await qr.query(`CREATE TABLE IF NOT EXISTS ${table} (${cols.join(', ')})`);
    for (const idx of m.indexes ?? []) {
      const name = `${m.name}_${idx.join('_')}_idx`.slice(0, 63);
      await qr.query(`CREATE INDEX IF NOT EXISTS "${name}" ON ${table} (${idx.map((c) => `"${c}"`).join(', ')})`);
    }
  }

  private async runTests(qr: QueryRunner, m: ModelDefinition, runId: string): Promise<DataTestResult[]> {
    const out: DataTestResult[] = [];
    for (const t of m.tests) {
      const { sql, params } = dataTestQuery(SCHEMA, m.name, t);
      const [r] = await qr.query(sql, params);
      const failures = Number(r.failures);
      const result: DataTestResult = { test: testName(t), severity: t.severity ?? 'error', status: failures ? 'fail' : 'pass', failures, sample: (r.sample ?? []).slice(0, 5) };
      out.push(result);
      await qr.query(`INSERT INTO "dwh".data_test_results (run_id, model, test, status, failures, sample) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
        runId,
        m.name,
        `${result.test} [${result.severity}]`,
        result.status,
        failures,
        JSON.stringify(result.sample),
      ]);
    }
    return out;
  }

  async listRuns(limit: number): Promise<unknown[]> {
    const rows = await this.db.query<{ id: string; trigger: string; status: string; started_at: Date; finished_at: Date | null; models: ModelRunResult[] }>(
      `SELECT * FROM "dwh".transformation_runs ORDER BY started_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ runId: r.id, trigger: r.trigger, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, models: r.models }));
  }

  async getRun(id: string): Promise<unknown> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw PlatformError.badRequest('run id must be a UUID', [], 'INVALID_RUN_ID');
    const [r] = await this.db.query<{ id: string; trigger: string; status: string; started_at: Date; finished_at: Date | null; models: ModelRunResult[] }>(
      `SELECT * FROM "dwh".transformation_runs WHERE id = $1`,
      [id],
    );
    if (!r) throw PlatformError.notFound(`no transformation run ${id}`, 'RUN_NOT_FOUND');
    return { runId: r.id, trigger: r.trigger, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, models: r.models };
  }

  async describeModels(): Promise<unknown[]> {
    const state = await this.db.query<{ name: string; watermark: Date | null; last_status: string | null; last_rows: string | null; last_built_at: Date | null }>(
      `SELECT * FROM "dwh".model_state`,
    );
    const byName = new Map(state.map((s) => [s.name, s]));
    return topologicalOrder(this.models).map((m) => ({
      name: m.name,
      layer: m.layer,
      description: m.description,
      materialized: m.materialized,
      deps: m.deps,
      uniqueKey: m.uniqueKey ?? null,
      tests: m.tests.map((t) => `${testName(t)} [${t.severity ?? 'error'}]`),
      watermark: byName.get(m.name)?.watermark ?? null,
      lastStatus: byName.get(m.name)?.last_status ?? null,
      lastBuiltAt: byName.get(m.name)?.last_built_at ?? null,
    }));
  }
}
