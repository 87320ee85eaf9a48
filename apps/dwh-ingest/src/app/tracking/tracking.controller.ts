import { applyDecorators, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { BatchRequest, IngestResponse, TrackingErrorCode, TrackingMessage, type TrackingMessageType } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { AcceptWriteKey, ApiContract, type ApiContractOptions, RequireScope, TextCheckedPerRecord } from '@mlp/service-kit';
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

/** A tracking route: JSON in, `IngestResponse` out, 200 only once committed, for `ingest:write` tokens or a write key. */
function TrackingRoute(path: string, doc: Omit<ApiContractOptions, 'response'>) {
  return applyDecorators(Post(path), HttpCode(200), RequireScope('ingest:write'), AcceptWriteKey(), TextCheckedPerRecord(), ApiContract({ response: IngestResponse, ...doc }));
}

/**
 * The Segment-compatible tracking API. 200 means every accepted message is committed. Each message
 * is checked alone, its text too (`@TextCheckedPerRecord`): one with U+0000, a lone surrogate or
 * too deep a nesting is rejected into failed events, and the others are stored.
 */
@Controller('v1')
export class TrackingController {
  constructor(private readonly ingest: TrackingIngestService) {}

  @TrackingRoute('track', { body: TrackingMessage, ...TRACK_DOC })
  track(@Body() body: unknown) {
    return this.one('track', body);
  }

  @TrackingRoute('identify', { body: TrackingMessage, ...IDENTIFY_DOC })
  identify(@Body() body: unknown) {
    return this.one('identify', body);
  }

  @TrackingRoute('page', { body: TrackingMessage, ...PAGE_DOC })
  page(@Body() body: unknown) {
    return this.one('page', body);
  }

  @TrackingRoute('screen', { body: TrackingMessage, ...SCREEN_DOC })
  screen(@Body() body: unknown) {
    return this.one('screen', body);
  }

  @TrackingRoute('group', { body: TrackingMessage, ...GROUP_DOC })
  group(@Body() body: unknown) {
    return this.one('group', body);
  }

  @TrackingRoute('alias', { body: TrackingMessage, ...ALIAS_DOC })
  alias(@Body() body: unknown) {
    return this.one('alias', body);
  }

  /** A call on its own path: `type` defaults to the path's (a message's own `type` wins, as before). */
  private one(type: TrackingMessageType, body: unknown) {
    const message = asObject(body, type);
    TrackingIngestService.checkLimits([message], () => '$');
    return this.ingest.ingest([{ type, ...message }], body);
  }

  @TrackingRoute('batch', { body: BatchRequest, ...BATCH_DOC })
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
