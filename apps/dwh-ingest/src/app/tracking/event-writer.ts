import { isDependencyDown } from '@mlp/runtime';
import { asDependencyError, type Database } from '@mlp/service-kit';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { copyText, jsonbSafe, jsonCopyText, UNSTORABLE_ESCAPE, withoutNul } from '../warehouse/copy-text';
import type { GroupOutcome } from './group-commit';
import type { EventRow } from './message-validation';

/** UNSTORABLE_ESCAPE without the global flag, so testing keeps no state between strings. */
const HAS_UNSTORABLE_ESCAPE = new RegExp(UNSTORABLE_ESCAPE.source);

export interface FailedEventRow {
  messageId: string | null;
  event: string | null;
  payload: unknown;
  violations: Array<{ path: string; code: string; message: string }>;
  receivedAt: string;
}

type Query = (sql: string, params?: unknown[]) => Promise<unknown[]>;
const clientQuery =
  (client: PoolClient): Query =>
  (sql, params) =>
    client.query(sql, params).then((r) => r.rows);

const COPY_MIN_ROWS = 50;
const EVENT_COLUMNS = `message_id, type, event, schema_version, user_id, anonymous_id, properties, context,
  device_created_at, device_sent_at, received_at, derived_at, schema_name, category, group_id, previous_id`;
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
export async function storeEvents(db: Database, rows: EventRow[], failed: FailedEventRow[], text?: Buffer): Promise<Set<string> | null> {
  if (failed.length) {
    return db.transaction(async (m) => {
      const stored = await insertEvents(m, rows, text);
      await insertFailedEvents((sql, params) => m.query(sql, params), failed);
      return stored;
    });
  }
  if (!rows.length) return new Set();
  const qr = db.source.createQueryRunner();
  try {
    await qr.connect();
    const client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
    if (rows.length >= COPY_MIN_ROWS && (await copyEvents(client, [text ?? eventsCopyText(rows)]))) return null;
    return await insertOnConflict(clientQuery(client), rows);
  } catch (err) {
    throw asDependencyError(err);
  } finally {
    await qr.release().catch(() => undefined);
  }
}

/** One request's share of a group commit: its accepted rows (and their COPY text) and its failed events. */
export interface StoreRequest {
  rows: EventRow[];
  failed: FailedEventRow[];
  /** eventsCopyText(rows), built in the request's own turn, before it queues. */
  text: Buffer;
}

/**
 * Group commit of several requests: one COPY of every request's rows, and when some carry failed
 * events one transaction that holds the COPY and all their failed events, so each request's events
 * and failed events commit together. Returns each request's stored messageIds (null: all of them),
 * in order, only after the commit.
 *
 * Dedup stays exact: when the COPY hits a messageId that already exists, the whole group goes
 * through one ON CONFLICT insert, whose RETURNING names what it stored; every other row of a request
 * is a duplicate. When two requests of the group share a messageId (concurrent retries), they are
 * written one after the other with the ON CONFLICT insert, each in its own commit, so the first
 * stores the row and the later one reports it as a duplicate. Any other error of the group write
 * (data PostgreSQL refuses in one request, a deadlock) also falls back to one write per request, so
 * one request's bad data fails only that request. A database that is down fails the group (503 to
 * every request of it).
 */
export async function storeEventGroup(db: Database, requests: StoreRequest[]): Promise<Array<GroupOutcome<Set<string> | null>>> {
  if (requests.length === 1) {
    const [r] = requests;
    return [{ ok: true, value: await storeEvents(db, r.rows, r.failed, r.text) }];
  }
  const qr = db.source.createQueryRunner();
  try {
    await qr.connect();
    const client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
    try {
      const stored = await storeGroupTogether(client, requests);
      // The set holds messageIds of every request; each request looks up only its own.
      if (stored !== undefined) return requests.map((r) => ({ ok: true, value: stored === null && !r.rows.length ? new Set<string>() : stored }));
    } catch (err) {
      if (isDependencyDown(err)) throw asDependencyError(err);
    }
    const outcomes: Array<GroupOutcome<Set<string> | null>> = [];
    for (const r of requests) {
      try {
        outcomes.push({ ok: true, value: await storeOneOnConflict(client, r) });
      } catch (err) {
        outcomes.push({ ok: false, error: asDependencyError(err) });
      }
    }
    return outcomes;
  } catch (err) {
    throw asDependencyError(err);
  } finally {
    await qr.release().catch(() => undefined);
  }
}

