import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ImportRunner } from './import-runner.service';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import { IMPORT_CONTENT_TYPES, ImportsController } from './imports.controller';

@Module({ controllers: [ImportsController], providers: [ImportRunner, WarehouseCatalog] })
export class ImportsModule implements OnModuleInit {
  constructor(private readonly http: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.http.httpAdapter.getInstance<FastifyInstance>();
    // The raw request stream is the body: imports are streamed into COPY, never buffered whole
    // (Fastify's body limit applies only to bodies it buffers itself).
    for (const type of Object.keys(IMPORT_CONTENT_TYPES)) {
      if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, (_req, payload, done) => done(null, payload));
    }
  }
}
