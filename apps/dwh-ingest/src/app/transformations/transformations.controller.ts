import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RunTransformationsRequest } from '@mlp/contracts';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { PlatformError } from '@mlp/runtime';
import type { Static } from '@sinclair/typebox';
import { TransformationRunner } from './transformation-runner.service';

@Controller('v1/transformations')
export class TransformationsController {
  constructor(private readonly runner: TransformationRunner) {}

  /** Runs the DAG now and answers with each model's outcome and data test results (409 while another run holds the lock). */
  @Post('run')
  @HttpCode(200)
  @RequireScope('ingest:admin')
  @ApiContract({ body: RunTransformationsRequest })
  run(@Body() raw: unknown) {
    // An empty body means "run everything".
    const checked = RunTransformationsRequest.validate(raw ?? {});
    if (!checked.ok) throw PlatformError.badRequest('invalid transformation run request', checked.violations);
    const body: Static<typeof RunTransformationsRequest.schema> = checked.value;
    return this.runner.run({ trigger: 'api', models: body.models, fullRefresh: body.fullRefresh, project: body.project });
  }

  @Get('models')
  @RequireScope('ingest:read')
  async models() {
    return { models: await this.runner.describeModels() };
  }

  @Get('runs')
  @RequireScope('ingest:read')
  async runs(@Query('limit') limit?: string) {
    const n = Math.min(Math.max(Number(limit ?? 20) || 20, 1), 200);
    return { runs: await this.runner.listRuns(n) };
  }

  @Get('runs/:id')
  @RequireScope('ingest:read')
  runById(@Param('id') id: string) {
    return this.runner.getRun(id);
  }
}
