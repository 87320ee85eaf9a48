import { Injectable } from '@nestjs/common';
import type { FailedEvent, FailedEventsPage, FailedEventsQuery, ReplayRequest, ReplayResult } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import { SchemaRegistry } from '../schemas/schema-registry.service';
import { insertEvents } from '../tracking/event-writer';
import { jsonbSafe } from '../warehouse/copy-text';
import { ReceivedAt, validateMessage, type EventRow } from '../tracking/message-validation';

interface FailedRow {
  id: string;
  message_id: string | null;
  event: string | null;
  payload: unknown;
  /** Exact JSON text when jsonb could not hold the payload (U+0000); what a replay validates. */
  payload_raw: string | null;
  violations: FailedEvent['violations'];
  codes: string[];
  received_at: Date;
  replayed_at: Date | null;
  replay_status: FailedEvent['replayStatus'];
}

/** Filters shared by listing and replay; every value is a bound parameter. */
function whereOf(f: { event?: string; code?: string; from?: string; to?: string; ids?: string[] }, params: unknown[]): string[] {
  const where: string[] = [];
  const bind = (v: unknown) => `$${params.push(v)}`;
  if (f.ids) where.push(`id = ANY(${bind(f.ids)}::bigint[])`);
  if (f.event) where.push(`event = ${bind(f.event)}`);
  if (f.code) where.push(`codes @> ARRAY[${bind(f.code)}]::text[]`);
  if (f.from) where.push(`received_at >= ${bind(f.from)}`);
  if (f.to) where.push(`received_at < ${bind(f.to)}`);
  return where;
}

/**
 * Failed events: listing with keyset pagination (newest first, by id) and replay against the current
 * tracking plan. A replayed message goes through the same ON CONFLICT insert as live traffic, and a
 * failed event that was accepted is never picked again, so each is accepted at most once.
 */
@Injectable()
export class FailedEventsService {
  constructor(
    private readonly db: Database,
    private readonly registry: SchemaRegistry,
  ) {}

  async list(q: FailedEventsQuery): Promise<FailedEventsPage> {
    const limit = Math.min(Math.max(Number(q.limit ?? 100), 1), 1000);
    const params: unknown[] = [];
    const where = whereOf(q, params);
    if (q.status === 'pending') where.push(`(replay_status IS NULL OR replay_status = 'still_invalid')`);
    if (q.status === 'replayed') where.push(`replay_status IN ('accepted', 'duplicate')`);
    if (q.cursor) where.push(`id < $${params.push(q.cursor)}`);
    const rows = await this.db.query<FailedRow>(
      `SELECT * FROM "dwh".failed_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit + 1}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { items: page.map(toApi), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  async replay(req: ReplayRequest, idempotencyKey?: string): Promise<ReplayResult> {
    if (!req.ids && !req.event && !req.code && !req.from && !req.to) {
      throw PlatformError.badRequest('name the failed events to replay: ids, event, code, from or to', [], 'REPLAY_FILTER_REQUIRED');
    }
    if (idempotencyKey) {
      const [seen] = await this.db.query<{ result: ReplayResult }>(`SELECT result FROM "dwh".replay_requests WHERE key = $1`, [idempotencyKey]);
      if (seen) return seen.result;
    }
    await this.registry.refresh(true);
    const plan = await this.registry.current();
    return this.db.transaction(async (m) => {
      if (idempotencyKey) {
        // Concurrent requests with the same key wait here; the loser answers the winner's result.
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('dwh.replay:' || $1))`, [idempotencyKey]);
        const [seen]: Array<{ result: ReplayResult }> = await m.query(`SELECT result FROM "dwh".replay_requests WHERE key = $1`, [idempotencyKey]);
        if (seen) return seen.result;
      }
      const params: unknown[] = [];
      const where = whereOf(req, params);
      where.push(`(replay_status IS NULL OR replay_status = 'still_invalid')`);
      const rows: FailedRow[] = await m.query(
        `SELECT * FROM "dwh".failed_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${req.limit ?? 1000} FOR UPDATE SKIP LOCKED`,
        params,
      );
      const valid: Array<{ f: FailedRow; row: EventRow }> = [];
      const results: ReplayResult['results'] = [];
      const invalid: Array<{ id: string; violations: FailedEvent['violations'] }> = [];
      const seenIds = new Set<string>();
      for (const f of rows) {
        // The original received time stays; the loaded time is now.
        const outcome = validateMessage(f.payload_raw === null ? f.payload : JSON.parse(f.payload_raw), plan, new ReceivedAt(new Date(f.received_at)));
        if (!outcome.ok) {
          invalid.push({ id: f.id, violations: outcome.violations });
          results.push({ id: f.id, messageId: f.message_id, status: 'still_invalid', errors: outcome.violations });
        } else if (seenIds.has(outcome.row.messageId)) {
          results.push({ id: f.id, messageId: f.message_id, status: 'duplicate', errors: [] });
        } else {
          seenIds.add(outcome.row.messageId);
          valid.push({ f, row: outcome.row });
        }
      }
      const inserted = await insertEvents(m, valid.map((v) => v.row));
      for (const v of valid) results.push({ id: v.f.id, messageId: v.f.message_id, status: !inserted || inserted.has(v.row.messageId) ? 'accepted' : 'duplicate', errors: [] });
      const done = results.filter((r) => r.status !== 'still_invalid');
      if (done.length) {
        await m.query(
          `UPDATE "dwh".failed_events f SET replayed_at = now(), replay_status = u.status, replay_request = $3
             FROM unnest($1::bigint[], $2::text[]) AS u(id, status) WHERE f.id = u.id`,
          [done.map((r) => r.id), done.map((r) => r.status), idempotencyKey ?? null],
        );
      }
      if (invalid.length) {
        await m.query(
          `UPDATE "dwh".failed_events f SET replayed_at = now(), replay_status = 'still_invalid', violations = u.violations,
                  codes = ARRAY(SELECT DISTINCT v->>'code' FROM jsonb_array_elements(u.violations) v ORDER BY 1)
             FROM unnest($1::bigint[], $2::jsonb[]) AS u(id, violations) WHERE f.id = u.id`,
          [invalid.map((r) => r.id), invalid.map((r) => jsonbSafe(r.violations))],
        );
      }
      results.sort((a, b) => Number(a.id) - Number(b.id));
      const result: ReplayResult = {
        replayed: rows.length,
        accepted: results.filter((r) => r.status === 'accepted').length,
        duplicates: results.filter((r) => r.status === 'duplicate').length,
        stillInvalid: invalid.length,
        results,
      };
      if (idempotencyKey) await m.query(`INSERT INTO "dwh".replay_requests (key, result) VALUES ($1, $2::jsonb)`, [idempotencyKey, jsonbSafe(result)]);
      return result;
    });
  }
}

function toApi(r: FailedRow): FailedEvent {
  return {
    id: String(r.id),
    messageId: r.message_id,
    event: r.event,
    payload: r.payload,
    ...(r.payload_raw === null ? {} : { payloadRaw: r.payload_raw }),
    violations: r.violations,
    codes: r.codes,
    receivedAt: new Date(r.received_at).toISOString(),
    replayedAt: r.replayed_at ? new Date(r.replayed_at).toISOString() : null,
    replayStatus: r.replay_status,
  };
}
