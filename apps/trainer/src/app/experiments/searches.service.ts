import { Inject, Injectable } from '@nestjs/common';
import type { CreateSearch, GateDecision, ModelSpec, PrimaryMetric, Search, SearchPlan, SearchStatus, TrainingRunStatus } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import { hasSelectionRows } from '../datasets/validation-share';
import { higherIsBetter } from '../evaluation/metrics';
import { ModelSpecsService } from '../model-specs/model-specs.service';
import { specProblems } from '../model-specs/model-spec-rules';
import { dataEnd, effectiveSpec, RunQueue, type RunRow } from '../training-runs/run-queue';
import { trialWithoutValidation } from '../training-runs/training-runs.service';
import { expandSearch } from './search-space';
import { validationMetricOf } from './trial-selection';

const DAY_MS = 86_400_000;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SearchRow {
  id: string;
  model: string;
  status: SearchStatus;
  plan: SearchPlan;
  seed: number;
  metric: PrimaryMetric;
  data_end: Date;
  deadline: Date | null;
  winner_run_id: string | null;
  final_run_id: string | null;
  error: string | null;
  error_code: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Hyperparameter searches: validates a plan, expands it into trials and queues them all as
 * ordinary (trial) runs in one transaction, so every trainer replica picks them up from the queue;
 * the `SearchCoordinator` registers the winner.
 */
@Injectable()
export class SearchesService {
  constructor(
    private readonly db: Database,
    private readonly specs: ModelSpecsService,
    private readonly queue: RunQueue,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async create(body: CreateSearch, requestedBy: string): Promise<Search> {
    const { spec } = await this.specs.get(body.model);
    const plan = body.plan ?? spec.search;
    if (!plan) {
      throw PlatformError.badRequest(`model ${body.model} declares no search: send a plan`, [{ path: '$.plan', code: 'NO_SEARCH_PLAN', message: 'neither the request nor the spec has a search plan' }], 'NO_SEARCH_PLAN');
    }
    if (!hasSelectionRows(spec)) throw trialWithoutValidation();
    const seed = plan.seed ?? spec.seed ?? 0;
    const expansion = expandSearch(plan, spec, seed);
    if (!expansion.ok) throw PlatformError.badRequest(`invalid search: ${expansion.problems.map((p) => p.message).join('; ')}`, expansion.problems, expansion.problems[0].code);
    for (const params of expansion.trials) {
      const problems = specProblems(effectiveSpec(spec, { algorithm: { ...spec.algorithm, ...params } as ModelSpec['algorithm'] }));
      if (problems.length) throw PlatformError.badRequest(`a trial makes an invalid spec: ${problems[0].message}`, problems, problems[0].code);
    }
    // One data window for every trial and the final run, so they are compared on the same rows.
    const end = body.end ? new Date(body.end) : dataEnd(spec, Date.now() - (spec.labelSource.labelDelayDays ?? 0) * DAY_MS);
    const id = randomUUID();
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO "registry".searches (id, model, status, plan, seed, metric, data_end, deadline, requested_by)
         VALUES ($1, $2, 'running', $3::jsonb, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END, $8)`,
        [id, body.model, JSON.stringify(plan), seed, spec.primaryMetric, end, plan.budget.maxSeconds ?? null, requestedBy],
      );
      for (const [index, params] of expansion.trials.entries()) {
        await this.queue.enqueue(
          {
            model: body.model,
            spec,
            overrides: { algorithm: { ...spec.algorithm, ...params } as ModelSpec['algorithm'], end: end.toISOString() },
            trigger: 'search',
            requestedBy,
            codeVersion: String(this.config.env['CODE_VERSION']),
            maxAttempts: Number(this.config.env['TRAINER_MAX_ATTEMPTS']),
            trial: true,
            search: { id, trial: index, params },
          },
          m,
        );
      }
    });
    return this.get(id);
  }

  async get(id: string): Promise<Search> {
    if (!UUID.test(id)) throw PlatformError.badRequest('a search id is a UUID', [{ path: 'id', code: 'INVALID_ID', message: id }], 'INVALID_SEARCH_ID');
    const [row] = await this.db.query<SearchRow>(`SELECT * FROM "registry".searches WHERE id = $1`, [id]);
    if (!row) throw PlatformError.notFound(`search ${id} not found`, 'SEARCH_NOT_FOUND');
    const runs = await this.db.query<RunRow>(`SELECT * FROM "registry".training_runs WHERE search_id = $1 ORDER BY search_trial NULLS LAST, created_at`, [id]);
    return toSearch(row, runs);
  }

  /**
   * Stops a search: queued trials (and a queued final run) are cancelled at once, running ones at
   * their next heartbeat, and nothing is registered. 409 SEARCH_FINISHED once it ended (or once its
   * final run registered the winner).
   */
  async cancel(id: string): Promise<Search> {
    await this.get(id);
    await this.db.transaction(async (m) => {
      const [row] = (await m.query(`SELECT status, final_run_id FROM "registry".searches WHERE id = $1 FOR UPDATE`, [id])) as Array<Pick<SearchRow, 'status' | 'final_run_id'>>;
      const [final] = row.final_run_id ? ((await m.query(`SELECT status FROM "registry".training_runs WHERE id = $1`, [row.final_run_id])) as Array<{ status: string }>) : [];
      if (!['running', 'registering'].includes(row.status) || final?.status === 'succeeded') {
        throw PlatformError.conflict(`search ${id} already ${final?.status === 'succeeded' ? 'registered its winner' : row.status}`, [], 'SEARCH_FINISHED');
      }
      await this.queue.stopActive(m, { searchId: id }, { message: 'the search was cancelled', code: 'CANCELLED' });
      await m.query(`UPDATE "registry".searches SET status = 'cancelled', error = 'cancelled on request', error_code = 'CANCELLED', finished_at = now() WHERE id = $1`, [id]);
    });
    return this.get(id);
  }

  async list(filter: { model?: string; limit: number }): Promise<Search[]> {
    const rows = await this.db.query<SearchRow>(`SELECT * FROM "registry".searches WHERE ($1::text IS NULL OR model = $1) ORDER BY created_at DESC LIMIT $2`, [filter.model ?? null, filter.limit]);
    if (rows.length === 0) return [];
    const runs = await this.db.query<RunRow>(`SELECT * FROM "registry".training_runs WHERE search_id = ANY($1::uuid[]) ORDER BY search_trial NULLS LAST, created_at`, [rows.map((r) => r.id)]);
    return rows.map((r) => toSearch(r, runs.filter((x) => x.search_id === r.id)));
  }
}

/** A search with its trials (in trial order), the winner and the final run, as the API shows it. */
export function toSearch(row: SearchRow, runs: readonly RunRow[]): Search {
  const trials = runs
    .filter((r) => r.trial)
    .map((r) => ({
      index: r.search_trial ?? 0,
      runId: r.id,
      status: r.status as TrainingRunStatus,
      params: r.trial_params ?? {},
      validationMetric: validationMetricOf({ metrics: r.metrics, crossValidation: r.cross_validation }, row.metric),
      metrics: r.metrics,
      error: r.error,
    }));
  const winner = trials.find((t) => t.runId === row.winner_run_id);
  const final = runs.find((r) => r.id === row.final_run_id);
  return {
    id: row.id,
    model: row.model,
    status: row.status,
    plan: row.plan,
    seed: row.seed,
    metric: row.metric,
    direction: higherIsBetter(row.metric) ? 'max' : 'min',
    deadline: row.deadline?.toISOString() ?? null,
    trials,
    winner: winner && winner.validationMetric !== null ? { index: winner.index, runId: winner.runId, params: winner.params, validationMetric: winner.validationMetric } : null,
    finalRun: final ? { runId: final.id, status: final.status, modelVersion: final.model_version, gate: final.gate as GateDecision | null } : null,
    error: row.error,
    errorCode: row.error_code,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
