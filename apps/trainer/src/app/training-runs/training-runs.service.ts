import { Inject, Injectable } from '@nestjs/common';
import type { CreateTrainingRun, HoldoutPredictions, TrainingRun } from '@mlp/contracts';
import { PlatformError, requestContext } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { decodeCursor, encodeCursor, isRunKey } from '../pagination/page-cursor';
import { ModelSpecsService } from '../model-specs/model-specs.service';
import { specProblems } from '../model-specs/model-spec-rules';
import { hasSelectionRows } from '../datasets/validation-share';
import { effectiveSpec, RunQueue, toTrainingRun } from './run-queue';

/** A trial (or a search) needs rows to be judged on that are not the test rows. */
export const trialWithoutValidation = () =>
  PlatformError.badRequest(
    'a trial is judged on validation rows and this split has none: set split.validationFraction above 0 or split.folds',
    [{ path: '$.split', code: 'TRIAL_WITHOUT_VALIDATION', message: 'no validation share and no folds' }],
    'TRIAL_WITHOUT_VALIDATION',
  );

@Injectable()
export class TrainingRunsService {
  constructor(
    private readonly specs: ModelSpecsService,
    private readonly queue: RunQueue,
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async create(body: CreateTrainingRun): Promise<TrainingRun> {
    const { spec } = await this.specs.get(body.model);
    const effective = effectiveSpec(spec, body.overrides);
    const problems = specProblems(effective);
    if (problems.length) throw PlatformError.badRequest(`the overrides make an invalid spec: ${problems.map((p) => p.message).join('; ')}`, problems, problems[0].code);
    if (body.trial && !hasSelectionRows(effective)) throw trialWithoutValidation();
    const run = await this.queue.enqueue({
      trial: body.trial === true,
      model: body.model,
      spec,
      overrides: body.overrides,
      trigger: 'api',
      requestedBy: requestContext.get()?.principal ?? 'anonymous',
      codeVersion: String(this.config.env['CODE_VERSION']),
      maxAttempts: Number(this.config.env['TRAINER_MAX_ATTEMPTS']),
    });
    return toTrainingRun(run);
  }

  async get(id: string): Promise<TrainingRun> {
    return toTrainingRun(await this.queue.get(id));
  }

  /** A page of the run's held-out rows with the trainer's score of each (404 before the run succeeded). */
  async holdout(id: string, offset: number, limit: number): Promise<HoldoutPredictions> {
    const run = await this.queue.get(id);
    const [kept] = await this.db.query<{ total: number; stored: number; part: 'test' | 'validation' }>(
      `SELECT total, jsonb_array_length(rows) AS stored, part FROM "registry".training_run_holdout WHERE run_id = $1`,
      [id],
    );
    if (!kept) throw PlatformError.notFound(`training run ${id} has no held-out predictions (it has not succeeded)`, 'HOLDOUT_NOT_FOUND');
    const rows = await this.db.query<{ row: HoldoutPredictions['rows'][number] }>(
      `SELECT e.row FROM "registry".training_run_holdout h, jsonb_array_elements(h.rows) WITH ORDINALITY AS e(row, i)
        WHERE h.run_id = $1 AND e.i > $2 ORDER BY e.i LIMIT $3`,
      [id, offset, limit],
    );
    return { runId: id, model: run.model, version: run.model_version ?? null, part: kept.part, total: Number(kept.total), stored: Number(kept.stored), offset, rows: rows.map((r) => r.row) };
  }

  /** A page of runs, newest first, and the cursor of the next page (null on the last one). */
  async list(filter: { model?: string; status?: string; limit: number; cursor?: string }): Promise<{ runs: TrainingRun[]; nextCursor: string | null }> {
    const after = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, isRunKey);
    const rows = await this.queue.list({ model: filter.model, status: filter.status, limit: filter.limit + 1, after });
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return { runs: page.map(toTrainingRun), nextCursor: rows.length > filter.limit && last ? encodeCursor([last.created_us, last.id]) : null };
  }

  async cancel(id: string): Promise<TrainingRun> {
    return toTrainingRun(await this.queue.cancel(id));
  }
}
