import { PlatformError } from '@mlp/runtime';
import Redis from 'ioredis';
import type { PoolClient } from 'pg';
import { ReadCoalescer } from './read-coalescer';
import type { OnlineRow, OnlineStore, StagedChunk, StagedWrite, StoredValue } from './online-store';

/** Newer-wins SET for many keys at once: the stored JSON starts with `{"t":<epoch ms>` so Lua can compare. */
const WRITE_NEWER = `
local n = 0
for i, key in ipairs(KEYS) do
  local t = tonumber(ARGV[2 * i - 1])
  local cur = redis.call('GET', key)
  local curT = cur and tonumber(string.match(cur, '^{"t":(%-?%d+)'))
  if (not curT) or curT <= t then
    redis.call('SET', key, ARGV[2 * i])
    n = n + 1
  end
end
return n`;

const WRITE_BATCH = 500;
const STAGED_FETCH = 2000;

/** The production online store: one Redis string per (view version, entity), read with one MGET. */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'fs') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
    this.redis.defineCommand('fsWriteNewer', { lua: WRITE_NEWER });
    // Errors surface on commands (as 503s); the client reconnects by itself.
    this.redis.on('error', () => undefined);
    this.reads = new ReadCoalescer((keys) => this.redis.mget(keys));
  }

  private readonly reads: ReadCoalescer<string | null>;

  key(viewKey: string, entityKey: string): string {
    return `${this.prefix}:${viewKey}:${entityKey}`;
  }

  async write(viewKey: string, rows: OnlineRow[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      const batch = rows.slice(i, i + WRITE_BATCH);
      const keys = batch.map((r) => this.key(viewKey, r.entityKey));
      const args = batch.flatMap((r) => {
        const t = r.eventTimestamp.getTime();
        return [String(t), `{"t":${t},"v":${JSON.stringify(r.values)}}`];
      });
      written += await this.call(() => (this.redis as unknown as { fsWriteNewer(n: number, ...a: string[]): Promise<number> }).fsWriteNewer(keys.length, ...keys, ...args));
    }
    return written;
  }

  /**
   * Reads the staged chunk through a cursor with the stored JSON already built by PostgreSQL, and
   * sends each fetched batch as pipelined newer-wins scripts (one round trip per fetch).
   */
  async writeStaged(client: PoolClient, viewKey: string, chunk: StagedChunk): Promise<StagedWrite> {
    const cursor = 'fs_staged_chunk';
    await client.query(
      `DECLARE ${cursor} NO SCROLL CURSOR FOR
         SELECT entity_key, t::text, '{"t":' || t || ',"v":' || vals::text || '}'
           FROM (SELECT entity_key, vals, floor(extract(epoch FROM event_timestamp) * 1000)::bigint AS t
                   FROM ${chunk.table} WHERE materialization_id = $1 AND chunk = $2) s`,
      [chunk.materializationId, chunk.chunk],
    );
    let read = 0;
    let written = 0;
    let newest = -Infinity;
    try {
      for (;;) {
        const batch = await client.query({ text: `FETCH ${STAGED_FETCH} FROM ${cursor}`, rowMode: 'array' });
        const rows = batch.rows as Array<[string, string, string]>;
        if (rows.length === 0) break;
        read += rows.length;
        const pipeline = this.redis.pipeline();
        for (let i = 0; i < rows.length; i += WRITE_BATCH) {
          const slice = rows.slice(i, i + WRITE_BATCH);
          const args: string[] = [];
          for (const r of slice) args.push(this.key(viewKey, r[0]));
          for (const r of slice) {
            args.push(r[1], r[2]);
            const t = Number(r[1]);
            if (t > newest) newest = t;
          }
          (pipeline as unknown as { fsWriteNewer(n: number, ...a: string[]): void }).fsWriteNewer(slice.length, ...args);
        }
        const results = await this.call(() => pipeline.exec());
        for (const [err, n] of results ?? []) {
          if (err) throw PlatformError.unavailable('redis', err);
          written += Number(n);
        }
      }
    } finally {
      await client.query(`CLOSE ${cursor}`).catch(() => undefined);
    }
    return { read, written, newest: Number.isFinite(newest) ? new Date(newest) : null };
  }

  read(viewKeys: string[], entityKeys: string[]): Promise<Map<string, Array<StoredValue | null>>> {
    const n = entityKeys.length;
    const keys = new Array<string>(viewKeys.length * n);
    for (let vi = 0; vi < viewKeys.length; vi++) for (let ki = 0; ki < n; ki++) keys[vi * n + ki] = this.key(viewKeys[vi], entityKeys[ki]);
    return this.reads.read(keys).then(
      (raw) => {
        const out = new Map<string, Array<StoredValue | null>>();
        for (let vi = 0; vi < viewKeys.length; vi++) {
          const values = new Array<StoredValue | null>(n);
          for (let ki = 0; ki < n; ki++) {
            const text = raw[vi * n + ki];
            if (!text) {
              values[ki] = null;
              continue;
            }
            const parsed = JSON.parse(text) as { t: number; v: Record<string, unknown> };
            values[ki] = { values: parsed.v, eventTimestamp: new Date(parsed.t) };
          }
          out.set(viewKeys[vi], values);
        }
        return out;
      },
      (err: unknown) => {
        throw PlatformError.unavailable('redis', err);
      },
    );
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw PlatformError.unavailable('redis', err);
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