/**
 * The group in one commit: a COPY of all rows (or, for fewer than COPY_MIN_ROWS rows or when a
 * messageId already exists, one ON CONFLICT insert of all rows, which names what it stored), plus
 * all failed events in the same transaction. Undefined, having stored nothing, when the COPY was
 * refused and two requests share a messageId: one insert could not tell whose row it stored.
 * (A shared messageId inside one COPY fails it on the key, so the common path needs no check.)
 */
async function storeGroupTogether(client: PoolClient, requests: StoreRequest[]): Promise<Set<string> | null | undefined> {
  const failed = requests.flatMap((r) => r.failed);
  const inTransaction = failed.length > 0;
  let rows = 0;
  for (const r of requests) rows += r.rows.length;
  const attempt = async (copy: boolean): Promise<Set<string> | null | undefined> => {
    if (inTransaction) await client.query('BEGIN');
    try {
      let stored: Set<string> | null = null;
      if (copy) {
        if (!(await copyEvents(client, requests.filter((r) => r.rows.length).map((r) => r.text)))) {
          if (inTransaction) await client.query('ROLLBACK');
          return undefined;
        }
      } else {
        stored = rows ? await insertOnConflict(clientQuery(client), requests.flatMap((r) => r.rows)) : new Set<string>();
      }
      if (inTransaction) {
        await insertFailedEvents(clientQuery(client), failed);
        await client.query('COMMIT');
      }
      return stored;
    } catch (err) {
      if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  };
  const copied = rows >= COPY_MIN_ROWS ? await attempt(true) : undefined;
  if (copied !== undefined) return copied;
  return sharesMessageIds(requests) ? undefined : attempt(false);
}

/** True when two requests carry the same messageId (each request is deduplicated already). */
function sharesMessageIds(requests: StoreRequest[]): boolean {
  const seen = new Set<string>();
  for (const r of requests) {
    for (const row of r.rows) {
      if (seen.has(row.messageId)) return true;
      seen.add(row.messageId);
    }
  }
  return false;
}

/** One request on its own with the ON CONFLICT insert, in one transaction with its failed events. */
async function storeOneOnConflict(client: PoolClient, r: StoreRequest): Promise<Set<string>> {
  const query = clientQuery(client);
  if (!r.failed.length) return insertOnConflict(query, r.rows);
  await client.query('BEGIN');
  try {
    const stored = r.rows.length ? await insertOnConflict(query, r.rows) : new Set<string>();
    await insertFailedEvents(query, r.failed);
    await client.query('COMMIT');
    return stored;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Inside a transaction (the replay of failed events): COPY under a savepoint, else the ON CONFLICT insert. */
export async function insertEvents(m: EntityManager, rows: EventRow[], text?: Buffer): Promise<Set<string> | null> {
  if (!rows.length) return new Set();
  const client = (m.queryRunner as unknown as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  if (client && rows.length >= COPY_MIN_ROWS) {
    await client.query('SAVEPOINT events_copy');
    if (await copyEvents(client, [text ?? eventsCopyText(rows)])) {
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
async function insertOnConflict(query: Query, rows: EventRow[]): Promise<Set<string>> {
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
      schema_name: r.schemaName,
      category: r.category,
      group_id: r.groupId,
      previous_id: r.previousId,
    })),
  );
  const inserted = await query(
    `INSERT INTO "dwh".events (${EVENT_COLUMNS})
     SELECT ${EVENT_COLUMNS}
       FROM jsonb_to_recordset($1::jsonb) AS x(message_id text, type text, event text, schema_version text, user_id text,
            anonymous_id text, properties jsonb, context jsonb, device_created_at timestamptz, device_sent_at timestamptz,
            received_at timestamptz, derived_at timestamptz, schema_name text, category text, group_id text, previous_id text)
     ON CONFLICT (message_id) DO NOTHING
     RETURNING message_id`,
    [payload],
  );
  return new Set((inserted as Array<{ message_id: string }>).map((r) => r.message_id));
}

const nullable = (s: string | null) => (s === null ? '\\N' : copyText(s));

/**
 * The rows as COPY text, one Buffer of UTF-8 per request. The text is built with `+=` (cheap: V8 links
 * the pieces) and encoded once at the end, in the request's own turn: what waits in the group-commit
 * queue until the commit is one flat off-heap Buffer, not a string of thousands of linked pieces on
 * the JavaScript heap that every young-generation collection on the way copies, and the socket write
 * has nothing left to flatten or encode.
 */
export function eventsCopyText(rows: EventRow[]): Buffer {
  let out = '';
  for (const r of rows) {
    out +=
      `${copyText(r.messageId)}\t${r.type}\t${copyText(r.event)}\t${copyText(r.schemaVersion)}\t${nullable(r.userId)}\t${nullable(r.anonymousId)}\t` +
      `${jsonCopyText(JSON.stringify(r.properties))}\t${r.context ? jsonCopyText(JSON.stringify(r.context)) : '\\N'}\t` +
      `${r.deviceCreatedAt}\t${r.deviceSentAt ?? '\\N'}\t${r.receivedAt}\t${r.derivedAt}\t` +
      `${nullable(r.schemaName)}\t${nullable(r.category)}\t${nullable(r.groupId)}\t${nullable(r.previousId)}\n`;
  }
  return Buffer.from(out);
}

/** COPY of the rows (one or more texts); false when a messageId already exists (the COPY is then void as a whole). */
async function copyEvents(client: PoolClient, texts: Buffer[]): Promise<boolean> {
  const copy = client.query(copyFrom(COPY_EVENTS));
  try {
    const done = once(copy, 'finish');
    for (let i = 0; i < texts.length - 1; i++) copy.write(texts[i]);
    copy.end(texts[texts.length - 1]);
    await done;
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    return false;
  }
}

/**
 * Stores rejected messages with their raw payload; a retried identical bad message is kept once.
 * jsonb cannot hold U+0000 or a lone surrogate, so a payload with one is kept exactly as text in
 * `payload_raw` (what a replay reads) and readable in `payload` with U+FFFD in its place.
 */
export async function insertFailedEvents(query: Query, rows: FailedEventRow[]): Promise<void> {
  if (!rows.length) return;
  const payloads = rows.map((r) => JSON.stringify(r.payload ?? null));
  const raws = payloads.map((p) => (p.includes('\\u') && HAS_UNSTORABLE_ESCAPE.test(p) ? p : null));
  await query(
    `INSERT INTO "dwh".failed_events (message_id, event, payload, payload_raw, payload_sha256, violations, codes, received_at)
     SELECT u.message_id, u.event, u.payload, u.raw, u.sha, u.violations,
            ARRAY(SELECT DISTINCT v->>'code' FROM jsonb_array_elements(u.violations) v ORDER BY 1), u.received_at
       FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[])
            AS u(message_id, event, payload, raw, sha, violations, received_at)
     ON CONFLICT (message_id, payload_sha256) DO NOTHING`,
    [
      rows.map((r) => withoutNul(r.messageId)),
      rows.map((r) => withoutNul(r.event)),
      payloads.map((p, i) => (raws[i] === null ? p : p.replace(UNSTORABLE_ESCAPE, '$1\\ufffd'))),
      raws,
      payloads.map((p) => createHash('sha256').update(p).digest('hex')),
      rows.map((r) => jsonbSafe(r.violations)),
      rows.map((r) => r.receivedAt),
    ],
  );
}
