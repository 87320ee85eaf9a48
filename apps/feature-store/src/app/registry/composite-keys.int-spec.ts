import { callService, startTestService, testRedisUrl, type TestService } from '@mlp/service-kit/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { createMarts, parseTrainingSet, sql } from '../../testing/warehouse-fixtures';

/** An entity addressed by two join keys: a (user, merchant) pair, with a daily spend mart. */
const PAIR_DEFINITIONS = {
  entities: [
    { name: 'card_user', join_key: 'user_id', value_type: 'string' },
    { name: 'user_merchant', join_keys: ['user_id', 'merchant_id'], value_type: 'string' },
  ],
  feature_views: [
    {
      name: 'pair_spend',
      entities: ['user_merchant'],
      features: [
        { name: 'spend', type: 'float64' },
        { name: 'txns', type: 'int64' },
      ],
      source: { sql: `SELECT user_id, merchant_id, (day + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, spend, txns FROM dwh.mart_user_merchant_daily` },
      ttl_seconds: 30 * 86400,
      online: true,
    },
    {
      name: 'user_plan',
      entities: ['card_user'],
      features: [{ name: 'plan', type: 'string' }],
      source: { sql: `SELECT user_id, updated_at AS event_timestamp, plan FROM dwh.mart_user_profile` },
      ttl_seconds: 3650 * 86400,
      online: true,
    },
  ],
  feature_services: [{ name: 'fraud', features: ['pair_spend:spend', 'pair_spend:txns', 'user_plan:plan'] }],
};

const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stores: Array<[string, string | undefined]> = [['postgres', undefined]];
const redis = testRedisUrl();
if (redis) stores.push(['redis', redis]);

