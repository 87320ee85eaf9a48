import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DeadLetterPage, DeadLetterQuery, RedeliverRequest, RedeliverResponse, WebhookReceiversResponse } from '@mlp/contracts';
import type { Static } from '@sinclair/typebox';
import { ApiContract } from '../http/api-contract';
import { validate } from '../http/contract-pipe';
import { RequireScope } from '../http/auth';
import { Outbox } from './outbox';

/** Webhook receivers, their dead letters, and redelivery (every service has these). */
@ApiTags('platform')
@Controller('v1/platform/webhooks')
export class WebhooksController {
  constructor(private readonly outbox: Outbox) {}

  @Get()
  @RequireScope('webhooks:read')
  @ApiContract({ response: WebhookReceiversResponse, summary: 'Receivers (name, URL origin, events) with their pending deliveries and dead letters' })
  receivers(): Promise<WebhookReceiversResponse> {
    return this.outbox.receivers();
  }

  @Get('dead-letters')
  @RequireScope('webhooks:read')
  @ApiContract({ response: DeadLetterPage, summary: 'Deliveries that used up their attempts, oldest first' })
  deadLetters(@Query(validate(DeadLetterQuery)) query: Static<typeof DeadLetterQuery.schema>): Promise<DeadLetterPage> {
    return this.outbox.deadLetters({ receiver: query.receiver, limit: query.limit ? Number(query.limit) : undefined, cursor: query.cursor });
  }

  @Post('dead-letters/redeliver')
  @HttpCode(200)
  @RequireScope('webhooks:write')
  @ApiContract({ body: RedeliverRequest, response: RedeliverResponse, summary: 'Dead letters due again, with a fresh set of attempts and the same webhook-id' })
  redeliver(@Body(validate(RedeliverRequest)) body: Static<typeof RedeliverRequest.schema>): Promise<RedeliverResponse> {
    return this.outbox.redeliver(body);
  }
}
