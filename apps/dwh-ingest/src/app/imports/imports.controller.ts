import { Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ImportResult } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ImportRunner, type ImportFormat } from './import-runner.service';

export const IMPORT_CONTENT_TYPES: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};

@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportRunner) {}

  /** Streams a CSV (with header) or NDJSON body into the source's table. 201 new, 200 replayed by Idempotency-Key. */
  @Post(':source')
  @RequireScope('ingest:write')
  @ApiContract({ response: ImportResult, status: 201 })
  async create(
    @Param('source') source: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') key?: string,
  ) {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = IMPORT_CONTENT_TYPES[type];
    const body = req.body as Readable | undefined;
    if (!format || !body || typeof body.pipe !== 'function') {
      (body as Readable | undefined)?.resume?.();
      throw new PlatformError(415, 'UNSUPPORTED_MEDIA_TYPE', `send the file as ${Object.keys(IMPORT_CONTENT_TYPES).join(' or ')}`);
    }
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
      body.resume();
      throw PlatformError.badRequest('Idempotency-Key must be 1-200 visible ASCII characters', [], 'INVALID_IDEMPOTENCY_KEY');
    }
    const result = await this.imports.run(source, format, body, key ?? null);
    void reply.status(result.replayed ? 200 : 201);
    return result;
  }

  @Get('runs/:id')
  @RequireScope('ingest:read')
  @ApiContract({ response: ImportResult })
  get(@Param('id') id: string) {
    return this.imports.get(id);
  }

  @Get('runs/:id/rejected-rows')
  @RequireScope('ingest:read')
  rejected(@Param('id') id: string, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw PlatformError.badRequest('cursor must be a row number', [], 'INVALID_CURSOR');
    return this.imports.rejectedRows(id, after, Math.min(Math.max(Number(limit ?? 100) || 100, 1), 1000));
  }
}
