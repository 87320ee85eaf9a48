import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { INT32_MAX, ModelArtifact, MoveAlias } from '@mlp/contracts';
import { PlatformError, requestContext } from '@mlp/runtime';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { FastifyReply } from 'fastify';
import { pageLimit } from '../pagination/page-cursor';
import { RegistryService } from './registry.service';
import { ARTIFACT_DOC, AUDIT_DOC, GET_MODEL_DOC, GET_VERSION_DOC, LIST_MODELS_DOC, LIST_VERSIONS_DOC, MOVE_ALIAS_DOC } from './registry.docs';

const versionNumber = (raw: string): number => {
  const n = Number(raw);
  // Versions are integer columns: beyond int32 is a 400, not PostgreSQL's out-of-range 500.
  if (!/^[0-9]+$/.test(raw) || !Number.isSafeInteger(n) || n < 1 || n > INT32_MAX) {
    throw PlatformError.badRequest(`version must be a positive integer, got ${raw}`, [{ path: 'version', code: 'INVALID_VERSION', message: raw }], 'INVALID_VERSION');
  }
  return n;
};

@ApiTags('model registry')
@Controller('v1/models')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @Get()
  @RequireScope('trainer:read')
  @ApiContract(LIST_MODELS_DOC)
  async list() {
    return { models: await this.registry.listModels() };
  }

  @Get(':name')
  @RequireScope('trainer:read')
  @ApiContract(GET_MODEL_DOC)
  get(@Param('name') name: string) {
    return this.registry.getModel(name);
  }

  @Get(':name/versions')
  @RequireScope('trainer:read')
  @ApiContract(LIST_VERSIONS_DOC)
  async versions(@Param('name') name: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return { model: name, ...(await this.registry.listVersions(name, { limit: pageLimit(limit, 100, 500), cursor })) };
  }

  @Get(':name/versions/:version')
  @RequireScope('trainer:read')
  @ApiContract(GET_VERSION_DOC)
  version(@Param('name') name: string, @Param('version') version: string) {
    return this.registry.getVersion(name, versionNumber(version));
  }

  /** The `mlp-model/v1` artifact, byte for byte as registered; refused (409) if its sha256 no longer matches. */
  @Get(':name/versions/:version/artifact')
  @RequireScope('trainer:read')
  @Header('content-type', 'application/json; charset=utf-8')
  @ApiContract({ response: ModelArtifact, ...ARTIFACT_DOC })
  async artifact(@Param('name') name: string, @Param('version') version: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const { json, sha256 } = await this.registry.getArtifact(name, versionNumber(version));
    reply.header('x-artifact-sha256', sha256);
    reply.header('etag', `"${sha256}"`);
    return json;
  }

  /** Moves champion or challenger by hand (admin); recorded in the audit log and announced. */
  @Post(':name/aliases')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiContract({ body: MoveAlias, ...MOVE_ALIAS_DOC })
  moveAlias(@Param('name') name: string, @Body(validate(MoveAlias)) body: MoveAlias) {
    return this.registry.moveAlias(name, body, requestContext.get()?.principal ?? 'anonymous');
  }

  /** The append-only history of alias moves: who, when, from, to, why. */
  @Get(':name/audit')
  @RequireScope('trainer:read')
  @ApiContract(AUDIT_DOC)
  audit(@Param('name') name: string) {
    return this.registry.audit(name);
  }
}
