import type { Database } from '@mlp/service-kit';
import type { PoolClient } from 'pg';
import { epochMicrosSql, instantFromEpochMicros } from '../time/event-time';
import type { OnlineRow, OnlineStore, StagedChunk, StagedWrite, StoredValue } from './online-store';

/**
 * Newer-wins by (event time, write sequence): a row replaces the stored one unless that one is
 * newer or, at the same event time, written later. Equal pairs are the same row (a replayed
 * chunk) and overwrite harmlessly.
 */
const NEWER_WINS = `ON CONFLICT (view_key, entity_key) DO UPDATE SET "values" = EXCLUDED."values", event_timestamp = EXCLUDED.event_timestamp, write_seq = EXCLUDED.write_seq, written_at = now()
           WHERE (online_values.event_timestamp, online_values.write_seq) <= (EXCLUDED.event_timestamp, EXCLUDED.write_seq)`;

/** The default online store: one row per (view version, entity) in `features.online_values`. */
export class PostgresOnlineStore implements OnlineStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly db: Database) {}

  async write(viewKey: string, rows: OnlineRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const s = this.db.schema;
    const result = await this.db.query<{ n: string }>(
      `WITH input AS (
         SELECT DISTINCT ON (k) k, v, t, q FROM unnest($2::text[], $3::json[], $4::timestamptz[], $5::bigint[]) AS u(k, v, t, q) ORDER BY k, t DESC, q DESC
       ), written AS (
         INSERT INTO "${s}".online_values (view_key, entity_key, "values", event_timestamp, write_seq)
         SELECT $1, k, v, t, q FROM input
         ${NEWER_WINS}
         RETURNING 1
       ) SELECT count(*) AS n FROM written`,
      [viewKey, rows.map((r) => r.entityKey), rows.map((r) => JSON.stringify(r.values)), rows.map((r) => r.eventTimestamp), rows.map((r) => r.seq)],
    );
    return Number(result[0]?.n ?? 0);
  }

  async writeStaged(client: PoolClient, viewKey: string, chunk: StagedChunk): Promise<StagedWrite> {
    // One statement: the chunk's staged rows (one per entity, in key order, so concurrent writers
    // lock rows in the same order) upserted newer-wins.
    const result = await client.query<{ read: string; written: string; newest: string | null }>(
      `WITH src AS (
         SELECT entity_key, event_timestamp, write_seq, vals FROM ${chunk.table} WHERE materialization_id = $2 AND chunk = $3
       ), written AS (
         INSERT INTO "${this.db.schema}".online_values (view_key, entity_key, "values", event_timestamp, write_seq)
         SELECT $1, entity_key, vals, event_timestamp, write_seq FROM src
         ${NEWER_WINS}
         RETURNING 1
       ) SELECT (SELECT count(*) FROM src) AS read, (SELECT count(*) FROM written) AS written, (SELECT ${epochMicrosSql('max(event_timestamp)')} FROM src)::text AS newest`,
      [viewKey, chunk.materializationId, chunk.chunk],
    );
    const row = result.rows[0];
    return { read: Number(row.read), written: Number(row.written), newest: row.newest === null ? null : instantFromEpochMicros(row.newest) };
  }

  async read(viewKeys: string[], entityKeys: string[]): Promise<Map<string, Array<StoredValue | null>>> {
    // The event time as exact epoch microseconds (pg would parse a timestamptz into a millisecond Date).
    const rows = await this.db.query<{ view_key: string; entity_key: string; values: Record<string, unknown>; t: string }>(
      `SELECT view_key, entity_key, "values", ${epochMicrosSql('event_timestamp')}::text AS t FROM "${this.db.schema}".online_values WHERE view_key = ANY($1::text[]) AND entity_key = ANY($2::text[])`,
      [viewKeys, [...new Set(entityKeys)]],
    );
    const found = new Map(rows.map((r) => [`${r.view_key}\u0000${r.entity_key}`, { values: r.values, at: instantFromEpochMicros(r.t) }]));
    return new Map(viewKeys.map((v) => [v, entityKeys.map((k) => found.get(`${v}\u0000${k}`) ?? null)]));
  }

  async drop(viewKey: string): Promise<number> {
    const rows = await this.db.query<{ n: string }>(
      `WITH gone AS (DELETE FROM "${this.db.schema}".online_values WHERE view_key = $1 RETURNING 1) SELECT count(*) AS n FROM gone`,
      [viewKey],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    // The pool belongs to the Database service.
  }
}
