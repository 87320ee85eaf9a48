import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TrackingLimits } from '@mlp/contracts';
import type { FastifyInstance } from 'fastify';
import { SchemasModule } from '../schemas/schemas.module';
import { acceptJsonOnly } from './json-only';
import { limitRequestBytes } from './request-size-limit';
import { TrackingController } from './tracking.controller';
import { TrackingIngestService } from './tracking-ingest.service';
import { TrackingWriter } from './tracking-writer.service';

@Module({
  imports: [SchemasModule],
  controllers: [TrackingController],
  providers: [TrackingIngestService, TrackingWriter],
  exports: [TrackingIngestService],
})
export class TrackingModule implements OnModuleInit {
  constructor(private readonly http: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.http.httpAdapter.getInstance<FastifyInstance>();
    const routes = ['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch'];
    acceptJsonOnly(fastify, routes);
    limitRequestBytes(fastify, routes, TrackingLimits.maxRequestBytes);
  }
}
