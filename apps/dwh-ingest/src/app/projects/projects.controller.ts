import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { WarehouseApplyPlan, WarehouseApplyRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { WarehouseApply } from './warehouse-apply.service';
import { APPLY_DOC, GET_PROJECT_DOC, LIST_PROJECTS_DOC, PROJECT_VERSIONS_DOC } from './projects.docs';

const PROJECT = /^[a-z][a-z0-9-]{0,62}$/;
const projectName = (name: string) => {
  if (!PROJECT.test(name)) throw PlatformError.badRequest('a project name is lower-case letters, digits and dashes', [{ path: '$.name', code: 'PATTERN_MISMATCH', message: PROJECT.source }], 'INVALID_PROJECT_NAME');
  return name;
};

@Controller('v1')
export class ProjectsController {
  constructor(private readonly warehouse: WarehouseApply) {}

  /** Plans (dry_run) or applies a project's warehouse definitions atomically; 400 with JSON paths for every refusal. */
  @Post('warehouse/apply')
  @HttpCode(200)
  @RequireScope('ingest:admin')
  @ApiContract({ body: WarehouseApplyRequest, response: WarehouseApplyPlan, ...APPLY_DOC })
  apply(@Body() body: unknown) {
    return this.warehouse.apply(body);
  }

  @Get('projects')
  @RequireScope('ingest:read')
  @ApiContract(LIST_PROJECTS_DOC)
  async list() {
    return { projects: await this.warehouse.list() };
  }

  /** A dwh.ProjectSummary with the project's current `definitions` (sources, event_schemas, models, outcomes, kpis). */
  @Get('projects/:name')
  @RequireScope('ingest:read')
  @ApiContract(GET_PROJECT_DOC)
  get(@Param('name') name: string) {
    return this.warehouse.get(projectName(name));
  }

  @Get('projects/:name/versions')
  @RequireScope('ingest:read')
  @ApiContract(PROJECT_VERSIONS_DOC)
  versions(@Param('name') name: string) {
    return this.warehouse.versions(projectName(name));
  }
}
