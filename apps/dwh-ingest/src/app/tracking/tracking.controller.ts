import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { BatchRequest, IngestResponse, TrackingErrorCode, TrackingMessage, type TrackingMessageType } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { AcceptWriteKey, ApiContract, RequireScope, TextCheckedPerRecord } from '@mlp/service-kit';
import { TrackingIngestService } from './tracking-ingest.service';
import { ALIAS_DOC, BATCH_DOC, GROUP_DOC, IDENTIFY_DOC, PAGE_DOC, SCREEN_DOC, TRACK_DOC } from './tracking.docs';

function envelopeError(message: string, details: Array<{ path: string; code: string; message: string }> = []) {
  return PlatformError.badRequest(message, details, TrackingErrorCode.INVALID_ENVELOPE);
}

const asObject = (body: unknown, what: string): Record<string, unknown> => {
  // A parsed JSON object, never whatever else a body parser may hand over (a stream, a buffer).
  const proto = body && typeof body === 'object' ? Object.getPrototypeOf(body) : undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || (proto !== Object.prototype && proto !== null)) throw envelopeError(`the body of ${what} must be a JSON object`);
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
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...TRACK_DOC })
  track(@Body() body: unknown) {
    return this.one('track', body);
  }

  @Post('identify')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...IDENTIFY_DOC })
  identify(@Body() body: unknown) {
    return this.one('identify', body);
  }

  @Post('page')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...PAGE_DOC })
  page(@Body() body: unknown) {
    return this.one('page', body);
  }

  @Post('screen')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...SCREEN_DOC })
  screen(@Body() body: unknown) {
    return this.one('screen', body);
  }

  @Post('group')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...GROUP_DOC })
  group(@Body() body: unknown) {
    return this.one('group', body);
  }

  @Post('alias')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @AcceptWriteKey()
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...ALIAS_DOC })
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
  @ApiContract({ body: BatchRequest, response: IngestResponse, ...BATCH_DOC })
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
