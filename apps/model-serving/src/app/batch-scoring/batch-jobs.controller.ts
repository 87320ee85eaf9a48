import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Static } from '@sinclair/typebox';
import { BatchJob, BatchResultsPage, BatchResultsQuery, CreateBatchJob } from '@mlp/contracts';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import { BatchJobRunner } from './batch-job-runner';
import { BatchJobStore } from './batch-job-store';
import { BatchResultsReader } from './batch-results-reader';
import { CANCEL_JOB_DOC, CREATE_JOB_DOC, GET_JOB_DOC, JOB_RESULTS_DOC, LIST_JOBS_DOC } from './batch-jobs.docs';

/** Scheduled batch scoring into the warehouse (`dwh.scores_*`); progress is the job resource itself, its results a paged route. */
@ApiTags('batch-scoring')
@Controller('v1/batch-jobs')
export class BatchJobsController {
  constructor(
    private readonly jobs: BatchJobStore,
    private readonly runner: BatchJobRunner,
    private readonly results: BatchResultsReader,
  ) {}

  @Post()
  @RequireScope('serving:admin')
  @ApiContract({ body: CreateBatchJob, response: BatchJob, status: 201, ...CREATE_JOB_DOC })
  async create(@Body(validate(CreateBatchJob)) body: CreateBatchJob) {
    const job = await this.jobs.create(body);
    this.runner.kick(); // a new job is due at once: no need to wait for the next poll
    return job;
  }

  @Get()
  @ApiContract(LIST_JOBS_DOC)
  async list() {
    return { jobs: await this.jobs.list() };
  }

  @Get(':id')
  @ApiContract({ response: BatchJob, ...GET_JOB_DOC })
  get(@Param('id') id: string) {
    return this.jobs.get(id);
  }

  @Get(':id/results')
  @ApiQuery({ name: 'run', required: false, description: "The run (1, 2, ...); the job's current run when absent" })
  @ApiQuery({ name: 'entity', required: false, description: 'Only the row of this entity key' })
  @ApiQuery({ name: 'limit', required: false, description: 'Rows per page, 1..1000 (default 100)' })
  @ApiQuery({ name: 'cursor', required: false, description: 'The previous page\'s nextCursor' })
  @ApiContract({ response: BatchResultsPage, ...JOB_RESULTS_DOC })
  resultsPage(@Param('id') id: string, @Query(validate(BatchResultsQuery)) query: Static<typeof BatchResultsQuery.schema>) {
    return this.results.page(id, query);
  }

  @Post(':id/cancel')
  @RequireScope('serving:admin')
  @ApiContract({ response: BatchJob, ...CANCEL_JOB_DOC })
  cancel(@Param('id') id: string) {
    return this.jobs.cancel(id);
  }
}
