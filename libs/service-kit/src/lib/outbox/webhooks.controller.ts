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
  @ApiContract({
    response: WebhookReceiversResponse,
    summary: 'Webhook receivers with their pending deliveries and dead letters',
    description:
      "The receivers configured on this service (`WEBHOOK_<NAME>_URL` and friends): name, the URL's origin only (a path may hold a secret), the event patterns each receives, how many deliveries are waiting or being retried, and how many used up their attempts (dead letters, see `GET /v1/platform/webhooks/dead-letters`).",
    errors: {},
    example: { service: 'trainer', maxAttempts: 15, receivers: [{ name: 'ops', origin: 'https://hooks.example.com', events: ['trainer.model-version.*'], pending: 0, deadLetters: 4 }] },
  })
  receivers(): Promise<WebhookReceiversResponse> {
    return this.outbox.receivers();
  }

  @Get('dead-letters')
  @RequireScope('webhooks:read')
  @ApiContract({
    response: DeadLetterPage,
    summary: 'Webhook deliveries that used up their attempts',
    description:
      'Dead letters, oldest first, optionally of one `receiver`; `limit` (1..1000, default 100) and `cursor` (the previous page\'s `nextCursor`, null on the last page) page through them. Each keeps its payload, its webhook-id and the last error, so it can be redelivered unchanged with `POST /v1/platform/webhooks/dead-letters/redeliver`.',
    errors: { 400: ['VALIDATION_FAILED'] },
    example: {
      items: [
        {
          id: '17',
          webhookId: 'msg_2f1c0a7e5b9d4c3a8e6f1b2d',
          receiver: 'flaky',
          event: 'trainer.model-version.registered.v1',
          attempts: 3,
          lastError: 'webhook flaky answered 500',
          createdAt: '2026-12-07T09:30:02.114Z',
          deadAt: '2026-12-07T09:31:10.502Z',
          payload: { model: 'warm_colour', version: 2 },
        },
      ],
      nextCursor: null,
    },
  })
  deadLetters(@Query(validate(DeadLetterQuery)) query: Static<typeof DeadLetterQuery.schema>): Promise<DeadLetterPage> {
    return this.outbox.deadLetters({ receiver: query.receiver, limit: query.limit ? Number(query.limit) : undefined, cursor: query.cursor });
  }

  @Post('dead-letters/redeliver')
  @HttpCode(200)
  @RequireScope('webhooks:write')
  @ApiContract({
    body: RedeliverRequest,
    response: RedeliverResponse,
    summary: 'Redeliver dead letters',
    description:
      'Makes dead letters due again with a fresh set of attempts and the same webhook-id (receivers that deduplicate by it see one event). Name them by `ids`, by `receiver` (all of its dead letters), or both (those ids of that receiver). Use it once a receiver that was down is back.',
    errors: { 400: ['VALIDATION_FAILED'], 404: ['RECEIVER_NOT_FOUND'] },
    example: { redelivered: 1, ids: ['17'] },
  })
  redeliver(@Body(validate(RedeliverRequest)) body: Static<typeof RedeliverRequest.schema>): Promise<RedeliverResponse> {
    return this.outbox.redeliver(body);
  }
}
