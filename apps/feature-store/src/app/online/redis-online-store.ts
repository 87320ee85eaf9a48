import { PlatformError } from '@mlp/runtime';
import Redis from 'ioredis';
import type { PoolClient } from 'pg';
import { epochMicrosSql, type Instant } from '../time/event-time';
import { ReadCoalescer } from './read-coalescer';
import type { OnlineRow, OnlineStore, StagedChunk, StagedWrite, StoredValue } from './online-store';

/**
 * Newer-wins SET for many keys at once, by (event time, write sequence): the stored JSON starts
 * with `{"t":<epoch ms>,"u":<microseconds within that ms>,"s":<write sequence>` so Lua can
 * compare (every part an exact double). Values stored before microseconds and write sequences
 * (`{"t":<ms>,"v":...}`) count as u = 0, s = 0. ARGV holds four strings per key: t, u, s, the value.
 */
const WRITE_NEWER = `
local n = 0
for i, key in ipairs(KEYS) do
  local t = tonumber(ARGV[4 * i - 3])
  local u = tonumber(ARGV[4 * i - 2])
  local s = tonumber(ARGV[4 * i - 1])
  local cur = redis.call('GET', key)
  local write = true
  if cur then
    local ct, cu, cs = string.match(cur, '^{"t":(%-?%d+),"u":(%d+),"s":(%-?%d+)')
    if not ct then
      ct = string.match(cur, '^{"t":(%-?%d+)')
      cu = 0
      cs = 0
    end
    ct = tonumber(ct)
    cu = tonumber(cu)
    cs = tonumber(cs)
    if ct then
      write = ct < t or (ct == t and (cu < u or (cu == u and cs <= s)))
    end
  end
  if write then
    redis.call('SET', key, ARGV[4 * i])
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
      const args = batch.flatMap((r) => [String(r.at.ms), String(r.at.us), r.seq, `{"t":${r.at.ms},"u":${r.at.us},"s":${r.seq},"v":${JSON.stringify(r.values)}}`]);
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
    // e: exact epoch microseconds; t, u: its millisecond (rounded down) and the microseconds within it.
    await client.query(
      `DECLARE ${cursor} NO SCROLL CURSOR FOR
         SELECT entity_key, t::text, u::text, write_seq::text, '{"t":' || t || ',"u":' || u || ',"s":' || write_seq || ',"v":' || vals::text || '}'
           FROM (SELECT entity_key, vals, write_seq, e / 1000 - (e % 1000 < 0)::int AS t, (e % 1000 + 1000) % 1000 AS u
                   FROM (SELECT entity_key, vals, write_seq, ${epochMicrosSql('event_timestamp')} AS e
                           FROM ${chunk.table} WHERE materialization_id = $1 AND chunk = $2) x) s`,
      [chunk.materializationId, chunk.chunk],
    );
    let read = 0;
    let written = 0;
    let newestMs = -Infinity;
    let newestUs = 0;
    try {
      for (;;) {
        const batch = await client.query({ text: `FETCH ${STAGED_FETCH} FROM ${cursor}`, rowMode: 'array' });
        const rows = batch.rows as Array<[string, string, string, string, string]>;
        if (rows.length === 0) break;
        read += rows.length;
        const pipeline = this.redis.pipeline();
        for (let i = 0; i < rows.length; i += WRITE_BATCH) {
          const slice = rows.slice(i, i + WRITE_BATCH);
          const args: string[] = [];
          for (const r of slice) args.push(this.key(viewKey, r[0]));
          for (const r of slice) {
            args.push(r[1], r[2], r[3], r[4]);
            const ms = Number(r[1]);
            const us = Number(r[2]);
            if (ms > newestMs || (ms === newestMs && us > newestUs)) {
              newestMs = ms;
              newestUs = us;
            }
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
    const newest: Instant | null = Number.isFinite(newestMs) ? { ms: newestMs, us: newestUs } : null;
    return { read, written, newest };
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
            const parsed = JSON.parse(text) as { t: number; u?: number; v: Record<string, unknown> };
            values[ki] = { values: parsed.v, at: { ms: parsed.t, us: parsed.u ?? 0 } };
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

  /** SCANs the version's keys (never KEYS: the server keeps serving reads) and UNLINKs them in batches. */
  async drop(viewKey: string): Promise<number> {
    // The prefix is configurable: glob characters in it match only themselves.
    const match = `${this.key(viewKey, '').replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
    let cursor = '0';
    let dropped = 0;
    do {
      const [next, keys] = await this.call(() => this.redis.scan(cursor, 'MATCH', match, 'COUNT', 1000));
      cursor = next;
      if (keys.length) dropped += await this.call(() => this.redis.unlink(...keys));
    } while (cursor !== '0');
    return dropped;
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
