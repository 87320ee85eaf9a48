import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BatchJob, CreateBatchJob } from '@mlp/contracts';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import { BatchJobRunner } from './batch-job-runner';
import { BatchJobStore } from './batch-job-store';
import { CANCEL_JOB_DOC, CREATE_JOB_DOC, GET_JOB_DOC, LIST_JOBS_DOC } from './batch-jobs.docs';

/** Scheduled batch scoring into serving.batch_predictions; progress is the job resource itself. */
@ApiTags('batch-scoring')
@Controller('v1/batch-jobs')
export class BatchJobsController {
  constructor(
    private readonly jobs: BatchJobStore,
    private readonly runner: BatchJobRunner,
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

  @Post(':id/cancel')
  @RequireScope('serving:admin')
  @ApiContract({ response: BatchJob, ...CANCEL_JOB_DOC })
  cancel(@Param('id') id: string) {
    return this.jobs.cancel(id);
  }
}
