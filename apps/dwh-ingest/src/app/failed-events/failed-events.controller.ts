import { Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { FailedEventsPage, FailedEventsQuery, ReplayRequest, ReplayResult } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { Static } from '@sinclair/typebox';
import { FailedEventsService } from './failed-events.service';

@Controller('v1/failed-events')
export class FailedEventsController {
  constructor(private readonly failed: FailedEventsService) {}

  @Get()
  @RequireScope('ingest:read')
  @ApiContract({
    response: FailedEventsPage,
    summary: 'Events the tracking plan refused, with their violations',
    description:
      'Tracking answers 200 for a batch even when some events break the plan: those are kept here exactly as received, with each violation (JSON path and code) and the codes. Filter by `event`, `code`, `from`/`to` (received at), `status` (`pending` or `replayed`); page with `limit` (1..1000, default 100) and `cursor`. Fix the schema or the sender, then replay them. Scope `ingest:read`.',
    errors: { 400: ['VALIDATION_FAILED'] },
    example: {
      items: [
        {
          id: '42',
          messageId: 'ajs-1f0b6a2d9c3e4b5a',
          event: 'add_to_cart',
          payload: { type: 'track', event: 'add_to_cart', userId: 'u-1001', messageId: 'ajs-1f0b6a2d9c3e4b5a', properties: { sku: 42 }, timestamp: '2026-12-07T09:58:12.000Z' },
          violations: [{ path: '$.properties.sku', code: 'DATATYPE_MISMATCH', message: 'must be string' }],
          codes: ['DATATYPE_MISMATCH'],
          receivedAt: '2026-12-07T09:58:12.311Z',
          replayedAt: null,
          replayStatus: null,
        },
      ],
      nextCursor: null,
    },
  })
  list(@Query(validate(FailedEventsQuery)) query: Static<typeof FailedEventsQuery.schema>) {
    return this.failed.list(query);
  }

  @Post('replay')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @ApiContract({
    body: ReplayRequest,
    response: ReplayResult,
    summary: 'Validate failed events again and load the valid ones',
    description:
      'Runs the selected failed events (by `ids`, or by `event`, `code`, `from`, `to`; at least one filter, up to `limit`) through the current tracking plan: valid ones are loaded into `dwh.events` (`accepted`), ones already loaded by messageId count as `duplicate`, the rest stay (`still_invalid`, with the new errors). Use it after registering a fixed schema. An optional Idempotency-Key makes a retried request answer the first result. Scope `ingest:write`.',
    headers: { 'idempotency-key': { required: false, description: 'Optional: 1-200 visible ASCII characters' } },
    errors: { 400: ['VALIDATION_FAILED', 'REPLAY_FILTER_REQUIRED', 'INVALID_IDEMPOTENCY_KEY'] },
    example: { replayed: 2, accepted: 1, duplicates: 0, stillInvalid: 1, results: [
      { id: '42', messageId: 'ajs-1f0b6a2d9c3e4b5a', status: 'accepted', errors: [] },
      { id: '43', messageId: 'ajs-77c2e1d0a9b84f3e', status: 'still_invalid', errors: [{ path: '$.properties.quantity', code: 'OUT_OF_RANGE', message: 'must be >= 1' }] },
    ] },
  })
  replay(@Body(validate(ReplayRequest)) body: Static<typeof ReplayRequest.schema>, @Headers('idempotency-key') key?: string) {
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw PlatformError.badRequest('Idempotency-Key must be 1-200 visible ASCII characters', [], 'INVALID_IDEMPOTENCY_KEY');
    }
    return this.failed.replay(body, key);
  }
}
