import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RunTransformationsRequest } from '@mlp/contracts';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { PlatformError } from '@mlp/runtime';
import type { Static } from '@sinclair/typebox';
import { TransformationRunner } from './transformation-runner.service';

const EXAMPLE_RUN = {
  runId: '88a70ba7-7e55-497f-972a-fe6ae4f3b321',
  trigger: 'api',
  status: 'success',
  startedAt: '2026-12-07T10:00:00.104Z',
  finishedAt: '2026-12-07T10:00:01.962Z',
  models: [
    {
      model: 'mart_colours',
      project: 'warm-colours',
      materialized: 'table',
      status: 'built',
      rowsAffected: 400,
      watermark: null,
      durationMs: 63,
      tests: [{ test: 'unique(colour_id)', severity: 'error', status: 'pass', failures: 0, sample: [] }],
    },
  ],
};

@Controller('v1/transformations')
export class TransformationsController {
  constructor(private readonly runner: TransformationRunner) {}

  /** Runs the DAG now and answers with each model's outcome and data test results (409 while another run holds the lock). */
  @Post('run')
  @HttpCode(200)
  @RequireScope('ingest:admin')
  @ApiContract({
    body: RunTransformationsRequest,
    summary: "Build the projects' SQL models now",
    description:
      "Runs the model DAG in dependency order (the schedule runs it every TRANSFORM_INTERVAL_SECONDS): every model, or `models` and everything downstream of them, or one `project`'s; `fullRefresh` rebuilds incremental models from scratch. Answers when the run ends, with each model's status (`built`, `unchanged`, `failed`, `skipped`) and data test results; run `status` is `success`, `tests_failed` or `failed`. 409 while another run or a warehouse apply holds the lock. An empty body runs everything. Scope `ingest:admin`.",
    errors: { 400: ['VALIDATION_FAILED', 'UNKNOWN_MODEL', 'UNKNOWN_PROJECT'], 409: ['RUN_IN_PROGRESS'], 503: ['DEPENDENCY_UNAVAILABLE'] },
    example: EXAMPLE_RUN,
  })
  run(@Body() raw: unknown) {
    // An empty body means "run everything".
    const checked = RunTransformationsRequest.validate(raw ?? {});
    if (!checked.ok) throw PlatformError.badRequest('invalid transformation run request', checked.violations);
    const body: Static<typeof RunTransformationsRequest.schema> = checked.value;
    return this.runner.run({ trigger: 'api', models: body.models, fullRefresh: body.fullRefresh, project: body.project });
  }

  @Get('models')
  @RequireScope('ingest:read')
  @ApiContract({
    summary: 'The SQL models of every project, with their last build',
    description: 'Each applied model: project, layer (`staging`, or `marts`, which features and training read), materialization, dependencies, data tests, incremental watermark and last build status. Scope `ingest:read`.',
    errors: {},
    example: {
      models: [
        {
          name: 'mart_colours',
          project: 'warm-colours',
          layer: 'marts',
          description: 'One row per labelled colour, with the time it was loaded (features and labels are valid from then)',
          materialized: 'table',
          deps: [],
          inputs: ['src_colours'],
          uniqueKey: ['colour_id'],
          tests: ['unique(colour_id) [error]', 'not_null(is_warm) [error]'],
          watermark: null,
          lastStatus: 'built',
          lastBuiltAt: '2026-12-07T10:00:01.540Z',
        },
      ],
    },
  })
  async models() {
    return { models: await this.runner.describeModels() };
  }

  @Get('runs')
  @RequireScope('ingest:read')
  @ApiContract({
    summary: 'Recent transformation runs, newest first',
    description: 'The last `limit` runs (1..200, default 20), scheduled or by API, each with its models\' results as `POST /v1/transformations/run` answered them. Scope `ingest:read`.',
    errors: {},
    example: { runs: [EXAMPLE_RUN] },
  })
  async runs(@Query('limit') limit?: string) {
    const n = Math.min(Math.max(Number(limit ?? 20) || 20, 1), 200);
    return { runs: await this.runner.listRuns(n) };
  }

  @Get('runs/:id')
  @RequireScope('ingest:read')
  @ApiContract({
    summary: 'One transformation run',
    description: "A run by its `runId`, with each model's status, rows, duration and data test results (failed tests keep a sample of offending rows). Scope `ingest:read`.",
    errors: { 400: ['INVALID_RUN_ID'], 404: ['RUN_NOT_FOUND'] },
    example: EXAMPLE_RUN,
  })
  runById(@Param('id') id: string) {
    return this.runner.getRun(id);
  }
}
