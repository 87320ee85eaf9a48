import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { RegisteredEventSchema, RegisterEventSchemaRequest } from '@mlp/contracts';
import type { Static } from '@sinclair/typebox';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { FastifyReply } from 'fastify';
import { SchemaRegistry } from './schema-registry.service';

@Controller('v1/schemas')
export class SchemasController {
  constructor(private readonly registry: SchemaRegistry) {}

  @Get()
  @RequireScope('ingest:read')
  async list() {
    return { schemas: await this.registry.list() };
  }

  @Get(':name/:version')
  @RequireScope('ingest:read')
  @ApiContract({ response: RegisteredEventSchema })
  get(@Param('name') name: string, @Param('version') version: string) {
    return this.registry.get(name, version);
  }

  /** 201 for a new version, 200 when the identical document was already registered. */
  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiContract({ body: RegisterEventSchemaRequest, response: RegisteredEventSchema, status: 201 })
  async register(@Body(validate(RegisterEventSchemaRequest)) body: Static<typeof RegisterEventSchemaRequest.schema>, @Res({ passthrough: true }) reply: FastifyReply) {
    const { created, schema } = await this.registry.register(body);
    if (!created) void reply.status(200);
    return schema;
  }
}
