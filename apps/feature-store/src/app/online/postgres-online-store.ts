import type { Database } from '@mlp/service-kit';
import type { PoolClient } from 'pg';
import type { OnlineRow, OnlineStore, StagedChunk, StagedWrite, StoredValue } from './online-store';

/** The default online store: one row per (view version, entity) in `features.online_values`. */
export class PostgresOnlineStore implements OnlineStore {
  readonly kind = 'postgres' as const;

  constructor(private readonly db: Database) {}

  async write(viewKey: string, rows: OnlineRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const s = this.db.schema;
    const result = await this.db.query<{ n: string }>(
      `WITH input AS (
         SELECT DISTINCT ON (k) k, v, t FROM unnest($2::text[], $3::json[], $4::timestamptz[]) AS u(k, v, t) ORDER BY k, t DESC
       ), written AS (
         INSERT INTO "${s}".online_values (view_key, entity_key, "values", event_timestamp)
         SELECT $1, k, v, t FROM input
         ON CONFLICT (view_key, entity_key) DO UPDATE SET "values" = EXCLUDED."values", event_timestamp = EXCLUDED.event_timestamp, written_at = now()
           WHERE online_values.event_timestamp <= EXCLUDED.event_timestamp
         RETURNING 1
       ) SELECT count(*) AS n FROM written`,
      [viewKey, rows.map((r) => r.entityKey), rows.map((r) => JSON.stringify(r.values)), rows.map((r) => r.eventTimestamp.toISOString())],
    );
    return Number(result[0]?.n ?? 0);
  }

  async writeStaged(client: PoolClient, viewKey: string, chunk: StagedChunk): Promise<StagedWrite> {
    // One statement: the chunk's staged rows (one per entity, in key order, so concurrent writers
    // lock rows in the same order) upserted newer-wins.
    const result = await client.query<{ read: string; written: string; newest: Date | null }>(
      `WITH src AS (
         SELECT entity_key, event_timestamp, vals FROM ${chunk.table} WHERE materialization_id = $2 AND chunk = $3
       ), written AS (
         INSERT INTO "${this.db.schema}".online_values (view_key, entity_key, "values", event_timestamp)
         SELECT $1, entity_key, vals, event_timestamp FROM src
         ON CONFLICT (view_key, entity_key) DO UPDATE SET "values" = EXCLUDED."values", event_timestamp = EXCLUDED.event_timestamp, written_at = now()
           WHERE online_values.event_timestamp <= EXCLUDED.event_timestamp
         RETURNING 1
       ) SELECT (SELECT count(*) FROM src) AS read, (SELECT count(*) FROM written) AS written, (SELECT max(event_timestamp) FROM src) AS newest`,
      [viewKey, chunk.materializationId, chunk.chunk],
    );
    const row = result.rows[0];
    return { read: Number(row.read), written: Number(row.written), newest: row.newest };
  }

  async read(viewKeys: string[], entityKeys: string[]): Promise<Map<string, Array<StoredValue | null>>> {
    const rows = await this.db.query<{ view_key: string; entity_key: string; values: Record<string, unknown>; event_timestamp: Date }>(
      `SELECT view_key, entity_key, "values", event_timestamp FROM "${this.db.schema}".online_values WHERE view_key = ANY($1::text[]) AND entity_key = ANY($2::text[])`,
      [viewKeys, [...new Set(entityKeys)]],
    );
    const found = new Map(rows.map((r) => [`${r.view_key}\u0000${r.entity_key}`, { values: r.values, eventTimestamp: r.event_timestamp }]));
    return new Map(viewKeys.map((v) => [v, entityKeys.map((k) => found.get(`${v}\u0000${k}`) ?? null)]));
  }

  async close(): Promise<void> {
    // The pool belongs to the Database service.
  }
}
