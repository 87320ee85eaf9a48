import { PlatformError } from '@mlp/runtime';
import Redis from 'ioredis';
import type { OnlineRow, OnlineStore, StoredValue } from './online-store';

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

/** The production online store: one Redis string per (view version, entity), read with one MGET. */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'fs') {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false });
    this.redis.defineCommand('fsWriteNewer', { lua: WRITE_NEWER });
    // Errors surface on commands (as 503s); the client reconnects by itself.
    this.redis.on('error', () => undefined);
  }

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

  async read(viewKeys: string[], entityKeys: string[]): Promise<Map<string, Array<StoredValue | null>>> {
    const keys = viewKeys.flatMap((v) => entityKeys.map((k) => this.key(v, k)));
    const raw = await this.call(() => this.redis.mget(keys));
    const out = new Map<string, Array<StoredValue | null>>();
    viewKeys.forEach((v, vi) => {
      out.set(
        v,
        entityKeys.map((_, ki) => {
          const text = raw[vi * entityKeys.length + ki];
          if (!text) return null;
          const parsed = JSON.parse(text) as { t: number; v: Record<string, unknown> };
          return { values: parsed.v, eventTimestamp: new Date(parsed.t) };
        }),
      );
    });
    return out;
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
