import type { FeatureViewDefinition } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { callService, startTestService, testRedisUrl, type TestService } from '@mlp/service-kit/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { ACTIVITY_DEFINITIONS, createMarts, insertActivity, parseTrainingSet, sql } from '../../testing/warehouse-fixtures';
import { VersionRetirementService } from './version-retirement.service';
import { MaterializationService } from '../materialization/materialization.service';

const stores: Array<[string, string | undefined]> = [['postgres', undefined]];
const redis = testRedisUrl();
if (redis) stores.push(['redis', redis]);

const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);
type Job = { id: number; view: string; version: number; status: string };
type Row = { values: unknown[]; statuses: string[] };

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const [DAILY, PROFILE] = ACTIVITY_DEFINITIONS.feature_views!;
/** The same view computed differently: ten times the orders. Its data changes, so it is version 2. */
const DAILY_X10: FeatureViewDefinition = {
  ...DAILY,
  source: { sql: `SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, orders * 10 AS orders, revenue FROM dwh.mart_user_activity_daily` },
};
const users = Array.from({ length: 10 }, (_, i) => `u${i}`);

describe.each(stores)('immutable feature view versions on the %s online store', (kind, redisUrl) => {
  let svc: TestService;
  const prefix = `fs-vv-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: {
        MATERIALIZATION_CHUNKS: '2',
        MATERIALIZATION_POLL_MS: '100',
        // The test drives retirement itself (sweep) and backdates the clocks it reads.
        VERSION_RETIREMENT_CHECK_MS: '3600000',
        FEATURE_VERSION_IDLE_RETIRE_SECONDS: '3600',
        REDIS_URL: redisUrl,
        ONLINE_STORE_PREFIX: prefix,
      },
    });
    await createMarts(svc.db.url);
    await insertActivity(svc.db.url, users.map((u, i) => ({ user_id: u, activity_date: day(-1), orders: i, revenue: i })));
    expect((await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS)).status).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
    if (redisUrl) {
      const r = new Redis(redisUrl);
      const keys = await r.keys(`${prefix}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
    }
  });

  const online = async (ref: string, ids = users) => callService(svc, 'POST', '/v1/online-features', { features: [ref], entities: { user_id: ids } });
  const values = async (ref: string, ids = users) => {
    const res = await online(ref, ids);
    expect(res.status).toBe(200);
    return (res.json['results'] as Row[])[1].values;
  };
  const materialize = async (views = ['daily_activity']) => {
    const res = await callService(svc, 'POST', '/v1/materialize-incremental', { end: new Date(Date.now() + 3600_000).toISOString(), views });
    expect(res.status).toBe(202);
    const jobs = res.json['materializations'] as Job[];
    for (const j of jobs) {
      await waitFor(`materialization ${j.id}`, async () => {
        const got = (await callService<Job>(svc, 'GET', `/v1/materializations/${j.id}`)).json;
        if (got.status === 'FAILED') throw new Error(JSON.stringify(got));
        return got.status === 'SUCCEEDED' ? got : undefined;
      });
    }
    return jobs.map((j) => `${j.view}@v${j.version}`);
  };
  const storedValues = async (viewKey: string): Promise<number> => {
    if (!redisUrl) return Number((await svc.app.get(Database).query<{ n: string }>(`SELECT count(*) AS n FROM "features".online_values WHERE view_key = $1`, [viewKey]))[0].n);
    const r = new Redis(redisUrl);
    try {
      return (await r.keys(`${prefix}:${viewKey}:*`)).length;
    } finally {
      r.disconnect();
    }
  };
  const backdate = (version: number) =>
    sql(svc.db.url, (c) => c.query(`UPDATE features.feature_views SET superseded_at = now() - interval '2 hours', last_online_read_at = now() - interval '2 hours' WHERE name = 'daily_activity' AND version = $1`, [version]));
  const sweep = () => svc.app.get(VersionRetirementService).sweep();
  const trainingSet = async (features: string[]) => {
    const res = await callService(svc, 'POST', '/v1/historical-features', { features, full_feature_names: true, entity_rows: { user_id: ['u3'], event_timestamp: [new Date().toISOString()] } });
    expect(res.status).toBe(200);
    return { ...parseTrainingSet(res.text), versions: res.headers.get('x-feature-view-versions') };
  };

  it('a change of source SQL makes a new version; the old one keeps its values, keeps being materialized and is served when pinned', async () => {
    expect(await materialize()).toEqual(['daily_activity@v1']);
    expect(await values('daily_activity:orders')).toEqual(users.map((_, i) => i));
    const before = await trainingSet(['daily_activity:orders']);
    expect([before.metadata['feature_refs'], before.versions]).toEqual([['daily_activity@v1:orders'], 'daily_activity@v1']);

    const applied = await callService(svc, 'POST', '/v1/apply', { feature_views: [DAILY_X10] });
    expect(applied.json['changed']).toEqual([{ kind: 'feature_view', name: 'daily_activity', version: 2, fields: ['source'], new_version: true }]);
    const view = (await callService(svc, 'GET', '/v1/feature-views/daily_activity')).json as { version: number; versions: Array<Record<string, unknown>> };
    expect(view.version).toBe(2);
    expect(view.versions.map((v) => [v['version'], v['live'], v['superseded_at'] !== null, v['retired_at']])).toEqual([
      [1, true, true, null],
      [2, true, false, null],
    ]);
    // Both live versions are materialized, each from its own source SQL.
    expect((await materialize()).sort()).toEqual(['daily_activity@v1', 'daily_activity@v2']);
    expect(await values('daily_activity:orders')).toEqual(users.map((_, i) => i * 10));
    expect(await values('daily_activity@v1:orders')).toEqual(users.map((_, i) => i));

    // The mart moves on: the older version is kept fresh with its own definition.
    await insertActivity(svc.db.url, [{ user_id: 'u3', activity_date: day(-1), orders: 50, revenue: 3 }]);
    await materialize();
    expect(await values('daily_activity@v1:orders', ['u3'])).toEqual([50]);
    expect(await values('daily_activity:orders', ['u3'])).toEqual([500]);
    const freshness = (await callService(svc, 'GET', '/v1/freshness')).json['views'] as Array<{ view: string; version: number; status: string }>;
    expect(freshness.filter((f) => f.view === 'daily_activity').map((f) => [f.version, f.status])).toEqual([
      [2, 'OK'],
      [1, 'OK'],
    ]);

    // A training set says which version each column came from, in its metadata and a header.
    const both = await trainingSet(['daily_activity:orders', 'daily_activity@v1:orders']);
    expect(both.rows[0]).toMatchObject({ daily_activity__orders: 500, daily_activity__v1__orders: 50 });
    expect([both.metadata['feature_refs'], both.versions]).toEqual([['daily_activity@v2:orders', 'daily_activity@v1:orders'], 'daily_activity@v2,daily_activity@v1']);
  });

  it('retires an older version only when nothing pins or reads it for the idle period; a retired version is offline-only until restored', async () => {
    // Pinned by a feature service: kept however idle.
    expect((await callService(svc, 'POST', '/v1/apply', { feature_services: [{ name: 'legacy', features: ['daily_activity@v1:orders'] }] })).status).toBe(200);
    await backdate(1);
    expect(await sweep()).toEqual([]);
    const pinned = await callService(svc, 'POST', '/v1/feature-views/daily_activity/versions/1/retire');
    expect([pinned.status, pinned.json['code']]).toEqual([409, 'VERSION_PINNED']);
    const head = await callService(svc, 'POST', '/v1/feature-views/daily_activity/versions/2/retire');
    expect([head.status, head.json['code']]).toEqual([409, 'VERSION_IS_HEAD']);
    const unknown = await callService(svc, 'POST', '/v1/feature-views/daily_activity/versions/7/retire');
    expect([unknown.status, unknown.json['code']]).toEqual([404, 'UNKNOWN_FEATURE_VERSION']);
    expect((await callService(svc, 'POST', '/v1/apply', { entities: ACTIVITY_DEFINITIONS.entities, feature_views: [DAILY_X10, PROFILE], feature_services: ACTIVITY_DEFINITIONS.feature_services, prune: true })).json['removed']).toEqual([
      { kind: 'feature_service', name: 'legacy' },
    ]);

    // Read online within the period (a served model): kept. The read counts once it is flushed.
    await backdate(1);
    await values('daily_activity@v1:orders', ['u1']);
    expect(await sweep()).toEqual([]);
    const [{ read }] = await sql(svc.db.url, async (c) => (await c.query(`SELECT last_online_read_at > now() - interval '1 minute' AS read FROM features.feature_views WHERE name = 'daily_activity' AND version = 1`)).rows);
    expect(read).toBe(true);

    // Idle: retired, its online values dropped, no longer materialized or watched.
    await backdate(1);
    expect(await storedValues('daily_activity@v1')).toBe(users.length);
    expect(await sweep()).toEqual([{ view: 'daily_activity', version: 1, reason: 'IDLE' }]);
    expect(await storedValues('daily_activity@v1')).toBe(0);
    expect(await storedValues('daily_activity@v2')).toBe(users.length);
    const retired = await online('daily_activity@v1:orders');
    expect([retired.status, retired.json['code']]).toEqual([409, 'FEATURE_VERSION_RETIRED']);
    expect(await materialize()).toEqual(['daily_activity@v2']);
    expect(((await callService(svc, 'GET', '/v1/freshness')).json['views'] as Array<{ view: string; version: number }>).filter((f) => f.view === 'daily_activity').map((f) => f.version)).toEqual([2]);
    const listed = (await callService(svc, 'GET', '/v1/feature-views/daily_activity')).json as { versions: Array<Record<string, unknown>> };
    expect(listed.versions.map((v) => [v['version'], v['live'], v['retired_reason']])).toEqual([
      [1, false, 'IDLE'],
      [2, true, null],
    ]);
    // Offline it is as readable as ever; a service may not pin it while it is retired.
    expect((await trainingSet(['daily_activity@v1:orders'])).rows[0]).toMatchObject({ daily_activity__v1__orders: 50 });
    const pin = await callService(svc, 'POST', '/v1/apply', { feature_services: [{ name: 'legacy', features: ['daily_activity@v1:orders'] }] });
    expect([pin.status, pin.json['code']]).toEqual([409, 'FEATURE_VERSION_RETIRED']);

    // Restore: served again, its materialization started at once.
    const restored = await callService(svc, 'POST', '/v1/feature-views/daily_activity/versions/1/restore');
    expect(restored.status).toBe(200);
    const [job] = restored.json['materializations'] as Job[];
    expect(`${job.view}@v${job.version}`).toBe('daily_activity@v1');
    await waitFor('restored version materialized', async () => ((await callService<Job>(svc, 'GET', `/v1/materializations/${job.id}`)).json.status === 'SUCCEEDED' ? true : undefined));
    expect(await values('daily_activity@v1:orders')).toEqual(users.map((_, i) => (i === 3 ? 50 : i)));

    // Explicit retirement: at once, whatever the clocks say.
    const explicit = await callService(svc, 'POST', '/v1/feature-views/daily_activity/versions/1/retire');
    expect([explicit.status, explicit.json]).toEqual([200, { view: 'daily_activity', version: 1, retired: true, reason: 'EXPLICIT', online_values_dropped: users.length }]);
    expect(await storedValues('daily_activity@v1')).toBe(0);
    expect((await online('daily_activity@v1:orders')).json['code']).toBe('FEATURE_VERSION_RETIRED');
  });
});

