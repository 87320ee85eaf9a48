import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { RegisteredEventSchema, RegisterEventSchemaRequest } from '@mlp/contracts';
import type { Static } from '@sinclair/typebox';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { FastifyReply } from 'fastify';
import { SchemaRegistry } from './schema-registry.service';

const EXAMPLE_SCHEMA = {
  name: 'add_to_cart',
  version: '1-0-1',
  description: 'A product put in the cart',
  schema: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 }, coupon: { type: 'string' } } },
  source: 'api',
  registeredAt: '2026-12-07T09:20:31.508Z',
  change: 'addition',
};

@Controller('v1/schemas')
export class SchemasController {
  constructor(private readonly registry: SchemaRegistry) {}

  @Get()
  @RequireScope('ingest:read')
  @ApiContract({
    summary: 'The tracking plan: every registered event schema version',
    description:
      "Every version of every event schema (the JSON Schema of a track event's `properties`, or of identify `traits`), with SchemaVer versions and whether each came from the platform's contracts or the API. Tracking validates each event against the latest version of its name. Scope `ingest:read`.",
    errors: {},
    example: { schemas: [EXAMPLE_SCHEMA] },
  })
  async list() {
    return { schemas: await this.registry.list() };
  }

  @Get(':name/:version')
  @RequireScope('ingest:read')
  @ApiContract({
    response: RegisteredEventSchema,
    summary: 'One version of an event schema',
    description: 'The JSON Schema registered for an event name at a SchemaVer version (MODEL-REVISION-ADDITION, e.g. 1-0-1). Scope `ingest:read`.',
    params: { name: 'Event name (track) or "identify"', version: 'SchemaVer MODEL-REVISION-ADDITION, e.g. 1-0-1' },
    errors: { 404: ['SCHEMA_NOT_FOUND'] },
    example: EXAMPLE_SCHEMA,
  })
  get(@Param('name') name: string, @Param('version') version: string) {
    return this.registry.get(name, version);
  }

  /** 201 for a new version, 200 when the identical document was already registered. */
  @Post()
  @HttpCode(201)
  @RequireScope('admin')
  @ApiContract({
    body: RegisterEventSchemaRequest,
    response: RegisteredEventSchema,
    status: 201,
    summary: 'Register the next version of an event schema',
    description: [
      'Adds a version to the tracking plan (201); the identical document already registered answers 200 (safe to retry). ',
      'The version must be the next one (SchemaVer): an ADDITION must accept every event the previous version accepted, a REVISION or MODEL must still accept the events already loaded. ',
      "Projects usually declare their schemas in `event_schemas` of `POST /v1/warehouse/apply`; this route is the admin's. Scope `admin`.",
    ].join(''),
    errors: { 400: ['VALIDATION_FAILED', 'INVALID_JSON_SCHEMA'], 409: ['VERSION_NOT_NEXT', 'SCHEMA_VERSION_EXISTS', 'INCOMPATIBLE_SCHEMA_CHANGE'] },
    example: EXAMPLE_SCHEMA,
  })
  async register(@Body(validate(RegisterEventSchemaRequest)) body: Static<typeof RegisterEventSchemaRequest.schema>, @Res({ passthrough: true }) reply: FastifyReply) {
    const { created, schema } = await this.registry.register(body);
    if (!created) void reply.status(200);
    return schema;
  }
}
