import { asDependencyError, type Database } from '@mlp/service-kit';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { copyText } from '../warehouse/copy-text';
import type { EventRow } from './message-validation';

export interface FailedEventRow {
  messageId: string | null;
  event: string | null;
  payload: unknown;
  violations: Array<{ path: string; code: string; message: string }>;
  receivedAt: string;
}

const COPY_MIN_ROWS = 50;
const EVENT_COLUMNS = `message_id, type, event, schema_version, user_id, anonymous_id, properties, context,
  device_created_at, device_sent_at, received_at, derived_at`;
const COPY_EVENTS = `COPY "dwh".events (${EVENT_COLUMNS}) FROM STDIN`;

/**
 * Stores one request's accepted and failed events and returns the messageIds this request stored
 * (null: all of them). Returns only after the commit. The usual request (all events valid, none
 * seen before) is one autocommitted COPY: one statement is atomic on its own, so it needs no
 * BEGIN/SAVEPOINT/COMMIT round trips. If a messageId already exists (a retry, or a concurrent retry
 * that committed first) the COPY fails on the key as a whole and the rows go through the
 * ON CONFLICT insert, which names each duplicate. Requests with failed events store both in one
 * transaction.
 */
export async function storeEvents(db: Database, rows: EventRow[], failed: FailedEventRow[]): Promise<Set<string> | null> {
  if (failed.length) {
    return db.transaction(async (m) => {
      const stored = await insertEvents(m, rows);
      await insertFailedEvents(m, failed);
      return stored;
    });
  }
  if (!rows.length) return new Set();
  const qr = db.source.createQueryRunner();
  try {
    await qr.connect();
    const client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
    if (rows.length >= COPY_MIN_ROWS && (await copyEvents(client, rows))) return null;
    return await insertOnConflict((sql, params) => client.query(sql, params).then((r) => r.rows), rows);
  } catch (err) {
    throw asDependencyError(err);
  } finally {
    await qr.release().catch(() => undefined);
  }
}

/** Inside a transaction (the replay of failed events): COPY under a savepoint, else the ON CONFLICT insert. */
export async function insertEvents(m: EntityManager, rows: EventRow[]): Promise<Set<string> | null> {
  if (!rows.length) return new Set();
  const client = (m.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  if (client && rows.length >= COPY_MIN_ROWS) {
    await client.query('SAVEPOINT events_copy');
    if (await copyEvents(client, rows)) {
      await client.query('RELEASE SAVEPOINT events_copy');
      return null;
    }
    await client.query('ROLLBACK TO SAVEPOINT events_copy');
  }
  return insertOnConflict((sql, params) => m.query(sql, params), rows);
}

/**
 * One multi-row INSERT: the rows travel as a single JSON parameter expanded by jsonb_to_recordset
 * (no per-row parameters, so any batch stays far below the 65,535-parameter limit). ON CONFLICT DO
 * NOTHING on message_id makes concurrent retries wait on the key and then skip; RETURNING tells
 * exactly which rows this request stored.
 */
async function insertOnConflict(query: (sql: string, params: unknown[]) => Promise<Array<{ message_id: string }>>, rows: EventRow[]): Promise<Set<string>> {
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
      device_created_at: r.deviceCreatedAt,
      device_sent_at: r.deviceSentAt,
      received_at: r.receivedAt,
      derived_at: r.derivedAt,
    })),
  );
  const inserted = await query(
    `INSERT INTO "dwh".events (${EVENT_COLUMNS})
     SELECT ${EVENT_COLUMNS}
       FROM jsonb_to_recordset($1::jsonb) AS x(message_id text, type text, event text, schema_version text, user_id text,
            anonymous_id text, properties jsonb, context jsonb, device_created_at timestamptz, device_sent_at timestamptz,
            received_at timestamptz, derived_at timestamptz)
     ON CONFLICT (message_id) DO NOTHING
     RETURNING message_id`,
    [payload],
  );
  return new Set(inserted.map((r) => r.message_id));
}

const nullable = (s: string | null) => (s === null ? '\\N' : copyText(s));

/** The rows as COPY text, built as one string (no array per row). */
export function eventsCopyText(rows: EventRow[]): string {
  let out = '';
  for (const r of rows) {
    out +=
      `${copyText(r.messageId)}\t${r.type}\t${copyText(r.event)}\t${copyText(r.schemaVersion)}\t${nullable(r.userId)}\t${nullable(r.anonymousId)}\t` +
      `${copyText(JSON.stringify(r.properties))}\t${r.context ? copyText(JSON.stringify(r.context)) : '\\N'}\t` +
      `${r.deviceCreatedAt}\t${r.deviceSentAt ?? '\\N'}\t${r.receivedAt}\t${r.derivedAt}\n`;
  }
  return out;
}

/** COPY of the rows; false when a messageId already exists (the COPY is then void as a whole). */
async function copyEvents(client: PoolClient, rows: EventRow[]): Promise<boolean> {
  const text = eventsCopyText(rows);
  const copy = client.query(copyFrom(COPY_EVENTS));
  try {
    const done = once(copy, 'finish');
    copy.end(text);
    await done;
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
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
      rows.map((r) => r.receivedAt),
    ],
  );
}
