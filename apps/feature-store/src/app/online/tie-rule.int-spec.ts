import type { ApplyRequest } from '@mlp/contracts';
import { callService, startTestService, testRedisUrl, type TestService } from '@mlp/service-kit/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { parseTrainingSet, sql } from '../../testing/warehouse-fixtures';

/**
 * One tie rule everywhere: of rows with the same entity and event time, the latest written wins
 * (a pushed row's write sequence; a mart row counts as written before any push). Training sets,
 * materialization, online reads and push must agree, and keep event times to the microsecond.
 */
const stores: Array<[string, string | undefined]> = [['postgres', undefined]];
const redisUrl = testRedisUrl();
if (redisUrl) stores.push(['redis', redisUrl]);

const DEFINITIONS: ApplyRequest = {
  entities: [{ name: 'tie_user', join_key: 'user_id', value_type: 'string' }],
  feature_views: [
    {
      name: 'tie',
      entities: ['tie_user'],
      features: [{ name: 'v', type: 'int64' }],
      source: { sql: 'SELECT user_id, ts AS event_timestamp, v FROM dwh.mart_tie' },
      ttl_seconds: 7 * 86400,
      online: true,
    },
  ],
};

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(stores)('the tie rule and microsecond event times, offline and on the %s online store', (kind, url) => {
  let svc: TestService;
  const prefix = `fs-tie-${randomUUID().slice(0, 8)}`;
  // An hour ago, on a whole second; T is 123,700 microseconds later.
  const baseMs = Math.floor(Date.now() / 1000) * 1000 - 3600_000;
  /** The instant `us` microseconds after baseMs, written in an offset (minutes) with six fraction digits. */
  const iso = (us: number, offsetMinutes = 0) => {
    const local = new Date(baseMs + Math.floor(us / 1000) + offsetMinutes * 60_000).toISOString().slice(0, 23);
    const zone = offsetMinutes === 0 ? 'Z' : `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
    return `${local}${String(((us % 1000) + 1000) % 1000).padStart(3, '0')}${zone}`;
  };
  const T = 123_700;

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: { MATERIALIZATION_CHUNKS: '2', MATERIALIZATION_POLL_MS: '100', REDIS_URL: url, ONLINE_STORE_PREFIX: prefix },
    });
    await sql(svc.db.url, async (c) => {
      await c.query('CREATE SCHEMA IF NOT EXISTS dwh');
      await c.query('CREATE TABLE dwh.mart_tie (user_id text, ts timestamptz, v bigint)');
    });
    expect((await callService(svc, 'POST', '/v1/apply', DEFINITIONS)).status).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
    if (url) {
      const r = new Redis(url);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length) await r.del(...keys);
      await r.quit();
    }
  });

  const push = async (to: 'online' | 'offline' | 'online_and_offline', rows: Array<[string, string, number]>) => {
    const res = await callService(svc, 'POST', '/v1/push', { feature_view: 'tie', to, rows: rows.map(([user_id, event_timestamp, v]) => ({ user_id, event_timestamp, v })) });
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
  };
  const offline = async (rows: Array<[string, string]>) => {
    const res = await callService(svc, 'POST', '/v1/historical-features', { features: ['tie:v'], entity_rows: { user_id: rows.map((r) => r[0]), event_timestamp: rows.map((r) => r[1]) } });
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    return parseTrainingSet(res.text).rows.map((r) => [r['v'], r['event_timestamp']]);
  };
  const online = async (ids: string[]) => {
    const res = await callService(svc, 'POST', '/v1/online-features', { features: ['tie:v'], entities: { user_id: ids } });
    expect(res.status).toBe(200);
    const col = (res.json['results'] as Array<{ values: unknown[]; statuses: string[]; event_timestamps: Array<string | null> }>)[1];
    return ids.map((_, i) => [col.values[i], col.statuses[i], col.event_timestamps[i]]);
  };

  it(`gives a tie to the later push, whichever value comes first, offline and online alike (${kind})`, async () => {
    // Two requests in both orders, the second spelling the same instant in another offset; two tied rows in one request.
    await push('online_and_offline', [['ab', iso(T), 1], ['ba', iso(T), 2]]);
    await push('online_and_offline', [['ab', iso(T, 330), 2], ['ba', iso(T, -480), 1]]);
    await push('online_and_offline', [['one', iso(T), 5], ['one', iso(T), 6]]);
    const at = iso(T);
    expect(await offline([['ab', at], ['ba', at], ['one', at]])).toEqual([
      [2, expect.any(String)],
      [1, expect.any(String)],
      [6, expect.any(String)],
    ]);
    expect(await online(['ab', 'ba', 'one'])).toEqual([
      [2, 'PRESENT', at],
      [1, 'PRESENT', at],
      [6, 'PRESENT', at],
    ]);
    // A correction pushed again at the same time is served online and used in training sets.
    await push('online_and_offline', [['ab', at, 3]]);
    expect((await offline([['ab', at]]))[0][0]).toBe(3);
    expect((await online(['ab']))[0][0]).toBe(3);
  });

  it(`reads back exactly the microseconds pushed: invisible 400 us earlier, visible at the time, printed in full (${kind})`, async () => {
    await push('online_and_offline', [['micro', iso(T, 60), 7]]);
    expect(await offline([['micro', iso(T - 400)], ['micro', iso(T)], ['micro', iso(T + 1, -600)]])).toEqual([
      [null, expect.stringMatching(/\.1233\+00:00$/)],
      [7, expect.stringMatching(/\.1237\+00:00$/)],
      [7, expect.stringMatching(/\.123701\+00:00$/)],
    ]);
    expect(await online(['micro'])).toEqual([[7, 'PRESENT', iso(T)]]);
    // One microsecond older loses online, one newer wins.
    await push('online', [['micro', iso(T - 1), 8]]);
    expect((await online(['micro']))[0][0]).toBe(7);
    await push('online', [['micro', iso(T + 1), 9]]);
    expect(await online(['micro'])).toEqual([[9, 'PRESENT', iso(T + 1)]]);
  });

  it(`refuses timestamps with more precision than stored, or without an offset, naming the field (${kind})`, async () => {
    const cases: Array<[string, unknown, string, string]> = [
      ['/v1/push', { feature_view: 'tie', to: 'online', rows: [{ user_id: 'a', event_timestamp: iso(T), v: 1 }, { user_id: 'a', event_timestamp: `${iso(T).slice(0, -1)}1Z`, v: 1 }] }, 'TIMESTAMP_TOO_PRECISE', '$.rows[1].event_timestamp'],
      ['/v1/push', { feature_view: 'tie', to: 'offline', rows: [{ user_id: 'a', event_timestamp: iso(T).slice(0, -1), v: 1 }] }, 'INVALID_TIMESTAMP', '$.rows[0].event_timestamp'],
      // A NUL in a key is refused where every request enters (the service kit), before the push reads it.
      ['/v1/push', { feature_view: 'tie', to: 'offline', rows: [{ user_id: 'a', event_timestamp: iso(T), v: 1 }, { user_id: 'nul\u0000', event_timestamp: iso(T), v: 1 }] }, 'INVALID_CHARACTER', '$.rows[1].user_id'],
      ['/v1/historical-features', { features: ['tie:v'], entity_rows: { user_id: ['a', 'b'], event_timestamp: [iso(T), '2026-02-10T00:00:00.0000005Z'] } }, 'TIMESTAMP_TOO_PRECISE', '$.entity_rows.event_timestamp[1]'],
      ['/v1/historical-features', { features: ['tie:v'], label_source: { sql: 'SELECT user_id, ts AS event_timestamp FROM dwh.mart_tie', start: '2026-01-01T00:00:00.1234567Z', end: '2027-01-01T00:00:00Z' } }, 'TIMESTAMP_TOO_PRECISE', '$.label_source.start'],
      ['/v1/materialize', { start: '2026-01-01T00:00:00Z', end: '2027-01-01T00:00:00.00000001Z', views: ['tie'] }, 'TIMESTAMP_TOO_PRECISE', '$.end'],
    ];
    for (const [path, body, code, field] of cases) {
      const res = await callService(svc, 'POST', path, body);
      expect([path, res.status, res.json['code'], (res.json['details'] as Array<{ path?: string }>)?.[0]?.path]).toEqual([path, 400, code, field]);
    }
    // A range shorter than a millisecond is a range.
    const tiny = await callService(svc, 'POST', '/v1/historical-features', { features: ['tie:v'], label_source: { sql: 'SELECT user_id, ts AS event_timestamp FROM dwh.mart_tie', start: iso(T), end: iso(T + 1) } });
    expect(tiny.status).toBe(200);
  });

  it(`materializes by the same rule: a push beats the mart at the same time, the later push beats the earlier, a microsecond newer beats both (${kind})`, async () => {
    await sql(svc.db.url, (c) =>
      c.query(`INSERT INTO dwh.mart_tie VALUES ('m1', $1, 10), ('m2', $1, 20), ('m4', $1, 40), ('m5', $2, 50)`, [iso(T), iso(T + 2)]),
    );
    await push('offline', [['m1', iso(T), 11]]);
    await push('online_and_offline', [['m2', iso(T), 21]]);
    await push('offline', [['m2', iso(T, 120), 22]]);
    // An online-only push is written after m3's offline one: materialization brings the earlier write, which must not replace it.
    await push('offline', [['m3', iso(T), 31]]);
    await push('online', [['m3', iso(T), 32]]);
    await push('online', [['m4', iso(T - 1), 41]]);
    await push('online_and_offline', [['m5', iso(T), 51]]);
    const res = await callService(svc, 'POST', '/v1/materialize', { start: iso(T - 1), end: new Date(Date.now() + 3600_000).toISOString(), views: ['tie'] });
    expect(res.status).toBe(202);
    const [job] = res.json['materializations'] as Array<{ id: number; start: string }>;
    // The window's start keeps its microseconds.
    expect(job.start).toBe(iso(T - 1));
    await waitFor('materialization', async () => {
      const j = (await callService<{ status: string; error: string | null }>(svc, 'GET', `/v1/materializations/${job.id}`)).json;
      if (j.status === 'FAILED') throw new Error(`materialization failed: ${j.error}`);
      return j.status === 'SUCCEEDED' ? j : undefined;
    });
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const expected: Array<[number, string]> = [
      [11, iso(T)],
      [22, iso(T)],
      [32, iso(T)],
      [40, iso(T)],
      [50, iso(T + 2)],
    ];
    expect(await online(ids)).toEqual(expected.map(([v, t]) => [v, 'PRESENT', t]));
    // The training set agrees with what is served, except where a row was pushed online only (m3: never in training sets).
    expect((await offline(ids.map((id) => [id, iso(T + 2)]))).map((r) => r[0])).toEqual([11, 22, 31, 40, 50]);
    // The freshness watermark keeps the newest event time (m5's, from this materialization) to the microsecond.
    const fresh = await callService<{ views: Array<{ view: string; newest_event_timestamp: string }> }>(svc, 'GET', '/v1/freshness');
    expect(fresh.json.views.find((v) => v.view === 'tie')?.newest_event_timestamp).toBe(iso(T + 2));
  });

  if (url) {
    it('reads values stored before microseconds and write sequences, and compares new writes with them', async () => {
      const r = new Redis(url);
      try {
        await r.set(`${prefix}:tie@v1:legacy`, `{"t":${baseMs},"v":{"v":1}}`);
        expect(await online(['legacy'])).toEqual([[1, 'PRESENT', new Date(baseMs).toISOString()]]);
        await push('online', [['legacy', iso(-1), 2]]);
        expect((await online(['legacy']))[0][0]).toBe(1);
        await push('online', [['legacy', iso(0), 3]]);
        expect((await online(['legacy']))[0][0]).toBe(3);
      } finally {
        await r.quit();
      }
    });
  }
});
