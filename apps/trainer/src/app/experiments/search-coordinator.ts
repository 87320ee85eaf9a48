import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import type { EntityManager } from 'typeorm';
import { returnedRows, RunQueue, type RunRow } from '../training-runs/run-queue';
import type { SearchRow } from './searches.service';
import { selectWinner } from './trial-selection';

const SEARCHES = `"registry".searches`;
const RUNS = `"registry".training_runs`;

/**
 * Moves searches on. Every replica ticks; a search row is locked with SKIP LOCKED so one replica
 * handles it at a time. A running search whose time budget ran out has its queued trials cancelled;
 * once no trial is queued or running, the best trial by validation metric is retrained as one
 * ordinary run (its exact spec, same data window) that registers one version and goes through the
 * promotion gate on the test rows. When that run ends, so does the search.
 */
@Injectable()
export class SearchCoordinator implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly db: Database,
    private readonly queue: RunQueue,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = Number(this.config.env['TRAINER_POLL_MS']);
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.ticking || !this.db.isConnected) return;
    this.ticking = true;
    try {
      const active = await this.db.query<{ id: string }>(`SELECT id FROM ${SEARCHES} WHERE status IN ('running', 'registering') ORDER BY created_at`);
      for (const { id } of active) {
        const action = await this.db.transaction((m) => this.advance(m, id));
        if (action) this.log.info({ searchId: id, ...action }, 'search advanced');
      }
    } catch (err) {
      this.log.warn({ err: String(err) }, 'search tick failed; retried on the next tick');
    } finally {
      this.ticking = false;
    }
  }

  /** One step of one search, in one transaction; null when there was nothing to do. */
  private async advance(m: EntityManager, id: string): Promise<Record<string, unknown> | null> {
    const [search] = (await m.query(`SELECT * FROM ${SEARCHES} WHERE id = $1 AND status IN ('running', 'registering') FOR UPDATE SKIP LOCKED`, [id])) as SearchRow[];
    if (!search) return null;
    const end = (status: string, error: { code: string; message: string } | null) =>
      m.query(`UPDATE ${SEARCHES} SET status = $2, error = $3, error_code = $4, finished_at = now() WHERE id = $1`, [id, status, error?.message ?? null, error?.code ?? null]);

    if (search.status === 'registering') {
      const [final] = (await m.query(`SELECT status, error, error_code FROM ${RUNS} WHERE id = $1`, [search.final_run_id])) as Array<Pick<RunRow, 'status' | 'error'> & { error_code: string | null }>;
      if (!final || final.status === 'queued' || final.status === 'running') return null;
      if (final.status === 'succeeded') await end('succeeded', null);
      else await end('failed', { code: 'FINAL_RUN_FAILED', message: `the winner's final run ${final.status}: ${final.error ?? final.error_code ?? 'no reason given'}` });
      return { status: final.status === 'succeeded' ? 'succeeded' : 'failed', finalRun: search.final_run_id };
    }

    let cancelled = 0;
    if (search.deadline && search.deadline.getTime() <= Date.now()) {
      cancelled = returnedRows(await m.query(
        `UPDATE ${RUNS} SET status = 'cancelled', cancel_requested = true, finished_at = now(),
                error = 'the search''s time budget ran out before this trial started', error_code = 'SEARCH_BUDGET_EXHAUSTED'
          WHERE search_id = $1 AND trial AND status = 'queued' RETURNING id`,
        [id],
      )).length;
    }
    const trials = (await m.query(`SELECT id, status, search_trial, metrics, cross_validation FROM ${RUNS} WHERE search_id = $1 AND trial`, [id])) as RunRow[];
    if (trials.some((t) => t.status === 'queued' || t.status === 'running')) return cancelled ? { cancelledTrials: cancelled } : null;
    const winner = selectWinner(
      trials.map((t) => ({ index: t.search_trial ?? 0, runId: t.id, status: t.status, metrics: t.metrics, crossValidation: t.cross_validation })),
      search.metric,
    );
    if (!winner) {
      await end('failed', { code: 'NO_SUCCESSFUL_TRIAL', message: `none of ${trials.length} trials succeeded with a validation ${search.metric}` });
      return { status: 'failed', trials: trials.length };
    }
    // The final run must not overlap another run that registers versions; try again on a later tick.
    const [busy] = (await m.query(`SELECT id FROM ${RUNS} WHERE model = $1 AND status IN ('queued', 'running') AND NOT trial`, [search.model])) as unknown[];
    if (busy) return null;
    const [best] = (await m.query(`SELECT * FROM ${RUNS} WHERE id = $1`, [winner.runId])) as RunRow[];
    let finalRun: RunRow;
    try {
      finalRun = await this.queue.enqueue(
        {
          model: search.model,
          // Exactly what the winning trial trained (its spec with the trial's parameters), on the same window.
          spec: best.spec,
          overrides: { end: search.data_end.toISOString() },
          trigger: 'search',
          requestedBy: 'search-coordinator',
          codeVersion: String(this.config.env['CODE_VERSION']),
          maxAttempts: Number(this.config.env['TRAINER_MAX_ATTEMPTS']),
          search: { id, trial: null, params: best.trial_params },
        },
        m,
      );
    } catch (err) {
      if ((err as { code?: string }).code !== 'MODEL_NOT_FOUND') throw err;
      await end('failed', { code: 'MODEL_SPEC_REMOVED', message: `model ${search.model} was removed before its winner could be registered` });
      return { status: 'failed' };
    }
    await m.query(`UPDATE ${SEARCHES} SET status = 'registering', winner_run_id = $2, final_run_id = $3 WHERE id = $1`, [id, winner.runId, finalRun.id]);
    return { status: 'registering', winner: winner.runId, validationMetric: winner.validationMetric, finalRun: finalRun.id };
  }
}
