import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MartRefreshedEvent, type DataTestDefinition, type WarehouseModelDefinition } from '@mlp/contracts';
import { isDependencyDown, PlatformError, type Logger } from '@mlp/runtime';
import { Database, Outbox, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { analyseSelect, bindModel, bindWindow, WAREHOUSE_SCHEMA, withoutTerminator } from '../warehouse/select-check';
import { durationSeconds } from '../warehouse/duration';
import { TRANSFORMATIONS_LOCK, withSessionLock } from '../warehouse/locks';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import { dataTestQuery, testLabel, testName } from './data-test-sql';
import { selectWithDownstream, topologicalOrder } from './model-dag';
import { quoteIdentifier as q } from '../warehouse/identifiers';

export interface DataTestResult {
  test: string;
  severity: 'error' | 'warn';
  status: 'pass' | 'fail';
  failures: number;
  sample: unknown[];
}

export interface ModelRunResult {
  model: string;
  project: string;
  materialized: WarehouseModelDefinition['materialized'];
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

/** A registered model with what its SQL reads (derived from the SQL, never declared). */
export interface RegisteredModel {
  name: string;
  project: string;
  def: WarehouseModelDefinition;
  sha: string;
  /** Models it reads (SQL and tests): they build first. */
  deps: string[];
  /** Raw relations it reads (src_<name>, events, prediction_log): new rows there mean it must rebuild. */
  inputs: string[];
}

interface ModelState {
  watermark: Date | null;
  last_built_at: Date | null;
  definition_sha256: string | null;
}

const SCHEMA = WAREHOUSE_SCHEMA;
const LOCK_KEY = TRANSFORMATIONS_LOCK;

/** A failing `error` test: the model's transaction rolls back, so nothing it built is published. */
class TestsFailed extends Error {
  constructor(readonly tests: DataTestResult[]) {
    super(`data tests failed: ${tests.filter((t) => t.status === 'fail' && t.severity === 'error').map((t) => `${t.test} (${t.failures} rows)`).join(', ')}`);
  }
}

/**
 * Runs every project's models in dependency order (loaded from `dwh.project_objects` at each run),
 * one transaction per model, holding a session advisory lock so that one replica runs at a time.
 * Each build and its data tests run in that transaction (dbt build): an `error` test that fails
 * rolls it back, so the published relation stays exactly as it was, downstream models are skipped
 * and no mart-refreshed event is sent. Incremental windows end at a bound below every open
 * transaction's start, so rows committed late (with an earlier loaded_at) are never skipped.
 */
@Injectable()
export class TransformationRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly catalog: WarehouseCatalog,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

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

  private get statementTimeoutMs(): number {
    return Number(this.config.env['TRANSFORM_STATEMENT_TIMEOUT_SECONDS'] ?? 900) * 1000;
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

  /** The registered DAG: every project's models with what their SQL reads. */
  async registeredModels(): Promise<RegisteredModel[]> {
    const entries = await this.catalog.models();
    const names = new Set(entries.map((e) => e.def.name));
    const out: RegisteredModel[] = [];
    for (const e of entries) {
      const a = await analyseSelect(bindWindow(e.def.sql), { allowed: () => true, parameters: [1, 2] });
      const deps = new Set(a.relations.filter((r) => names.has(r) && r !== e.def.name));
      for (const t of e.def.tests ?? []) {
        if (t.kind === 'relationships' && names.has(t.to) && t.to !== e.def.name) deps.add(t.to);
        if (t.kind === 'sql') for (const r of (await analyseSelect(bindModel(t.sql, e.def.name), { allowed: () => true })).relations) if (names.has(r) && r !== e.def.name) deps.add(r);
      }
      out.push({ name: e.def.name, project: e.project, def: e.def, sha: e.sha, deps: [...deps], inputs: a.relations.filter((r) => !names.has(r)) });
    }
    return topologicalOrder(out);
  }

  async run(options: { trigger: 'api' | 'schedule'; models?: string[]; fullRefresh?: boolean; project?: string }): Promise<TransformationRun> {
    const all = await this.registeredModels();
    const unknown = (options.models ?? []).filter((m) => !all.some((d) => d.name === m));
    if (unknown.length) throw PlatformError.badRequest(`unknown models: ${unknown.join(', ')}`, [], 'UNKNOWN_MODEL');
    if (options.project && !all.some((m) => m.project === options.project)) throw PlatformError.badRequest(`project ${options.project} has no models`, [], 'UNKNOWN_PROJECT');
    let selected = options.models?.length ? selectWithDownstream(all, options.models) : all;
    if (options.project) selected = selected.filter((m) => m.project === options.project);
    const work = this.runLocked(selected, options);
    this.running = work;
    try {
      return await work;
    } finally {
      if (this.running === work) this.running = undefined;
    }
  }

  private runLocked(models: RegisteredModel[], options: { trigger: 'api' | 'schedule'; fullRefresh?: boolean }): Promise<TransformationRun> {
    const busy = () => PlatformError.conflict('a transformation run or a warehouse apply is in progress', [], 'RUN_IN_PROGRESS');
    return withSessionLock(this.db, LOCK_KEY, busy, (qr) => this.execute(qr, models, options));
  }

  private async execute(qr: QueryRunner, models: RegisteredModel[], options: { trigger: 'api' | 'schedule'; fullRefresh?: boolean }): Promise<TransformationRun> {
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
      const base = { model: model.name, project: model.project, materialized: model.def.materialized, tests: [] as DataTestResult[] };
      if (model.deps.some((d) => broken.has(d))) {
        broken.add(model.name);
        results.push({ ...base, status: 'skipped', rowsAffected: 0, watermark: null, durationMs: 0, error: `an upstream model failed (${model.deps.filter((d) => broken.has(d)).join(', ')})` });
        continue;
      }
      try {
        const built = await this.buildModel(qr, model, bound, runId, changed, !!options.fullRefresh);
        if (built.changed) changed.add(model.name);
        results.push({ ...base, status: built.changed ? 'built' : 'unchanged', rowsAffected: built.rows, watermark: bound.toISOString(), durationMs: Date.now() - t0, tests: built.tests });
      } catch (err) {
        if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
        if (isDependencyDown(err)) throw err;
        broken.add(model.name);
        const tests = err instanceof TestsFailed ? err.tests : [];
        if (tests.length) await this.recordTests(qr, model.name, runId, tests);
        this.log.error({ err: String((err as Error)?.message ?? err), model: model.name }, 'model build failed');
        results.push({ ...base, status: 'failed', rowsAffected: 0, watermark: null, durationMs: Date.now() - t0, error: String((err as Error)?.message ?? err), tests });
        await qr.query(
          `INSERT INTO "dwh".model_state (name, last_run_id, last_status) VALUES ($1, $2, 'failed')
           ON CONFLICT (name) DO UPDATE SET last_run_id = EXCLUDED.last_run_id, last_status = 'failed'`,
          [model.name, runId],
        );
      }
    }
    const status: TransformationRun['status'] = results.some((r) => r.status === 'failed' && !r.tests.some((t) => t.status === 'fail' && t.severity === 'error'))
      ? 'failed'
      : results.some((r) => r.tests.some((t) => t.status === 'fail' && t.severity === 'error'))
        ? 'tests_failed'
        : 'success';
    const finishedAt = new Date();
    await qr.query(`UPDATE "dwh".transformation_runs SET status = $2, finished_at = $3, models = $4::jsonb WHERE id = $1`, [runId, status, finishedAt, JSON.stringify(results)]);
    return { runId, trigger: options.trigger, status, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), models: results };
  }

  /** Whether any raw input got rows loaded in [since, bound). */
  private async inputsChanged(qr: QueryRunner, m: RegisteredModel, since: Date | null, bound: Date): Promise<boolean> {
    for (const input of m.inputs) {
      const [r] = await qr.query(`SELECT EXISTS (SELECT 1 FROM "${SCHEMA}".${q(input)} WHERE loaded_at >= $1 AND loaded_at < $2) AS ok`, [since ?? '-infinity', bound]);
      if (r.ok) return true;
    }
    return false;
  }

  private async buildModel(
    qr: QueryRunner,
    m: RegisteredModel,
    bound: Date,
    runId: string,
    changed: Set<string>,
    fullRefresh: boolean,
  ): Promise<{ changed: boolean; rows: number; tests: DataTestResult[] }> {
    const def = m.def;
    const table = `"${SCHEMA}".${q(m.name)}`;
    const [state]: ModelState[] = await qr.query(`SELECT watermark, last_built_at, definition_sha256 FROM "dwh".model_state WHERE name = $1`, [m.name]);
    const depsChanged = m.deps.some((d) => changed.has(d));
    const defChanged = state?.definition_sha256 !== m.sha;
    const sql = withoutTerminator(def.sql);
    await qr.startTransaction();
    // The team's SQL resolves only warehouse relations and built-in functions, and is bounded in time.
    await qr.query(`SET LOCAL search_path = pg_catalog, ${SCHEMA}, pg_temp`);
    await qr.query(`SELECT set_config('statement_timeout', $1, true)`, [String(this.statementTimeoutMs)]);
    let rows = 0;
    let didChange = false;
    if (def.materialized === 'view') {
      const [exists] = await qr.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${SCHEMA}.${m.name}`]);
      if (!exists.ok || defChanged || fullRefresh) await qr.query(`CREATE OR REPLACE VIEW ${table} AS\n${sql}\n`);
      didChange = !exists.ok || defChanged || fullRefresh || depsChanged || (await this.inputsChanged(qr, m, state?.watermark ?? null, bound));
    } else {
      const [exists] = await qr.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [`${SCHEMA}.${m.name}`]);
      if (!exists.ok) throw new Error(`${SCHEMA}.${m.name} does not exist: apply the project again (its table is created by the apply)`);
      if (def.materialized === 'incremental') {
        const from = fullRefresh || !state?.watermark ? '-infinity' : state.watermark;
        // Staged first: the window's rows, with the column names the SQL gives them.
        await qr.query(`CREATE TEMP TABLE mlp_stage ON COMMIT DROP AS\n${bindWindow(sql)}\n`, [from, bound]);
        const cols = await this.stageColumns(qr);
        const [n] = await qr.query(`SELECT count(*)::bigint AS n FROM pg_temp.mlp_stage`);
        rows = Number(n.n);
        if (fullRefresh) await qr.query(`DELETE FROM ${table}`);
        if (rows > 0) {
          const key = (def.unique_key ?? []).map(q).join(', ');
          const updates = cols.filter((c) => !def.unique_key?.includes(c)).map((c) => `${q(c)} = EXCLUDED.${q(c)}`);
          const list = cols.map(q).join(', ');
          await qr.query(
            `INSERT INTO ${table} (${list}) SELECT ${list} FROM pg_temp.mlp_stage ON CONFLICT (${key}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
          );
        }
        didChange = rows > 0 || fullRefresh;
      } else {
        const maxAge = def.max_age ? durationSeconds(def.max_age) : Infinity;
        const stale = !state?.last_built_at || Date.now() - new Date(state.last_built_at).getTime() > maxAge * 1000;
        if (fullRefresh || stale || defChanged || depsChanged || (await this.inputsChanged(qr, m, state?.watermark ?? null, bound))) {
          await qr.query(`CREATE TEMP TABLE mlp_stage ON COMMIT DROP AS\n${sql}\n`);
          const list = (await this.stageColumns(qr)).map(q).join(', ');
          await qr.query(`DELETE FROM ${table}`);
          const [r] = await qr.query(`WITH ins AS (INSERT INTO ${table} (${list}) SELECT ${list} FROM pg_temp.mlp_stage RETURNING 1) SELECT count(*)::bigint AS n FROM ins`);
          rows = Number(r.n);
          didChange = true;
        }
      }
    }
    const tests = didChange || defChanged ? await this.runTests(qr, m.name, def.tests ?? []) : [];
    if (tests.some((t) => t.status === 'fail' && t.severity === 'error')) throw new TestsFailed(tests);
    await this.recordTests(qr, m.name, runId, tests);
    await qr.query(
      `INSERT INTO "dwh".model_state (name, watermark, last_run_id, last_status, last_rows, last_built_at, definition_sha256)
       VALUES ($1, $2, $3, 'success', $4, CASE WHEN $5 THEN now() END, $6)
       ON CONFLICT (name) DO UPDATE SET watermark = EXCLUDED.watermark, last_run_id = EXCLUDED.last_run_id, last_status = 'success',
         last_rows = EXCLUDED.last_rows, last_built_at = coalesce(EXCLUDED.last_built_at, "dwh".model_state.last_built_at),
         definition_sha256 = EXCLUDED.definition_sha256`,
      [m.name, bound, runId, rows, didChange, m.sha],
    );
    if (def.layer === 'marts' && didChange) {
      await this.outbox.publish(MartRefreshedEvent, { mart: `${SCHEMA}.${m.name}`, watermark: bound.toISOString(), rowsAffected: rows, runId }, qr.manager);
    }
    await qr.commitTransaction();
    return { changed: didChange, rows, tests };
  }

  private async stageColumns(qr: QueryRunner): Promise<string[]> {
    const rows: Array<{ name: string }> = await qr.query(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = 'pg_temp.mlp_stage'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    );
    return rows.map((r) => r.name);
  }

  private async runTests(qr: QueryRunner, model: string, tests: readonly DataTestDefinition[]): Promise<DataTestResult[]> {
    const out: DataTestResult[] = [];
    for (const t of tests) {
      const { sql, params } = dataTestQuery(SCHEMA, model, t);
      const [r] = await qr.query(sql, params);
      const failures = Number(r.failures);
      out.push({ test: testName(t), severity: t.severity ?? 'error', status: failures ? 'fail' : 'pass', failures, sample: ((r.sample as unknown[]) ?? []).slice(0, 5) });
    }
    return out;
  }

  private async recordTests(qr: QueryRunner, model: string, runId: string, tests: DataTestResult[]): Promise<void> {
    for (const result of tests) {
      await qr.query(`INSERT INTO "dwh".data_test_results (run_id, model, test, status, failures, sample) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
        runId,
        model,
        `${result.test} [${result.severity}]`,
        result.status,
        result.failures,
        JSON.stringify(result.sample),
      ]);
    }
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
    return (await this.registeredModels()).map((m) => ({
      name: m.name,
      project: m.project,
      layer: m.def.layer,
      description: m.def.description ?? null,
      materialized: m.def.materialized,
      deps: m.deps,
      inputs: m.inputs,
      uniqueKey: m.def.unique_key ?? null,
      tests: (m.def.tests ?? []).map(testLabel),
      watermark: byName.get(m.name)?.watermark ?? null,
      lastStatus: byName.get(m.name)?.last_status ?? null,
      lastBuiltAt: byName.get(m.name)?.last_built_at ?? null,
    }));
  }
}
