import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { BatchRequest, IngestResponse, TrackingErrorCode, TrackingMessage } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope, TextCheckedPerRecord } from '@mlp/service-kit';
import { TrackingIngestService } from './tracking-ingest.service';
import { BATCH_DOC, IDENTIFY_DOC, TRACK_DOC } from './tracking.docs';

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
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...TRACK_DOC })
  track(@Body() body: unknown) {
    const message = asObject(body, 'track');
    TrackingIngestService.checkLimits([message], () => '$');
    return this.ingest.ingest([{ type: 'track', ...message }], body);
  }

  @Post('identify')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @TextCheckedPerRecord()
  @ApiContract({ body: TrackingMessage, response: IngestResponse, ...IDENTIFY_DOC })
  identify(@Body() body: unknown) {
    const message = asObject(body, 'identify');
    TrackingIngestService.checkLimits([message], () => '$');
    return this.ingest.ingest([{ type: 'identify', ...message }], body);
  }

  @Post('batch')
  @HttpCode(200)
  @RequireScope('ingest:write')
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
