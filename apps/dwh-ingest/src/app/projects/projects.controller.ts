import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { WarehouseApplyPlan, WarehouseApplyRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { WarehouseApply } from './warehouse-apply.service';

const PROJECT = /^[a-z][a-z0-9-]{0,62}$/;
const projectName = (name: string) => {
  if (!PROJECT.test(name)) throw PlatformError.badRequest('a project name is lower-case letters, digits and dashes', [{ path: '$.name', code: 'PATTERN_MISMATCH', message: PROJECT.source }], 'INVALID_PROJECT_NAME');
  return name;
};

const EXAMPLE_PROJECT = {
  name: 'warm-colours',
  description: 'Which colours sell in winter',
  owner: 'team-colours',
  version: 2,
  applied_at: '2026-12-07T09:41:05.220Z',
  applied_by: 'ci-colours',
  objects: { source: 1, model: 2, outcome: 1 },
};

@Controller('v1')
export class ProjectsController {
  constructor(private readonly warehouse: WarehouseApply) {}

  /** Plans (dry_run) or applies a project's warehouse definitions atomically; 400 with JSON paths for every refusal. */
  @Post('warehouse/apply')
  @HttpCode(200)
  @RequireScope('ingest:admin')
  @ApiContract({
    body: WarehouseApplyRequest,
    response: WarehouseApplyPlan,
    summary: "Plan or apply a project's warehouse definitions",
    description: [
      "Declares a project's sources (import targets), event schemas, SQL models, outcomes and KPIs in one request, applied atomically (all or nothing) as the project's next version. ",
      'With `dry_run: true` nothing is written: the answer is the plan (created / changed / removed / unchanged, with readable changes). ',
      "Names are owned by the project that applied them first (409 NAME_OWNED_BY_ANOTHER_PROJECT); `prune: true` removes this project's objects absent from the request; ",
      'a breaking change to a source or model needs its name in `full_refresh` (a source\'s rows are lost). ',
      "Every refusal is a 400 with one violation per problem, each with a JSON path into the request (`$.models[3].sql`); the top code is the violations' code when they share one, otherwise INVALID_DEFINITIONS. ",
      'A token limited to `project:<name>` scopes may apply only those projects. Scope `ingest:admin`; the `mlp apply` CLI sends this request.',
    ].join(''),
    errors: {
      400: ['VALIDATION_FAILED', 'INVALID_DEFINITIONS', 'DUPLICATE_NAME', 'INVALID_SOURCE', 'INVALID_MODEL', 'INVALID_OUTCOME', 'UNKNOWN_NAME', 'UNKNOWN_COLUMN', 'SQL_NOT_SELECT', 'SQL_UNKNOWN_RELATION', 'SQL_FORBIDDEN_RELATION', 'SQL_FORBIDDEN_FUNCTION', 'SQL_PARAMETER', 'SQL_ERROR', 'MODEL_CYCLE', 'OBJECT_IN_USE', 'BREAKING_CHANGE', 'VERSION_NOT_NEXT', 'INCOMPATIBLE_SCHEMA_CHANGE', 'SCHEMA_VERSION_EXISTS'],
      403: ['FORBIDDEN'],
      409: ['NAME_OWNED_BY_ANOTHER_PROJECT', 'RUN_IN_PROGRESS', 'RELATION_BUSY'],
      503: ['DEPENDENCY_UNAVAILABLE'],
    },
    example: {
      project: 'warm-colours',
      dry_run: false,
      version: 2,
      created: [{ kind: 'model', name: 'colour_sales_daily' }],
      changed: [{ kind: 'source', name: 'colour_sales', fields: ['columns'], changes: ['add column channel text'] }],
      removed: [],
      unchanged: [{ kind: 'model', name: 'colour_features' }, { kind: 'outcome', name: 'warm_colour_buyer' }],
    },
  })
  apply(@Body() body: unknown) {
    return this.warehouse.apply(body);
  }

  @Get('projects')
  @RequireScope('ingest:read')
  @ApiContract({
    summary: 'Projects with their current version',
    description: 'Every project that applied warehouse definitions, by name: description, owner, current version, when and by which token it was last applied, and how many objects of each kind it owns. Scope `ingest:read`.',
    errors: {},
    example: { projects: [EXAMPLE_PROJECT] },
  })
  async list() {
    return { projects: await this.warehouse.list() };
  }

  /** A dwh.ProjectSummary with the project's current `definitions` (sources, event_schemas, models, outcomes, kpis). */
  @Get('projects/:name')
  @RequireScope('ingest:read')
  @ApiContract({
    summary: "A project with its current definitions",
    description: "The project's summary and its applied definitions (`sources`, `event_schemas`, `models`, `outcomes`, `kpis`) exactly as applied: what `mlp pull` writes back to files. Scope `ingest:read`.",
    params: { name: 'The project: lower-case letters, digits and dashes' },
    errors: { 400: ['INVALID_PROJECT_NAME'], 404: ['PROJECT_NOT_FOUND'] },
    example: {
      ...EXAMPLE_PROJECT,
      definitions: {
        sources: [{ name: 'colour_sales', columns: [{ name: 'day', type: 'date', required: true }, { name: 'colour', type: 'text', required: true }, { name: 'units', type: 'integer', minimum: 0 }] }],
        event_schemas: [],
        models: [{ name: 'colour_sales_daily', sql: 'SELECT day, colour, sum(units) AS units FROM src_colour_sales GROUP BY 1, 2', materialized: 'table' }],
        outcomes: [],
        kpis: [],
      },
    },
  })
  get(@Param('name') name: string) {
    return this.warehouse.get(projectName(name));
  }

  @Get('projects/:name/versions')
  @RequireScope('ingest:read')
  @ApiContract({
    summary: "A project's applied versions, newest first",
    description: 'Each apply that changed the project: version, when, by which token, the plan it carried out and the request it applied. Use it to see who changed what, or to re-apply an older request. Scope `ingest:read`.',
    params: { name: 'The project: lower-case letters, digits and dashes' },
    errors: { 400: ['INVALID_PROJECT_NAME'], 404: ['PROJECT_NOT_FOUND'] },
    example: {
      versions: [
        {
          version: 2,
          applied_at: '2026-12-07T09:41:05.220Z',
          applied_by: 'ci-colours',
          plan: { project: 'warm-colours', dry_run: false, version: 2, created: [{ kind: 'model', name: 'colour_sales_daily' }], changed: [], removed: [], unchanged: [{ kind: 'source', name: 'colour_sales' }] },
          request: { project: 'warm-colours', sources: [{ name: 'colour_sales', columns: [{ name: 'day', type: 'date', required: true }] }], models: [{ name: 'colour_sales_daily', sql: 'SELECT day, count(*) AS n FROM src_colour_sales GROUP BY 1' }] },
        },
      ],
    },
  })
  versions(@Param('name') name: string) {
    return this.warehouse.versions(projectName(name));
  }
}
