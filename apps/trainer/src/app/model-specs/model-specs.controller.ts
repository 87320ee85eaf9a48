import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { ModelSpec, ModelSpecApplyPlan, ModelSpecApplyRequest, ModelSpecRecord, PROJECT_NAME_PATTERN } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, assertProjectAccess, RequireScope, validate } from '@mlp/service-kit';
import type { FastifyReply } from 'fastify';
import { ModelSpecsService } from './model-specs.service';
import { APPLY_SPECS_DOC, GET_SPEC_DOC, LIST_SPECS_DOC, PUT_SPEC_DOC } from './model-specs.docs';

const PROJECT = new RegExp(PROJECT_NAME_PATTERN);

/** `?project=`: absent is no project; anything else must be a project name. */
function projectParam(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !PROJECT.test(value)) {
    throw PlatformError.badRequest('project must be a project name (lower-case letters, digits and dashes)', [{ code: 'INVALID_PROJECT', message: String(value).slice(0, 100) }], 'INVALID_PROJECT');
  }
  return value;
}

@ApiTags('model specs')
@Controller('v1/model-specs')
export class ModelSpecsController {
  constructor(private readonly specs: ModelSpecsService) {}

  /**
   * Declares or updates one model (admin). 201 when new, 200 when updated; 400 with codes when
   * invalid. A spec a project owns is changed only with `?project=<owner>` (otherwise 409
   * NAME_OWNED_BY_ANOTHER_PROJECT); naming a project adopts an unowned spec.
   */
  @Post()
  @HttpCode(200)
  @RequireScope('admin')
  @ApiQuery({ name: 'project', required: false, description: 'The owning project (needed to change a project-owned spec)' })
  @ApiContract({ body: ModelSpec, response: ModelSpecRecord, ...PUT_SPEC_DOC })
  async apply(@Body() body: unknown, @Query('project') rawProject: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const project = projectParam(rawProject);
    assertProjectAccess(project);
    const { record, created } = await this.specs.apply(body, project);
    reply.status(created ? 201 : 200);
    return record;
  }

  /** A project's model specs at once: atomic, `dry_run` plans only, `prune` removes the project's specs not in the request. */
  @Post('apply')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiContract({ body: ModelSpecApplyRequest, response: ModelSpecApplyPlan, ...APPLY_SPECS_DOC })
  applyProject(@Body(validate(ModelSpecApplyRequest)) body: ModelSpecApplyRequest): Promise<ModelSpecApplyPlan> {
    assertProjectAccess(body.project);
    return this.specs.applyProject(body);
  }

  @Get()
  @RequireScope('trainer:read')
  @ApiQuery({ name: 'project', required: false, description: 'Only the specs this project owns' })
  @ApiContract(LIST_SPECS_DOC)
  async list(@Query('project') rawProject: unknown) {
    return { models: await this.specs.list(projectParam(rawProject) ?? undefined) };
  }

  @Get(':name')
  @RequireScope('trainer:read')
  @ApiContract({ response: ModelSpecRecord, ...GET_SPEC_DOC })
  get(@Param('name') name: string) {
    return this.specs.get(name);
  }
}
