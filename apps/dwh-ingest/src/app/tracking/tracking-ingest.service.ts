import { Injectable } from '@nestjs/common';
import { TrackingErrorCode, TrackingLimits, type EventResult, type IngestResponse } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { MetricsService, recordTextProblem } from '@mlp/service-kit';
import { Counter } from 'prom-client';
import { SchemaRegistry } from '../schemas/schema-registry.service';
import type { FailedEventRow } from './event-writer';
import { jsonBytesUpperBound } from './json-size';
import { ReceivedAt, storablePayload, validateMessage, type EventRow } from './message-validation';
import { TrackingWriter } from './tracking-writer.service';

/**
 * The tracking pipeline: limits, validation against the tracking plan, then the writer stores the
 * accepted and the failed events in one commit (shared with concurrent requests under group commit).
 * The answer is sent only after that commit.
 */
@Injectable()
export class TrackingIngestService {
  readonly events: Counter<'status'>;

  constructor(
    private readonly writer: TrackingWriter,
    private readonly registry: SchemaRegistry,
    metrics: MetricsService,
  ) {
    this.events = new Counter({ name: 'dwh_events_total', help: 'Tracking messages by outcome', labelNames: ['status'], registers: [metrics.registry] });
  }

  /** 413s for oversized batches or events, before any work is done. */
  static checkLimits(messages: unknown[], pathOf: (i: number) => string): void {
    if (messages.length > TrackingLimits.maxBatchEvents) {
      throw new PlatformError(413, TrackingErrorCode.BATCH_TOO_LARGE, `a batch holds at most ${TrackingLimits.maxBatchEvents} events, got ${messages.length}`);
    }
    const tooLarge = [];
    for (let i = 0; i < messages.length; i++) {
      // Serialising every event only to measure it cost a third of the service's CPU per event; a
      // bound computed without building strings clears almost every event, the rest are measured.
      if (jsonBytesUpperBound(messages[i], TrackingLimits.maxEventBytes) <= TrackingLimits.maxEventBytes) continue;
      const json = JSON.stringify(messages[i]) ?? '';
      const size = Buffer.byteLength(json);
      if (size > TrackingLimits.maxEventBytes) tooLarge.push({ path: pathOf(i), code: TrackingErrorCode.EVENT_TOO_LARGE, message: `${size} bytes` });
    }
    if (tooLarge.length) {
      throw new PlatformError(413, TrackingErrorCode.EVENT_TOO_LARGE, `an event may be at most ${TrackingLimits.maxEventBytes} bytes`, tooLarge);
    }
  }

  /**
   * `body`: the parsed request body the messages come from (a `@TextCheckedPerRecord` route's), so
   * each message's text check is the kit's `recordTextProblem` (free when the body's scan found
   * nothing); without it every message is walked.
   */
  async ingest(messages: unknown[], body?: unknown, received = new ReceivedAt()): Promise<IngestResponse> {
    const plan = await this.registry.current();
    const results: EventResult[] = [];
    const accepted: EventRow[] = [];
    const acceptedIndex: number[] = [];
    const failed: FailedEventRow[] = [];
    const seen = new Set<string>();
    for (let index = 0; index < messages.length; index++) {
      const raw = messages[index];
      const outcome = validateMessage(raw, plan, received, body === undefined ? undefined : recordTextProblem(body, raw));
      if (!outcome.ok) {
        results.push({ index, messageId: outcome.messageId, status: 'rejected', errors: outcome.violations });
        failed.push({ messageId: outcome.messageId, event: outcome.event, payload: storablePayload(raw), violations: outcome.violations, receivedAt: received.iso });
        continue;
      }
      if (seen.has(outcome.row.messageId)) {
        results.push({ index, messageId: outcome.row.messageId, status: 'duplicate', errors: [] });
        continue;
      }
      seen.add(outcome.row.messageId);
      accepted.push(outcome.row);
      acceptedIndex.push(index);
    }

    const inserted = await this.writer.store(accepted, failed);
    let stored = accepted.length;
    if (inserted) {
      stored = 0;
      for (let i = 0; i < accepted.length; i++) {
        if (inserted.has(accepted[i].messageId)) stored++;
        else results.push({ index: acceptedIndex[i], messageId: accepted[i].messageId, status: 'duplicate', errors: [] });
      }
    }
    results.sort((a, b) => a.index - b.index);
    const duplicates = results.filter((r) => r.status === 'duplicate').length;
    if (stored) this.events.inc({ status: 'accepted' }, stored);
    if (duplicates) {
      this.events.inc({ status: 'duplicate' }, duplicates);
      await this.writer.countDuplicates(received.iso, duplicates);
    }
    if (failed.length) this.events.inc({ status: 'rejected' }, failed.length);
    return { accepted: stored, duplicates, rejected: failed.length, results };
  }
}
