import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ModelSpec, ModelSpecRecord } from '@mlp/contracts';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import type { FastifyReply } from 'fastify';
import { ModelSpecsService } from './model-specs.service';

@ApiTags('model specs')
@Controller('v1/model-specs')
export class ModelSpecsController {
  constructor(private readonly specs: ModelSpecsService) {}

  /** Declares or updates a model (admin). 201 when new, 200 when updated; 400 with codes when invalid. */
  @Post()
  @HttpCode(200)
  @RequireScope('admin')
  @ApiContract({ body: ModelSpec, response: ModelSpecRecord, summary: 'Declare or update a model spec' })
  async apply(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { record, created } = await this.specs.apply(body);
    reply.status(created ? 201 : 200);
    return record;
  }

  @Get()
  @RequireScope('trainer:read')
  async list() {
    return { models: await this.specs.list() };
  }

  @Get(':name')
  @RequireScope('trainer:read')
  @ApiContract({ response: ModelSpecRecord })
  get(@Param('name') name: string) {
    return this.specs.get(name);
  }
}
