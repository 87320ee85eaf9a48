import { GetOnlineFeaturesMessage, ServiceName } from '@mlp/contracts';
import { loadPlatformConfig, ServiceClient } from '@mlp/service-kit';
import { callService, startTestService, testRedisUrl, type TestService } from '@mlp/service-kit/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { ACTIVITY_DEFINITIONS, createMarts } from '../../testing/warehouse-fixtures';

const stores: Array<[string, string | undefined]> = [['postgres', undefined]];
const redis = testRedisUrl();
if (redis) stores.push(['redis', redis]);

describe.each(stores)('online features on the %s store', (kind, redisUrl) => {
  let svc: TestService;
  const prefix = `fs-test-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: { MATERIALIZATION_WORKER: 'false', REDIS_URL: redisUrl, ONLINE_STORE_PREFIX: prefix },
    });
    await createMarts(svc.db.url);
    expect((await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS)).status).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
    if (redisUrl) {
      // The machine's Redis is shared: leave nothing behind.
      const r = new Redis(redisUrl);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length) await r.del(...keys);
      await r.quit();
    }
  });

  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

  it(`serves pushed values with PRESENT / NOT_FOUND / OUTSIDE_MAX_AGE, ttl enforced at read time (${kind})`, async () => {
    const pushed = await callService(svc, 'POST', '/v1/push', {
      feature_view: 'daily_activity',
      to: 'online',
      rows: [
        { user_id: 'fresh', event_timestamp: hoursAgo(1), orders: 4, revenue: 12.5 },
        { user_id: 'stale', event_timestamp: hoursAgo(49), orders: 9, revenue: 1 },
        { user_id: 'nulls', event_timestamp: hoursAgo(2), orders: null, revenue: 3 },
      ],
    });
    expect([pushed.status, pushed.json['online_written']]).toEqual([200, 3]);
    const res = await callService(svc, 'POST', '/v1/online-features', { features: ['daily_activity:orders', 'daily_activity:revenue'], entities: { user_id: ['fresh', 'stale', 'ghost', 'nulls'] } });
    expect(res.status).toBe(200);
    const body = res.json as { metadata: { feature_names: string[] }; results: Array<{ values: unknown[]; statuses: string[]; event_timestamps: Array<string | null> }> };
    expect(body.metadata.feature_names).toEqual(['user_id', 'orders', 'revenue']);
    expect(body.results[0].values).toEqual(['fresh', 'stale', 'ghost', 'nulls']);
    expect(body.results[1].values).toEqual([4, null, null, null]);
    expect(body.results[1].statuses).toEqual(['PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND', 'PRESENT']);
    expect(body.results[2].values).toEqual([12.5, null, null, 3]);
    expect(body.results[1].event_timestamps[2]).toBeNull();
    expect(body.results[1].event_timestamps[1]).not.toBeNull();
  });

  it(`keeps the newer value when an older row arrives late (${kind})`, async () => {
    await callService(svc, 'POST', '/v1/push', { feature_view: 'daily_activity', to: 'online', rows: [{ user_id: 'late', event_timestamp: hoursAgo(1), orders: 2, revenue: 2 }] });
    const late = await callService(svc, 'POST', '/v1/push', { feature_view: 'daily_activity', to: 'online', rows: [{ user_id: 'late', event_timestamp: hoursAgo(5), orders: 1, revenue: 1 }] });
    expect(late.json['online_written']).toBe(0);
    const res = await callService(svc, 'POST', '/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: ['late'] } });
    expect((res.json['results'] as Array<{ values: unknown[] }>)[1].values).toEqual([2]);
  });

  it(`answers the same request over the transport for model-serving (${kind})`, async () => {
    await callService(svc, 'POST', '/v1/push', { feature_view: 'profile', to: 'online', rows: [{ user_id: 'fresh', event_timestamp: hoursAgo(3), country: 'DE', plan: 'pro' }] });
    const config = loadPlatformConfig(service, { DATABASE_URL: svc.db.url, PEERS: `feature-store=127.0.0.1:${svc.tcpPort}` });
    const client = new ServiceClient(ServiceName.FEATURE_STORE, ServiceName.MODEL_SERVING, config);
    try {
      const reply = await client.send(GetOnlineFeaturesMessage, { feature_service: 'churn', entities: { user_id: ['fresh', 'ghost'] } });
      expect(reply.metadata.feature_names).toEqual(['user_id', 'orders', 'revenue', 'country']);
      expect(reply.results.map((r) => r.values)).toEqual([['fresh', 'ghost'], [4, null], [12.5, null], ['DE', null]]);
      expect(reply.results[3].statuses).toEqual(['PRESENT', 'NOT_FOUND']);
      await expect(client.send(GetOnlineFeaturesMessage, { features: ['daily_activity:nope'], entities: { user_id: ['a'] } })).rejects.toMatchObject({ status: 400, code: 'UNKNOWN_FEATURE' });
      // The HTTP route (answered before Nest's pipeline) and the transport handler give the same answer.
      const overHttp = await callService(svc, 'POST', '/v1/online-features', { feature_service: 'churn', entities: { user_id: ['fresh', 'ghost'] } });
      expect([overHttp.status, overHttp.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
      expect(overHttp.json).toEqual(JSON.parse(JSON.stringify(reply)));
    } finally {
      await client.close();
    }
  });

  it(`refuses unknown views and features, wrong key types, bad pushes and injection attempts with 400 codes (${kind})`, async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v1/online-features', { features: ['nope:orders'], entities: { user_id: ['a'] } }, 'UNKNOWN_FEATURE_VIEW'],
      ['/v1/online-features', { features: ['daily_activity:nope'], entities: { user_id: ['a'] } }, 'UNKNOWN_FEATURE'],
      ['/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: [1] } }, 'WRONG_KEY_TYPE'],
      ['/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: ['a'], account_id: ['b'] } }, 'UNKNOWN_JOIN_KEY'],
      ['/v1/online-features', { features: ["daily_activity:orders' OR '1'='1"], entities: { user_id: ['a'] } }, 'VALIDATION_FAILED'],
      ['/v1/online-features', { feature_service: 'x"; DROP TABLE features.online_values; --', entities: { user_id: ['a'] } }, 'VALIDATION_FAILED'],
      ['/v1/push', { feature_view: 'daily_activity', to: 'online', rows: [{ user_id: 'a', event_timestamp: hoursAgo(1), orders: 'many', revenue: 1 }] }, 'WRONG_FEATURE_TYPE'],
      ['/v1/push', { feature_view: 'daily_activity', to: 'online', rows: [{ user_id: 'a', event_timestamp: hoursAgo(1), orders: 1 }] }, 'MISSING_FEATURE'],
      ['/v1/push', { feature_view: 'daily_activity', to: 'online', rows: [{ user_id: 'a', event_timestamp: 'yesterday', orders: 1, revenue: 1 }] }, 'INVALID_TIMESTAMP'],
      ['/v1/push', { feature_view: 'nope', to: 'online', rows: [{ user_id: 'a' }] }, 'UNKNOWN_FEATURE_VIEW'],
    ];
    for (const [path, body, code] of cases) {
      const res = await callService(svc, 'POST', path, body);
      expect([path, res.status, res.json['code']]).toEqual([path, 400, code]);
    }
  });
});

describe('online features with tokens', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: {
        MATERIALIZATION_WORKER: 'false',
        AUTH_TOKENS: JSON.stringify([
          { name: 'admin', token: 'admin-token-0123456789', scopes: ['admin'] },
          { name: 'reader', token: 'reader-token-0123456789', scopes: ['features:read'] },
          { name: 'writer', token: 'writer-token-0123456789', scopes: ['features:write'] },
        ]),
      },
    });
    await createMarts(svc.db.url);
    const applied = await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS, { authorization: 'Bearer admin-token-0123456789' });
    expect(applied.status).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
  });

  const read = async (token?: string, body: unknown = { features: ['daily_activity:orders'], entities: { user_id: ['a'] } }) => {
    const res = await callService(svc, 'POST', '/v1/online-features', body, token ? { authorization: `Bearer ${token}` } : {});
    return { ...res, requestId: res.headers.get('x-request-id') };
  };

  it('needs a token with features:read, checked before the body', async () => {
    const anonymous = await read(undefined, { not: 'a valid request' });
    expect([anonymous.status, anonymous.json['code']]).toEqual([401, 'UNAUTHENTICATED']);
    expect(anonymous.json['requestId']).toBe(anonymous.requestId);
    const unknown = await read('not-a-configured-token-000');
    expect([unknown.status, unknown.json['code']]).toEqual([401, 'UNAUTHENTICATED']);
    const wrongScope = await read('writer-token-0123456789');
    expect([wrongScope.status, wrongScope.json['code'], wrongScope.json['details']]).toEqual([403, 'FORBIDDEN', [{ code: 'MISSING_SCOPE', message: 'features:read' }]]);
    const invalid = await read('reader-token-0123456789', { features: 'daily_activity:orders' });
    expect([invalid.status, invalid.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
    for (const token of ['reader-token-0123456789', 'admin-token-0123456789']) {
      const ok = await read(token);
      expect([ok.status, (ok.json['metadata'] as { feature_names: string[] }).feature_names]).toEqual([200, ['user_id', 'orders']]);
    }
  });
});
