import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BatchJob, CreateBatchJob } from '@mlp/contracts';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import { BatchScoringService } from './batch-scoring.service';

/** Scheduled batch scoring into serving.batch_predictions; progress is the job resource itself. */
@ApiTags('batch-scoring')
@Controller('v1/batch-jobs')
export class BatchJobsController {
  constructor(private readonly jobs: BatchScoringService) {}

  @Post()
  @RequireScope('serving:admin')
  @ApiContract({ body: CreateBatchJob, response: BatchJob, status: 201 })
  create(@Body(validate(CreateBatchJob)) body: CreateBatchJob) {
    return this.jobs.create(body);
  }

  @Get()
  async list() {
    return { jobs: await this.jobs.list() };
  }

  @Get(':id')
  @ApiContract({ response: BatchJob })
  get(@Param('id') id: string) {
    return this.jobs.get(id);
  }

  @Post(':id/cancel')
  @RequireScope('serving:admin')
  @ApiContract({ response: BatchJob })
  cancel(@Param('id') id: string) {
    return this.jobs.cancel(id);
  }
}
