import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OutcomeErrorCode, type OutcomeRefreshResult, type OutcomeStatus } from '@mlp/contracts';
import { isDependencyDown, PlatformError, type Logger } from '@mlp/runtime';
import { Database, MetricsService, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { Gauge } from 'prom-client';
import type { QueryRunner } from 'typeorm';
import { OUTCOMES_LOCK, withSessionLock } from '../warehouse/locks';
import { readOnlyForDefinitionSql } from '../warehouse/read-only';
import { definitionSqlProblem } from '../warehouse/select-check';
import { AppliedOutcomes, noOutcome, type AppliedOutcome } from './applied-outcomes';
import { APPLY_STAGED_SQL, CREATE_STAGE_SQL, DELETE_UNLOGGED_SQL, outcomeLabelQuery, STAGE_TABLE } from './outcome-labels-sql';

type ModelResult = OutcomeRefreshResult['models'][number];

interface RefreshRow {
  model: string;
  status: 'refreshed' | 'failed';
  error: string | null;
  predictions: string;
  labelled: string;
  attempted_at: Date;
  refreshed_at: Date | null;
}

/**
 * Keeps `dwh.prediction_outcomes` (every logged prediction of a model with an outcome, and its
 * label) up to date: every OUTCOMES_REFRESH_SECONDS and on `POST /v1/outcomes/refresh`. Per model,
 * the outcome's SELECT runs in a READ ONLY transaction with OUTCOMES_STATEMENT_TIMEOUT_MS, staging
 * labels in a session temp table (the one thing a read-only transaction may write), then a second
 * transaction applies them. One replica refreshes at a time (a session advisory lock); an outcome
 * whose SQL fails is recorded as failed with PostgreSQL's message and the others go on.
 */
@Injectable()
export class PredictionOutcomes implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly timeoutMs: number;
  private readonly lookbackSeconds: number;

  constructor(
    private readonly db: Database,
    private readonly outcomes: AppliedOutcomes,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    this.timeoutMs = config.env['OUTCOMES_STATEMENT_TIMEOUT_MS'] as number;
    // Read from dwh.outcome_refreshes at scrape time, so every replica reports the last refresh, whichever ran it.
    const refreshes = () =>
      this.db.isConnected ? this.db.query<RefreshRow>(`SELECT * FROM "dwh".outcome_refreshes`).catch(() => [] as RefreshRow[]) : Promise.resolve([] as RefreshRow[]);
    const gauge = (name: string, help: string, value: (r: RefreshRow) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['model'],
        registers: [metrics.registry],
        async collect() {
          this.reset();
          for (const r of await refreshes()) {
            const v = value(r);
            if (v !== null) this.set({ model: r.model }, v);
          }
        },
      });
    gauge('dwh_outcome_labels_refreshed_timestamp_seconds', 'When the live-prediction labels of a model were last refreshed successfully', (r) => (r.refreshed_at ? r.refreshed_at.getTime() / 1000 : null));
    gauge('dwh_outcome_refresh_failed', '1 when the last label refresh of a model failed (its outcome SQL did not run), else 0', (r) => (r.status === 'failed' ? 1 : 0));
    gauge('dwh_outcome_labelled_predictions', 'Logged predictions of a model with a known outcome', (r) => Number(r.labelled));
    this.lookbackSeconds = (config.env['OUTCOMES_LOOKBACK_HOURS'] as number) * 3600;
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.env['OUTCOMES_REFRESH_SECONDS'] as number;
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
      const result = await this.refresh();
      const failed = result.models.filter((m) => m.status === 'failed');
      if (failed.length) this.log.warn({ failed: failed.map((m) => ({ model: m.model, error: m.error })) }, 'outcome labels not refreshed for some models');
    } catch (err) {
      if ((err as PlatformError).code !== OutcomeErrorCode.REFRESH_IN_PROGRESS) this.log.warn({ err: String(err) }, 'scheduled outcome refresh failed');
    }
  }

  /**
   * Refreshes the labels of the given models (all with an outcome when absent; unknown ones are 404
   * NO_OUTCOME). A time-based outcome whose definition is the one of its last successful refresh is
   * refreshed incrementally (OUTCOMES_LOOKBACK_HOURS), unless `full`.
   */
  async refresh(models?: string[], full = false): Promise<OutcomeRefreshResult> {
    const applied = await this.outcomes.list();
    const missing = (models ?? []).filter((m) => !applied.some((a) => a.model === m));
    if (missing.length) throw noOutcome(missing.join(', '));
    const selected = models ? applied.filter((a) => models.includes(a.model)) : applied;
    const work = this.locked((qr) => this.refreshAll(qr, selected, full, models ? undefined : applied.map((a) => a.model)));
    this.running = work;
    try {
      return await work;
    } finally {
      if (this.running === work) this.running = undefined;
    }
  }

  /** Every applied outcome with its last refresh. */
  async status(): Promise<OutcomeStatus[]> {
    const [applied, rows] = await Promise.all([this.outcomes.list(), this.db.query<RefreshRow>(`SELECT * FROM "dwh".outcome_refreshes`)]);
    return applied.map((a) => {
      const r = rows.find((x) => x.model === a.model);
      const d = a.definition;
      return {
        model: a.model,
        project: a.project,
        keys: d.keys ?? [],
        labelColumn: d.label_column,
        timestampColumn: d.timestamp_column ?? null,
        horizon: d.horizon ?? null,
        aggregate: d.aggregate ?? 'max',
        default: d.default ?? null,
        status: r?.status ?? null,
        error: r?.error ?? a.problem ?? null,
        predictions: Number(r?.predictions ?? 0),
        labelled: Number(r?.labelled ?? 0),
        attemptedAt: r ? r.attempted_at.toISOString() : null,
        refreshedAt: r?.refreshed_at ? r.refreshed_at.toISOString() : null,
      };
    });
  }

  private locked<T>(work: (qr: QueryRunner) => Promise<T>): Promise<T> {
    const busy = () => PlatformError.conflict('an outcome refresh is in progress', [], OutcomeErrorCode.REFRESH_IN_PROGRESS);
    return withSessionLock(this.db, OUTCOMES_LOCK, busy, async (qr) => {
      try {
        return await work(qr);
      } finally {
        await qr.query(`DROP TABLE IF EXISTS ${STAGE_TABLE}`).catch(() => undefined);
      }
    });
  }

  private async refreshAll(qr: QueryRunner, selected: AppliedOutcome[], full: boolean, allModels?: string[]): Promise<OutcomeRefreshResult> {
    const startedAt = new Date();
    if (allModels) {
      // Outcomes pruned from their project: their labels go with them.
      await qr.query(`DELETE FROM "dwh".prediction_outcomes WHERE NOT (model = ANY($1::text[]))`, [allModels]);
      await qr.query(`DELETE FROM "dwh".outcome_refreshes WHERE NOT (model = ANY($1::text[]))`, [allModels]);
    }
    const models: ModelResult[] = [];
    const last = await qr.query(`SELECT model, definition_sha256 FROM "dwh".outcome_refreshes WHERE refreshed_at IS NOT NULL`);
    const settled = new Map<string, string>((last as Array<{ model: string; definition_sha256: string }>).map((r) => [r.model, r.definition_sha256]));
    for (const outcome of selected) {
      const incremental = !full && this.lookbackSeconds > 0 && settled.get(outcome.model) === outcome.sha256;
      models.push(await this.refreshOne(qr, outcome, incremental));
    }
    return { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), models };
  }

  private async refreshOne(qr: QueryRunner, outcome: AppliedOutcome, incremental: boolean): Promise<ModelResult> {
    const t0 = Date.now();
    const { model } = outcome;
    try {
      const problem = outcome.problem ?? (await definitionSqlProblem(outcome.definition.sql));
      if (problem) throw new OutcomeProblem(problem);
      let query;
      try {
        query = outcomeLabelQuery(model, outcome.definition, incremental ? { lookbackSeconds: this.lookbackSeconds } : {});
      } catch (err) {
        throw new OutcomeProblem((err as Error).message);
      }
      await qr.query(CREATE_STAGE_SQL);
      await qr.query(`TRUNCATE ${STAGE_TABLE}`);
      await qr.startTransaction();
      await readOnlyForDefinitionSql((sql, params) => qr.query(sql, params), this.timeoutMs);
      await qr.query(query.sql, query.params);
      await qr.commitTransaction();
      await qr.query(`ANALYZE ${STAGE_TABLE}`);

      await qr.startTransaction();
      const upserted = await qr.query(APPLY_STAGED_SQL, [model, query.static], true);
      // The log has no retention: rows leave it only by hand, so a full refresh is where they are swept.
      const deleted = query.incremental ? { affected: 0 } : await qr.query(DELETE_UNLOGGED_SQL, [model], true);
      const [counts] = await qr.query(
        `SELECT count(*)::bigint AS predictions, count(*) FILTER (WHERE label_available)::bigint AS labelled FROM "dwh".prediction_outcomes WHERE model = $1`,
        [model],
      );
      await qr.query(
        `INSERT INTO "dwh".outcome_refreshes (model, project, definition_sha256, status, error, predictions, labelled, attempted_at, refreshed_at)
         VALUES ($1, $2, $3, 'refreshed', NULL, $4, $5, now(), now())
         ON CONFLICT (model) DO UPDATE SET project = EXCLUDED.project, definition_sha256 = EXCLUDED.definition_sha256, status = 'refreshed', error = NULL,
           predictions = EXCLUDED.predictions, labelled = EXCLUDED.labelled, attempted_at = EXCLUDED.attempted_at, refreshed_at = EXCLUDED.refreshed_at`,
        [model, outcome.project, outcome.sha256, counts.predictions, counts.labelled],
      );
      await qr.commitTransaction();
      const changed = (upserted.affected ?? 0) + (deleted.affected ?? 0);
      const mode = query.incremental ? 'incremental' : 'full';
      return { model, status: 'refreshed', mode, predictions: Number(counts.predictions), labelled: Number(counts.labelled), changed, durationMs: Date.now() - t0 };
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      if (isDependencyDown(err)) throw err;
      const error = err instanceof OutcomeProblem ? err.message : `the outcome of ${model} failed: ${(err as Error)?.message ?? String(err)}`;
      await qr.query(
        `INSERT INTO "dwh".outcome_refreshes (model, project, definition_sha256, status, error, attempted_at)
         VALUES ($1, $2, $3, 'failed', $4, now())
         ON CONFLICT (model) DO UPDATE SET project = EXCLUDED.project, definition_sha256 = EXCLUDED.definition_sha256, status = 'failed', error = EXCLUDED.error, attempted_at = EXCLUDED.attempted_at`,
        [model, outcome.project, outcome.sha256, error],
      );
      return { model, status: 'failed', mode: incremental ? 'incremental' : 'full', predictions: 0, labelled: 0, changed: 0, durationMs: Date.now() - t0, error };
    }
  }
}

/** A definition the refresh refuses to run (it fails that model only). */
class OutcomeProblem extends Error {}
