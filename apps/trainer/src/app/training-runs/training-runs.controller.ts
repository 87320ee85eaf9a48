import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateTrainingRun, HoldoutPredictions, TrainingRun, TrainingRunAccepted } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import { pageLimit } from '../pagination/page-cursor';
import { TrainingRunsService } from './training-runs.service';
import { CANCEL_RUN_DOC, CREATE_RUN_DOC, GET_RUN_DOC, HOLDOUT_DOC, LIST_RUNS_DOC } from './training-runs.docs';

const STATUSES = new Set(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

@ApiTags('training runs')
@Controller('v1/training-runs')
export class TrainingRunsController {
  constructor(private readonly runs: TrainingRunsService) {}

  /** Queues a run; 202 with its id. 409 RUN_IN_PROGRESS while the model has one queued or running. */
  @Post()
  @HttpCode(202)
  @RequireScope('trainer:write')
  @ApiContract({ body: CreateTrainingRun, response: TrainingRunAccepted, status: 202, ...CREATE_RUN_DOC })
  async create(@Body(validate(CreateTrainingRun)) body: CreateTrainingRun) {
    const run = await this.runs.create(body);
    return { id: run.id, status: run.status };
  }

  @Get()
  @RequireScope('trainer:read')
  @ApiContract(LIST_RUNS_DOC)
  async list(@Query('model') model?: string, @Query('status') status?: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    if (status !== undefined && !STATUSES.has(status)) throw PlatformError.badRequest(`unknown status ${status}`, [{ path: 'status', code: 'ACCEPTED_VALUES', message: [...STATUSES].join(', ') }]);
    return this.runs.list({ model, status, limit: pageLimit(limit, 50, 500), cursor });
  }

  @Get(':id')
  @RequireScope('trainer:read')
  @ApiContract({ response: TrainingRun, ...GET_RUN_DOC })
  get(@Param('id') id: string) {
    return this.runs.get(id);
  }

  /** The run's held-out rows with the candidate's own score of each: what serving must answer for the same raw values. */
  @Get(':id/holdout-predictions')
  @RequireScope('trainer:read')
  @ApiContract({ response: HoldoutPredictions, ...HOLDOUT_DOC })
  holdout(@Param('id') id: string, @Query('offset') offset?: string, @Query('limit') limit?: string) {
    const from = offset === undefined ? 0 : Number(offset);
    const n = limit === undefined ? 1000 : Number(limit);
    if (!Number.isSafeInteger(from) || from < 0) throw PlatformError.badRequest('offset must be a non-negative integer', [{ path: 'offset', code: 'OUT_OF_RANGE', message: String(offset) }]);
    if (!Number.isInteger(n) || n < 1 || n > 5000) throw PlatformError.badRequest('limit must be an integer between 1 and 5000', [{ path: 'limit', code: 'OUT_OF_RANGE', message: String(limit) }]);
    return this.runs.holdout(id, from, n);
  }

  /** Cancels a queued run at once, a running one at its next heartbeat. */
  @Post(':id/cancel')
  @HttpCode(202)
  @RequireScope('trainer:write')
  @ApiContract({ response: TrainingRun, status: 202, ...CANCEL_RUN_DOC })
  cancel(@Param('id') id: string) {
    return this.runs.cancel(id);
  }
}
