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
  @ApiContract({ response: FailedEventsPage })
  list(@Query(validate(FailedEventsQuery)) query: Static<typeof FailedEventsQuery.schema>) {
    return this.failed.list(query);
  }

  @Post('replay')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @ApiContract({ body: ReplayRequest, response: ReplayResult })
  replay(@Body(validate(ReplayRequest)) body: Static<typeof ReplayRequest.schema>, @Headers('idempotency-key') key?: string) {
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw PlatformError.badRequest('Idempotency-Key must be 1-200 visible ASCII characters', [], 'INVALID_IDEMPOTENCY_KEY');
    }
    return this.failed.replay(body, key);
  }
}
