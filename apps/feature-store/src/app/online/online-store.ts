/** One entity's values of one feature view version, as stored online. */
export interface OnlineRow {
  entityKey: string;
  values: Record<string, unknown>;
  eventTimestamp: Date;
}

export interface StoredValue {
  values: Record<string, unknown>;
  eventTimestamp: Date;
}

/**
 * The online store: latest values per (view version, entity). Writes are newer-wins, so a
 * late-arriving older row or a replayed materialization chunk never overwrites fresher values.
 */
export interface OnlineStore {
  readonly kind: 'postgres' | 'redis';
  /** Returns how many rows were written (older rows than the stored ones are skipped). */
  write(viewKey: string, rows: OnlineRow[]): Promise<number>;
  /** Per view key, per requested entity key (same order), the stored value or null. */
  read(viewKeys: string[], entityKeys: string[]): Promise<Map<string, Array<StoredValue | null>>>;
  close(): Promise<void>;
}

export const ONLINE_STORE = Symbol('ONLINE_STORE');