describe('a materialization of a version retired while it runs', () => {
  it('writes nothing online: its chunks see the version retired and the job fails', async () => {
    const svc = await startTestService(service, AppModule, { env: { MATERIALIZATION_WORKER: 'false', MATERIALIZATION_CHUNKS: '2', REDIS_URL: undefined } });
    try {
      await createMarts(svc.db.url);
      await insertActivity(svc.db.url, users.map((u, i) => ({ user_id: u, activity_date: day(-1), orders: i })));
      expect((await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS)).status).toBe(200);
      expect((await callService(svc, 'POST', '/v1/apply', { feature_views: [DAILY_X10] })).status).toBe(200);
      const res = await callService(svc, 'POST', '/v1/materialize', { start: `${day(-3)}T00:00:00Z`, end: new Date(Date.now() + 3600_000).toISOString(), views: ['daily_activity'] });
      const v1 = (res.json['materializations'] as Job[]).find((j) => j.version === 1)!;
      // Staged, then retired between staging and the chunks (what a concurrent retirement looks like to them).
      const worker = svc.app.get(MaterializationService);
      const staged = async () => (await sql(svc.db.url, async (c) => (await c.query(`SELECT staged_at FROM features.materializations WHERE id = $1`, [v1.id])).rows))[0].staged_at !== null;
      while (!(await staged())) expect(await worker.drain(1)).toBe(1);
      await sql(svc.db.url, (c) => c.query(`UPDATE features.feature_views SET retired_at = now(), retired_reason = 'EXPLICIT' WHERE name = 'daily_activity' AND version = 1`));
      await worker.drain();
      const [job] = await sql(svc.db.url, async (c) => (await c.query(`SELECT status, error FROM features.materializations WHERE id = $1`, [v1.id])).rows);
      expect(job).toEqual({ status: 'FAILED', error: 'feature view version daily_activity@v1 is retired' });
      const [{ n }] = await sql(svc.db.url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM features.online_values WHERE view_key = 'daily_activity@v1'`)).rows);
      expect(n).toBe(0);
      const [{ m }] = await sql(svc.db.url, async (c) => (await c.query(`SELECT count(*)::int AS m FROM features.online_values WHERE view_key = 'daily_activity@v2'`)).rows);
      expect(m).toBe(users.length);
    } finally {
      await svc.close();
    }
  });
});
