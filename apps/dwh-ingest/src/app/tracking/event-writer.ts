import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { copyLine } from '../warehouse/copy-text';
import type { EventRow } from './message-validation';

export interface FailedEventRow {
  messageId: string | null;
  event: string | null;
  payload: unknown;
  violations: Array<{ path: string; code: string; message: string }>;
  receivedAt: Date;
}

// Rows of one request share their received Date (and often device/derived Dates): format each once.
let lastDates: Array<[Date, string]> = [];
const iso = (d: Date | null): string | null => {
  if (!d) return null;
  for (const [k, v] of lastDates) if (k === d) return v;
  const text = d.toISOString();
  lastDates = [[d, text], ...lastDates.slice(0, 2)];
  return text;
};

/**
 * One multi-row INSERT for the whole batch: the rows travel as a single JSON parameter expanded by
 * jsonb_to_recordset (PostgreSQL parses it in C; no per-row parameters, so any batch size stays far
 * below the 65,535-parameter limit). ON CONFLICT DO NOTHING on message_id makes concurrent retries
 * of the same message wait on the key and then skip: RETURNING tells exactly which rows this
 * request stored.
 */
export async function insertEvents(m: EntityManager, rows: EventRow[]): Promise<Set<string>> {
  if (!rows.length) return new Set();
  if (rows.length >= COPY_MIN_ROWS && (await copyEvents(m, rows))) return new Set(rows.map((r) => r.messageId));
  const payload = JSON.stringify(
    rows.map((r) => ({
      message_id: r.messageId,
      type: r.type,
      event: r.event,
      schema_version: r.schemaVersion,
      user_id: r.userId,
      anonymous_id: r.anonymousId,
      properties: r.properties,
      context: r.context,
      device_created_at: iso(r.deviceCreatedAt),
      device_sent_at: iso(r.deviceSentAt),
      received_at: iso(r.receivedAt),
      derived_at: iso(r.derivedAt),
    })),
  );
  const inserted: Array<{ message_id: string }> = await m.query(
    `INSERT INTO "dwh".events (message_id, type, event, schema_version, user_id, anonymous_id, properties, context,
                               device_created_at, device_sent_at, received_at, derived_at)
     SELECT message_id, type, event, schema_version, user_id, anonymous_id, properties, context,
            device_created_at, device_sent_at, received_at, derived_at
       FROM jsonb_to_recordset($1::jsonb) AS x(message_id text, type text, event text, schema_version text, user_id text,
            anonymous_id text, properties jsonb, context jsonb, device_created_at timestamptz, device_sent_at timestamptz,
            received_at timestamptz, derived_at timestamptz)
     ON CONFLICT (message_id) DO NOTHING
     RETURNING message_id`,
    [payload],
  );
  return new Set(inserted.map((r) => r.message_id));
}

const COPY_MIN_ROWS = 50;
const EVENT_COLUMNS = `message_id, type, event, schema_version, user_id, anonymous_id, properties, context,
  device_created_at, device_sent_at, received_at, derived_at`;

/**
 * The fast path for batches: COPY straight into dwh.events under a savepoint. New messages (the
 * normal case) cost what a plain COPY costs. If any messageId already exists, or a concurrent retry
 * of the same message commits first, COPY fails with a unique violation, the savepoint is rolled
 * back and the caller takes the ON CONFLICT path, which reports each duplicate.
 */
async function copyEvents(m: EntityManager, rows: EventRow[]): Promise<boolean> {
  const client = (m.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  if (!client) return false;
  await client.query('SAVEPOINT events_copy');
  try {
    const lines = rows.map((r) =>
      copyLine([
        r.messageId,
        r.type,
        r.event,
        r.schemaVersion,
        r.userId,
        r.anonymousId,
        JSON.stringify(r.properties),
        r.context ? JSON.stringify(r.context) : null,
        iso(r.deviceCreatedAt),
        iso(r.deviceSentAt),
        iso(r.receivedAt),
        iso(r.derivedAt),
      ]),
    );
    await pipeline(Readable.from([lines.join('')]), client.query(copyFrom(`COPY "dwh".events (${EVENT_COLUMNS}) FROM STDIN`)));
    await client.query('RELEASE SAVEPOINT events_copy');
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await client.query('ROLLBACK TO SAVEPOINT events_copy');
    return false;
  }
}

/** Stores rejected messages with their raw payload; a retried identical bad message is kept once. */
export async function insertFailedEvents(m: EntityManager, rows: FailedEventRow[]): Promise<void> {
  if (!rows.length) return;
  const payloads = rows.map((r) => JSON.stringify(r.payload ?? null));
  await m.query(
    `INSERT INTO "dwh".failed_events (message_id, event, payload, payload_sha256, violations, codes, received_at)
     SELECT u.message_id, u.event, u.payload, u.sha, u.violations,
            ARRAY(SELECT DISTINCT v->>'code' FROM jsonb_array_elements(u.violations) v ORDER BY 1), u.received_at
       FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::jsonb[], $6::timestamptz[])
            AS u(message_id, event, payload, sha, violations, received_at)
     ON CONFLICT (message_id, payload_sha256) DO NOTHING`,
    [
      rows.map((r) => r.messageId),
      rows.map((r) => r.event),
      payloads,
      payloads.map((p) => createHash('sha256').update(p).digest('hex')),
      rows.map((r) => JSON.stringify(r.violations)),
      rows.map((r) => iso(r.receivedAt)),
    ],
  );
}
