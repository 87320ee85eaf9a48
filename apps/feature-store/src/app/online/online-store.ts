import type { PoolClient } from 'pg';
import type { Instant } from '../time/event-time';

/** One entity's values of one feature view version, as stored online. */
export interface OnlineRow {
  entityKey: string;
  values: Record<string, unknown>;
  /** The event time as the client wrote it (checked by `checkTimestamp`; PostgreSQL parses this text). */
  eventTimestamp: string;
  /** The same instant, parsed here (for stores that compare in the service or in Lua). */
  at: Instant;
  /** Write sequence number (decimal text of a bigint): wins ties in event time, latest written first. */
  seq: string;
}

export interface StoredValue {
  values: Record<string, unknown>;
  at: Instant;
}

/**
 * The online store: latest values per (view version, entity). Writes are newer-wins by
 * (event time, write sequence): a late-arriving older row or a replayed materialization chunk
 * never overwrites fresher values, and of two rows with the same event time the later written
 * stays (the tie rule of training sets too, see `projectedSource`).
 */
export interface OnlineStore {
  readonly kind: 'postgres' | 'redis';
  /** Returns how many rows were written (older rows than the stored ones are skipped). */
  write(viewKey: string, rows: OnlineRow[]): Promise<number>;
  /**
   * Writes one staged materialization chunk newer-wins, reading it on `client` (inside the
   * caller's transaction). The PostgreSQL store runs one set-based upsert; Redis pipelines the
   * batches a cursor fetches. Returns the rows read (to detect a lost stage), written, and the
   * newest event time read.
   */
  writeStaged(client: PoolClient, viewKey: string, chunk: StagedChunk): Promise<StagedWrite>;
  /** Per view key, per requested entity key (same order), the stored value or null. */
  read(viewKeys: string[], entityKeys: string[]): Promise<Map<string, Array<StoredValue | null>>>;
  /** Deletes every value of one view version (a retired version); returns how many were deleted. */
  drop(viewKey: string): Promise<number>;
  close(): Promise<void>;
}

/** Rows of `table` (entity_key, event_timestamp, write_seq, vals json) with this materialization id and chunk. */
export interface StagedChunk {
  /** Quoted, schema-qualified table name (never user input). */
  table: string;
  materializationId: string;
  chunk: number;
}

export interface StagedWrite {
  read: number;
  written: number;
  newest: Instant | null;
}

export const ONLINE_STORE = Symbol('ONLINE_STORE');