describe.each(stores)('composite join keys end to end on the %s store', (kind, redisUrl) => {
  let svc: TestService;
  const prefix = `fs-test-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: { MATERIALIZATION_CHUNKS: '3', MATERIALIZATION_POLL_MS: '100', REDIS_URL: redisUrl, ONLINE_STORE_PREFIX: prefix },
    });
    await createMarts(svc.db.url);
    await sql(svc.db.url, async (c) => {
      await c.query(`CREATE TABLE dwh.mart_user_merchant_daily (user_id text, merchant_id text, day date, spend numeric(12,2), txns int, PRIMARY KEY (user_id, merchant_id, day))`);
      // Pairs whose naive concatenation collides ("a:b"+"c" vs "a"+"b:c"), a multi-byte value, and
      // the same user with two merchants.
      await c.query(
        `INSERT INTO dwh.mart_user_merchant_daily VALUES
           ('a:b', 'c', $1, 1, 1), ('a', 'b:c', $1, 2, 2), ('ü', 'm', $1, 3, 3), ('u1', 'm1', $1, 10, 1), ('u1', 'm2', $1, 20, 2), ('u1', 'm1', $2, 15, 5)`,
        [day(-3), day(-1)],
      );
      await c.query(`INSERT INTO dwh.mart_user_profile VALUES ('u1', $1, 'DE', 'pro', now() - interval '10 days')`, [day(-100)]);
    });
    const applied = await callService(svc, 'POST', '/v1/apply', PAIR_DEFINITIONS);
    expect([applied.status, applied.text]).toEqual([200, applied.text]);
    expect((applied.json['sources'] as Array<{ status: string }>).map((s) => s.status)).toEqual(['READY', 'READY']);
  });
  afterAll(async () => {
    await svc.close();
    if (redisUrl) {
      const r = new Redis(redisUrl);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length) await r.del(...keys);
      await r.quit();
    }
  });

  const online = (entities: Record<string, unknown[]>, features: string[] | undefined = undefined) =>
    callService(svc, 'POST', '/v1/online-features', features ? { features, entities } : { feature_service: 'fraud', entities });

  it(`refuses entities with neither or both key forms, and sources lacking a key (${kind})`, async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ entities: [{ name: 'bad', value_type: 'string' }] }, 400, 'INVALID_ENTITY'],
      [{ entities: [{ name: 'bad', join_key: 'a', join_keys: ['a', 'b'], value_type: 'string' }] }, 400, 'INVALID_ENTITY'],
      [{ entities: [{ name: 'bad', join_keys: ['a', 'a'], value_type: 'string' }] }, 400, 'VALIDATION_FAILED'],
      [
        {
          entities: [{ name: 'trio', join_keys: ['user_id', 'merchant_id', 'terminal_id'], value_type: 'string' }],
          feature_views: [{ ...PAIR_DEFINITIONS.feature_views[0], name: 'trio_spend', entities: ['trio'] }],
        },
        400,
        'INVALID_SOURCE',
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await callService(svc, 'POST', '/v1/apply', body);
      expect([res.status, res.json['code']]).toEqual([status, code]);
    }
  });

  it(`builds point-in-time training sets keyed by both join keys, from entity rows and from a label source (${kind})`, async () => {
    const t = (offset: number) => `${day(offset)}T12:00:00Z`;
    const res = await callService(svc, 'POST', '/v1/historical-features', {
      feature_service: 'fraud',
      entity_rows: { user_id: ['u1', 'u1', 'u1', 'a:b', 'a', 'a:b'], merchant_id: ['m1', 'm1', 'm2', 'c', 'b:c', 'b:c'], event_timestamp: [t(-2), t(0), t(0), t(0), t(0), t(0)] },
    });
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    const set = parseTrainingSet(res.text);
    expect(set.metadata['columns']).toEqual(['user_id', 'merchant_id', 'event_timestamp', 'spend', 'txns', 'plan']);
    expect(set.rows.map((r) => [r['user_id'], r['merchant_id'], r['spend'], r['txns'], r['plan']])).toEqual([
      ['u1', 'm1', 10, 1, 'pro'],
      ['u1', 'm1', 15, 5, 'pro'],
      ['u1', 'm2', 20, 2, 'pro'],
      ['a:b', 'c', 1, 1, null],
      ['a', 'b:c', 2, 2, null],
      ['a:b', 'b:c', null, null, null],
    ]);

    const labelled = await callService(svc, 'POST', '/v1/historical-features', {
      features: ['pair_spend:spend'],
      label_source: {
        sql: `SELECT user_id, merchant_id, (day + 2)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, txns > 1 AS label FROM dwh.mart_user_merchant_daily WHERE user_id = 'u1'`,
        start: `${day(-10)}T00:00:00Z`,
        end: `${day(10)}T00:00:00Z`,
      },
    });
    expect(labelled.status).toBe(200);
    expect(parseTrainingSet(labelled.text).rows.map((r) => [r['merchant_id'], r['label'], r['spend']])).toEqual([
      ['m1', false, 10],
      ['m2', true, 20],
      ['m1', true, 15],
    ]);

    const missing = await callService(svc, 'POST', '/v1/historical-features', { feature_service: 'fraud', entity_rows: { user_id: ['u1'], event_timestamp: [t(0)] } });
    expect([missing.status, missing.json['code']]).toEqual([400, 'MISSING_JOIN_KEY']);
  });

  it(`materializes composite keys online and serves them by column, without key collisions (${kind})`, async () => {
    const started = await callService(svc, 'POST', '/v1/materialize', { start: `${day(-30)}T00:00:00Z`, end: new Date(Date.now() + 3600_000).toISOString(), views: ['pair_spend', 'user_plan'] });
    expect(started.status).toBe(202);
    const ids = (started.json['materializations'] as Array<{ id: number }>).map((j) => j.id);
    for (const id of ids) {
      await waitFor(`materialization ${id}`, async () => {
        const j = (await callService(svc, 'GET', `/v1/materializations/${id}`)).json;
        return j['status'] === 'SUCCEEDED' ? j : undefined;
      });
    }
    const res = await online({ user_id: ['a:b', 'a', 'ü', 'u1', 'u1', 'a:b'], merchant_id: ['c', 'b:c', 'm', 'm1', 'm2', 'b:c'] });
    expect(res.status).toBe(200);
    const body = res.json as { metadata: { feature_names: string[] }; results: Array<{ values: unknown[]; statuses: string[] }> };
    expect(body.metadata.feature_names).toEqual(['user_id', 'merchant_id', 'spend', 'txns', 'plan']);
    expect(body.results[2].values).toEqual([1, 2, 3, 15, 20, null]);
    expect(body.results[2].statuses).toEqual(['PRESENT', 'PRESENT', 'PRESENT', 'PRESENT', 'PRESENT', 'NOT_FOUND']);
    expect(body.results[4].values).toEqual([null, null, null, 'pro', 'pro', null]);
  });

  it(`pushes composite rows and refuses columns of different lengths or missing keys with 400 codes (${kind})`, async () => {
    const pushed = await callService(svc, 'POST', '/v1/push', {
      feature_view: 'pair_spend',
      to: 'online_and_offline',
      rows: [{ user_id: 'p', merchant_id: 'q:r', event_timestamp: new Date().toISOString(), spend: 7.5, txns: 7 }],
    });
    expect([pushed.status, pushed.json['online_written'], pushed.json['offline_written']]).toEqual([200, 1, 1]);
    const read = await online({ user_id: ['p', 'p:q'], merchant_id: ['q:r', 'r'] }, ['pair_spend:txns']);
    expect((read.json['results'] as Array<{ values: unknown[] }>)[2].values).toEqual([7, null]);
    const offline = await callService(svc, 'POST', '/v1/historical-features', {
      features: ['pair_spend:txns'],
      entity_rows: { user_id: ['p'], merchant_id: ['q:r'], event_timestamp: [new Date(Date.now() + 1000).toISOString()] },
    });
    expect(parseTrainingSet(offline.text).rows[0]['txns']).toBe(7);

    const cases: Array<[string, unknown, string]> = [
      ['/v1/online-features', { feature_service: 'fraud', entities: { user_id: ['u1', 'u2'], merchant_id: ['m1'] } }, 'ENTITY_LENGTH_MISMATCH'],
      ['/v1/online-features', { feature_service: 'fraud', entities: { user_id: ['u1'] } }, 'MISSING_JOIN_KEY'],
      ['/v1/online-features', { feature_service: 'fraud', entities: { user_id: ['u1'], merchant_id: [3] } }, 'WRONG_KEY_TYPE'],
      ['/v1/push', { feature_view: 'pair_spend', to: 'online', rows: [{ user_id: 'p', event_timestamp: new Date().toISOString(), spend: 1, txns: 1 }] }, 'MISSING_JOIN_KEY'],
    ];
    for (const [path, body, code] of cases) {
      const res = await callService(svc, 'POST', path, body);
      expect([path, res.status, res.json['code']]).toEqual([path, 400, code]);
    }
  });
});
