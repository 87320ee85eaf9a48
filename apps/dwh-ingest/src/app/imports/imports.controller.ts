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

const EXAMPLE_RESULT = {
      importId: '9b2f6c1e-4d0a-4f5e-8a43-1c7d2e9b0f31',
      source: 'orders',
      status: 'completed',
      rowsAccepted: 2,
      rowsRejected: 3,
      idempotencyKey: 'csv-1',
      bodySha256: '5d1f0a9c3e7b2f48a6c0d9e1b4f7a2c3d8e5f6a7b0c1d2e3f4a5b6c7d8e9f0a1',
      replayed: false,
      startedAt: '2026-12-07T10:02:11.418Z',
      finishedAt: '2026-12-07T10:02:11.463Z',
    };

@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportRunner) {}

  /** Streams a CSV (with header) or NDJSON body into the source's table. 201 new, 200 replayed by Idempotency-Key. */
  @Post(':source')
  @RequireScope('ingest:write')
  @ApiContract({
    response: ImportResult,
    status: 201,
    summary: "Import a CSV or NDJSON file into a project's source",
    description: [
      'Streams the body into `dwh.src_<source>`: `Content-Type: text/csv` (RFC 4180, a header row naming declared columns) or `application/x-ndjson` (one JSON object per line). ',
      'Sources are not fixed: each is declared by a project (`sources` of `POST /v1/warehouse/apply`), and an undeclared one answers 404 UNKNOWN_SOURCE. ',
      'Every row is checked against the declared columns; bad rows are kept with their violations (`GET /v1/imports/runs/{id}/rejected-rows`) and the good ones are loaded, all in one transaction. ',
      'A source with `primary_key` merges (a later row replaces the stored row with the same key); without one, rows append.\n\n',
      '**Idempotency-Key is optional** and bound to the body: the same key with the same bytes answers 200 with the original result and `"replayed": true`, loading nothing; ',
      'the same key with a different body (or content type) answers 409 IDEMPOTENCY_KEY_REUSED. A refused upload stores nothing and does not use up its key. Scope `ingest:write`.',
    ].join(''),
    params: { source: 'A source declared by a project (`sources` of the warehouse apply), e.g. orders' },
    headers: { 'idempotency-key': { required: false, description: 'Optional: 1-200 visible ASCII characters; a retry with the same key and body is answered from the first import (200, replayed)' } },
    rawBody: { mediaTypes: ['text/csv', 'application/x-ndjson'], description: 'The file: CSV with a header row, or NDJSON; streamed (no body limit)' },
    errors: {
      400: ['INVALID_IDEMPOTENCY_KEY', 'HEADER_MISMATCH', 'MALFORMED_CSV', 'MALFORMED_NDJSON', 'INVALID_VALUE', 'UPLOAD_ABORTED'],
      404: ['UNKNOWN_SOURCE'],
      409: ['IDEMPOTENCY_KEY_REUSED'],
      415: ['UNSUPPORTED_MEDIA_TYPE'],
      503: ['DEPENDENCY_UNAVAILABLE'],
    },
    example: EXAMPLE_RESULT,
  })
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
  @ApiContract({
    response: ImportResult,
    summary: 'One import: its counts and Idempotency-Key',
    description: 'The result of an import by its id (the `importId` of the upload\'s answer): rows accepted and rejected, the Idempotency-Key and the SHA-256 of the body. Scope `ingest:read`.',
    errors: { 400: ['INVALID_IMPORT_ID'], 404: ['IMPORT_NOT_FOUND'] },
    example: EXAMPLE_RESULT,
  })
  get(@Param('id') id: string) {
    return this.imports.get(id);
  }

  @Get('runs/:id/rejected-rows')
  @RequireScope('ingest:read')
  @ApiContract({
    summary: "An import's rejected rows with their violations",
    description:
      'The rows an import refused, in file order: row number (1 = the first data row), the raw line, and each violation with the column path and a code (`DATATYPE_MISMATCH`, `PATTERN_MISMATCH`, `OUT_OF_RANGE`, `REQUIRED_MISSING`, `ADDITIONAL_PROPERTIES`, `INVALID_CHARACTER`, ...). Fix them and upload those rows again. Pages: `limit` (1..1000, default 100) and `cursor` (the previous `nextCursor`, null on the last page). Scope `ingest:read`.',
    errors: { 400: ['INVALID_IMPORT_ID', 'INVALID_CURSOR'], 404: ['IMPORT_NOT_FOUND'] },
    example: {
      items: [
        { rowNumber: 3, raw: '2026-02-30,DE,search,1', violations: [{ path: '$.date', code: 'DATATYPE_MISMATCH', message: 'must be a date YYYY-MM-DD' }] },
        { rowNumber: 5, raw: '2026-11-02,US,,10', violations: [{ path: '$.channel', code: 'REQUIRED_MISSING', message: 'is required' }] },
      ],
      nextCursor: null,
    },
  })
  rejected(@Param('id') id: string, @Query('cursor') cursor?: string, @Query('limit') limit?: string) {
    const after = cursor === undefined ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw PlatformError.badRequest('cursor must be a row number', [], 'INVALID_CURSOR');
    return this.imports.rejectedRows(id, after, Math.min(Math.max(Number(limit ?? 100) || 100, 1), 1000));
  }
}
