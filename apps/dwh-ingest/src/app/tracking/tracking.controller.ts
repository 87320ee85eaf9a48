import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { BatchRequest, IngestResponse, TrackingErrorCode, TrackingMessage, type TrackingMessageType } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { AcceptWriteKey, ApiContract, RequireScope, TextCheckedPerRecord } from '@mlp/service-kit';
import { TrackingIngestService } from './tracking-ingest.service';

function envelopeError(message: string, details: Array<{ path: string; code: string; message: string }> = []) {
  return PlatformError.badRequest(message, details, TrackingErrorCode.INVALID_ENVELOPE);
}

const asObject = (body: unknown, what: string): Record<string, unknown> => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw envelopeError(`the body of ${what} must be a JSON object`);
  return body as Record<string, unknown>;
};

/**
 * The Segment-compatible tracking API. 200 means every accepted message is committed. Each message
 * is checked alone, its text too (`@TextCheckedPerRecord`): one with U+0000, a lone surrogate or
 * too deep a nesting is rejected into failed events, and the others are stored.
 */
@Controller('v1')
export class TrackingController {
  constructor(private readonly ingest: TrackingIngestService) {}

  @Post('track')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, summary: 'One track call' })
  track(@Body() body: unknown) {
    return this.one('track', body);
  }

  @Post('identify')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, summary: 'One identify call' })
  identify(@Body() body: unknown) {
    return this.one('identify', body);
  }

  @Post('page')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, summary: 'One page call (name, category, properties)' })
  page(@Body() body: unknown) {
    return this.one('page', body);
  }

  @Post('screen')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, summary: 'One screen call (name, category, properties)' })
  screen(@Body() body: unknown) {
    return this.one('screen', body);
  }

  @Post('group')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, summary: 'One group call (groupId, traits)' })
  group(@Body() body: unknown) {
    return this.one('group', body);
  }

  @Post('alias')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, summary: 'One alias call (previousId, userId)' })
  alias(@Body() body: unknown) {
    return this.one('alias', body);
  }

  /** A call on its own path: `type` defaults to the path's (a message's own `type` wins, as before). */
  private one(type: TrackingMessageType, body: unknown) {
    const message = asObject(body, type);
    TrackingIngestService.checkLimits([message], () => '$');
    return this.ingest.ingest([{ type, ...message }], body);
  }

  @Post('batch')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: BatchRequest, response: IngestResponse, summary: 'Up to 2,500 track/identify/page/screen/group/alias calls' })
  batch(@Body() body: unknown) {
    const envelope = BatchRequest.validate(asObject(body, 'batch'));
    if (!envelope.ok) throw envelopeError('the body must be {"batch": [...]}', envelope.violations);
    const { batch, sentAt, context } = envelope.value;
    TrackingIngestService.checkLimits(batch, (i) => `$.batch[${i}]`);
    // Batch-level sentAt/context apply to the messages that do not carry their own (Segment semantics).
    const messages =
      sentAt || context
        ? batch.map((m) =>
            m && typeof m === 'object' && !Array.isArray(m) ? { ...(sentAt ? { sentAt } : {}), ...(context ? { context } : {}), ...(m as Record<string, unknown>) } : m,
          )
        : batch;
    return this.ingest.ingest(messages, body);
  }
}
