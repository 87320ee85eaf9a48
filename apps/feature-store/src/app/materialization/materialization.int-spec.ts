import { MartRefreshedEvent, ServiceName } from '@mlp/contracts';
import { loadPlatformConfig, ServiceClient } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { ACTIVITY_DEFINITIONS, createMarts, insertActivity, sql } from '../../testing/warehouse-fixtures';

const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);
const CHUNKS = 4;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Job = { id: number; status: string; chunks_done: number; chunks_total: number; rows_written: number; start: string; end: string };

describe('materialization, statistics and freshness on a real PostgreSQL', () => {
  let svc: TestService;
  let hooks: Server;
  const received: Array<{ event: string; payload: Record<string, unknown> }> = [];
  const users = Array.from({ length: 40 }, (_, i) => `m${i}`);

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    svc = await startTestService(service, AppModule, {
      env: {
        MATERIALIZATION_CHUNKS: String(CHUNKS),
        MATERIALIZATION_POLL_MS: '100',
        FRESHNESS_CHECK_MS: '200',
        OUTBOX_POLL_MS: '100',
        WEBHOOK_URLS: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`,
        REDIS_URL: undefined,
      },
    });
    await createMarts(svc.db.url);
    // Two days per user: the older one must never win; m0..m9 have no row in the window.
    await insertActivity(svc.db.url, [
      ...users.map((u, i) => ({ user_id: u, activity_date: day(-4), orders: 100 + i, revenue: 1 })),
      ...users.slice(10).map((u, i) => ({ user_id: u, activity_date: day(-1), orders: i, revenue: i % 2 === 0 ? 10 : 20 })),
    ]);
    expect((await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS)).status).toBe(200);
  });
  afterAll(async () => {
    await svc.close();
    hooks.close();
  });

  const online = async (ids: string[]) => {
    const res = await callService(svc, 'POST', '/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: ids } });
    return (res.json['results'] as Array<{ values: unknown[]; statuses: string[] }>)[1];
  };
  const job = async (id: number) => (await callService<Job>(svc, 'GET', `/v1/materializations/${id}`)).json;

  it('copies the latest value per entity in [start, end) in chunks and computes statistics', async () => {
    const start = `${day(-2)}T00:00:00Z`;
    const end = new Date(Date.now() + 3600_000).toISOString();
    const res = await callService(svc, 'POST', '/v1/materialize', { start, end, views: ['daily_activity'] });
    expect(res.status).toBe(202);
    const [created] = res.json['materializations'] as Job[];
    const done = await waitFor('materialization', async () => {
      const j = await job(created.id);
      return j.status === 'SUCCEEDED' ? j : undefined;
    });
    expect([done.chunks_done, done.chunks_total, done.rows_written]).toEqual([CHUNKS, CHUNKS, 30]);
    const got = await online(['m10', 'm39', 'm0']);
    expect(got.values).toEqual([0, 29, null]);
    expect(got.statuses).toEqual(['PRESENT', 'PRESENT', 'NOT_FOUND']);

    const stats = await callService(svc, 'GET', '/v1/feature-views/daily_activity/stats');
    expect(stats.status).toBe(200);
    const [orders, revenue] = stats.json['features'] as Array<Record<string, unknown>>;
    // orders 0..29: mean 14.5, population std sqrt((30^2 - 1) / 12), median 14.5.
    expect(orders).toMatchObject({ feature: 'orders', count: 30, null_count: 0, null_rate: 0, min: 0, max: 29, mean: 14.5 });
    expect(orders['std'] as number).toBeCloseTo(Math.sqrt((30 * 30 - 1) / 12), 6);
    expect((orders['quantiles'] as Record<string, number>)['p50']).toBeCloseTo(14.5, 6);
    expect((orders['histogram'] as { counts: number[] }).counts).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(revenue).toMatchObject({ feature: 'revenue', mean: 15, min: 10, max: 20 });
    expect((revenue['histogram'] as { counts: number[] }).counts.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('materializes incrementally from where the last run ended, re-reading the ttl window for late rows; a backfill of older rows never overwrites newer values', async () => {
    const list = (await callService(svc, 'GET', '/v1/materializations?view=daily_activity')).json['materializations'] as Job[];
    const lastEnd = list[0].end;
    // Activity of tomorrow has its event time two days ahead: inside [last end, end) whatever the hour.
    await insertActivity(svc.db.url, [{ user_id: 'm11', activity_date: day(1), orders: 555 }]);
    const res = await callService(svc, 'POST', '/v1/materialize-incremental', { end: new Date(Date.now() + 2 * 86400_000).toISOString(), views: ['daily_activity'] });
    const [inc] = res.json['materializations'] as Job[];
    // It starts where the last run ended or, when earlier, at end - ttl (re-reading the ttl window).
    expect(Date.parse(inc.start)).toBeLessThanOrEqual(Date.parse(lastEnd));
    expect(Date.parse(inc.start)).toBeGreaterThanOrEqual(Date.parse(lastEnd) - 7 * 86400_000);
    await waitFor('incremental', async () => ((await job(inc.id)).status === 'SUCCEEDED' ? true : undefined));
    expect((await online(['m10', 'm11'])).values).toEqual([0, 555]);

    // A row that lands after that run with an event time before its end (a late mart rebuild) is
    // still picked up: each incremental run re-reads the ttl window.
    await insertActivity(svc.db.url, [{ user_id: 'm12', activity_date: day(-1), orders: 77 }]);
    const late = await callService(svc, 'POST', '/v1/materialize-incremental', { end: new Date().toISOString(), views: ['daily_activity'] });
    const [lateJob] = late.json['materializations'] as Job[];
    await waitFor('late rows', async () => ((await job(lateJob.id)).status === 'SUCCEEDED' ? true : undefined));
    expect((await online(['m12', 'm11'])).values).toEqual([77, 555]);

    // Backfill of an older window: m10's older row must not replace its newer value; m0 only has
    // the old row, which is written but is older than the ttl when read.
    const backfill = await callService(svc, 'POST', '/v1/materialize', { start: `${day(-4)}T00:00:00Z`, end: `${day(-1)}T00:00:00Z`, views: ['daily_activity'] });
    const [b] = backfill.json['materializations'] as Job[];
    await waitFor('backfill', async () => ((await job(b.id)).status === 'SUCCEEDED' ? true : undefined));
    const got = await online(['m10', 'm0']);
    expect(got.values).toEqual([0, null]);
    expect(got.statuses).toEqual(['PRESENT', 'OUTSIDE_MAX_AGE']);
  });

  it('reports freshness per view in the status endpoint and /metrics, and sends breach and recovery events', async () => {
    // The materialized values are from today 00:00 UTC: within the 2-day SLA.
    const ok = await callService(svc, 'GET', '/v1/freshness');
    const views = ok.json['views'] as Array<{ view: string; status: string; age_seconds: number; sla_seconds: number }>;
    expect(views.find((v) => v.view === 'daily_activity')).toMatchObject({ status: 'OK', sla_seconds: 172800 });
    expect(views.find((v) => v.view === 'profile')).toMatchObject({ status: 'NO_DATA' });
    const metrics = (await callService(svc, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/feature_view_freshness_seconds\{[^}]*view="daily_activity"[^}]*\} \d/);
    expect(metrics).toMatch(/feature_view_freshness_breached\{[^}]*view="daily_activity"[^}]*\} 0/);

    // A profile value ten seconds old is fresh under the default SLA (the ttl)...
    await callService(svc, 'POST', '/v1/push', { feature_view: 'profile', to: 'online', rows: [{ user_id: 'm1', event_timestamp: new Date(Date.now() - 10_000).toISOString(), country: 'DE', plan: 'pro' }] });
    await waitFor('profile OK', async () => {
      const v = ((await callService(svc, 'GET', '/v1/freshness')).json['views'] as Array<{ view: string; status: string }>).find((x) => x.view === 'profile');
      return v?.status === 'OK' ? v : undefined;
    });
    // ...and breaches once the SLA is tightened to one second: one event; a fresh push recovers it.
    const tight = { ...ACTIVITY_DEFINITIONS, feature_views: ACTIVITY_DEFINITIONS.feature_views!.map((v) => (v.name === 'profile' ? { ...v, freshness_sla_seconds: 1 } : v)) };
    const applied = await callService(svc, 'POST', '/v1/apply', tight);
    expect(applied.json['changed']).toEqual([expect.objectContaining({ name: 'profile', fields: ['freshness_sla_seconds'], new_version: false })]);
    const breach = await waitFor('breach webhook', async () => received.find((r) => r.event === 'feature-store.freshness-breached.v1' && r.payload['status'] === 'BREACHED'));
    expect(breach.payload).toMatchObject({ view: 'profile', version: 1, sla_seconds: 1 });
    expect(breach.payload['age_seconds'] as number).toBeGreaterThan(1);
    await callService(svc, 'POST', '/v1/push', { feature_view: 'profile', to: 'online', rows: [{ user_id: 'm1', event_timestamp: new Date(Date.now() + 60_000).toISOString(), country: 'DE', plan: 'pro' }] });
    await waitFor('recovery webhook', async () => received.find((r) => r.payload['status'] === 'RECOVERED'));
    expect(received.filter((r) => r.payload['status'] === 'BREACHED')).toHaveLength(1);
  });
});

describe('materialization after a crash, with two replicas', () => {
  const CHUNKS_16 = 16;
  it('stages the job again when its stage was lost (a database crash empties unlogged tables) and writes every chunk', async () => {
    const idle = await startTestService(service, AppModule, { env: { MATERIALIZATION_WORKER: 'false', MATERIALIZATION_CHUNKS: '4', REDIS_URL: undefined } });
    let worker: TestService | undefined;
    try {
      await createMarts(idle.db.url);
      const ids = Array.from({ length: 50 }, (_, i) => `s${i}`);
      await insertActivity(idle.db.url, ids.map((u, i) => ({ user_id: u, activity_date: day(-1), orders: i })));
      expect((await callService(idle, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS)).status).toBe(200);
      const created = await callService(idle, 'POST', '/v1/materialize', { start: `${day(-2)}T00:00:00Z`, end: new Date(Date.now() + 3600_000).toISOString(), views: ['daily_activity'] });
      const [{ id }] = created.json['materializations'] as Job[];
      // What a crash leaves: the job marked staged, rows counted per chunk, the stage itself empty.
      await sql(idle.db.url, async (c) => {
        await c.query(`UPDATE features.materializations SET status = 'RUNNING', staged_at = now(), stage_attempts = 1 WHERE id = $1`, [id]);
        await c.query(`UPDATE features.materialization_chunks SET staged_rows = 10 WHERE materialization_id = $1`, [id]);
      });
      worker = await startTestService(service, AppModule, { db: idle.db, env: { MATERIALIZATION_POLL_MS: '50', REDIS_URL: undefined } });
      const final = await waitFor('restaged materialization', async () => {
        const j = (await callService<Job>(idle, 'GET', `/v1/materializations/${id}`)).json;
        return j.status === 'SUCCEEDED' ? j : undefined;
      });
      expect([final.chunks_done, final.rows_written]).toEqual([4, 50]);
      const [row] = await sql(idle.db.url, async (c) => (await c.query(`SELECT stage_attempts FROM features.materializations WHERE id = $1`, [id])).rows);
      // Staged again after the crash (a slow machine may let a staging lease lapse once more; every
      // chunk is still written exactly once, as checked above).
      expect(row.stage_attempts).toBeGreaterThanOrEqual(2);
      const res = await callService(worker, 'POST', '/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: ids } });
      expect((res.json['results'] as Array<{ values: unknown[] }>)[1].values).toEqual(ids.map((_, i) => i));
      await waitFor('stage dropped after statistics', async () => ((await callService(idle, 'GET', '/v1/feature-views/daily_activity/stats')).status === 200 ? true : undefined));
      const stage = await sql(idle.db.url, async (c) => (await c.query(`SELECT to_regclass('features.materialization_stage_' || $1::text) AS t`, [id])).rows[0].t);
      expect(stage).toBeNull();
    } finally {
      await worker?.close();
      await idle.close();
    }
  });

  it('resumes at the unfinished chunks and no chunk is done twice', async () => {
    const idle = await startTestService(service, AppModule, { env: { MATERIALIZATION_WORKER: 'false', MATERIALIZATION_CHUNKS: String(CHUNKS_16), REDIS_URL: undefined } });
    const replicas: TestService[] = [];
    try {
      await createMarts(idle.db.url);
      await insertActivity(idle.db.url, Array.from({ length: 200 }, (_, i) => ({ user_id: `c${i}`, activity_date: day(-1), orders: i })));
      expect((await callService(idle, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS)).status).toBe(200);
      const created = await callService(idle, 'POST', '/v1/materialize', { start: `${day(-2)}T00:00:00Z`, end: new Date(Date.now() + 3600_000).toISOString(), views: ['daily_activity'] });
      const [{ id }] = created.json['materializations'] as Job[];
      // The state a killed replica leaves: chunk 0 finished (its rows were never written here, so
      // a redo would show), chunk 1 claimed with a heartbeat that stopped a minute ago.
      await sql(idle.db.url, async (c) => {
        await c.query(`UPDATE features.materializations SET status = 'RUNNING' WHERE id = $1`, [id]);
        await c.query(`UPDATE features.materialization_chunks SET status = 'DONE', claimed_by = 'dead', attempts = 1, finished_at = now() WHERE materialization_id = $1 AND chunk = 0`, [id]);
        await c.query(`UPDATE features.materialization_chunks SET status = 'RUNNING', claimed_by = 'dead', attempts = 1, heartbeat_at = now() - interval '1 minute' WHERE materialization_id = $1 AND chunk = 1`, [id]);
      });
      const env = { MATERIALIZATION_POLL_MS: '50', MATERIALIZATION_LEASE_MS: '5000', REDIS_URL: undefined };
      replicas.push(await startTestService(service, AppModule, { db: idle.db, env }), await startTestService(service, AppModule, { db: idle.db, env }));
      const final = await waitFor('resumed materialization', async () => {
        const j = (await callService<Job>(idle, 'GET', `/v1/materializations/${id}`)).json;
        return j.status === 'SUCCEEDED' ? j : undefined;
      });
      expect(final.chunks_done).toBe(CHUNKS_16);
      const chunks = await sql(idle.db.url, async (c) => (await c.query(`SELECT chunk, attempts, claimed_by FROM features.materialization_chunks WHERE materialization_id = $1 ORDER BY chunk`, [id])).rows);
      expect(chunks[0]).toMatchObject({ attempts: 1, claimed_by: 'dead' });
      expect(chunks[1].attempts).toBe(2);
      expect(chunks[1].claimed_by).not.toBe('dead');
      expect(chunks.slice(2).every((c) => c.attempts === 1 && c.claimed_by !== 'dead')).toBe(true);

      const keys = await sql(idle.db.url, async (c) => (await c.query(`SELECT k, mod(hashtext(k) & 2147483647, $1) AS chunk FROM unnest($2::text[]) k`, [CHUNKS_16, Array.from({ length: 30 }, (_, i) => `c${i}`)])).rows as Array<{ k: string; chunk: number }>);
      const res = await callService(replicas[0], 'POST', '/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: keys.map((k) => k.k) } });
      const statuses = (res.json['results'] as Array<{ statuses: string[] }>)[1].statuses;
      keys.forEach((k, i) => expect([k.k, statuses[i]]).toEqual([k.k, k.chunk === 0 ? 'NOT_FOUND' : 'PRESENT']));
      expect(keys.some((k) => k.chunk === 0)).toBe(true);

      // dwh-ingest announces a refreshed mart: every online view reading it catches up to the watermark.
      const late = keys.find((k) => k.chunk === 0)!.k;
      await insertActivity(idle.db.url, [{ user_id: late, activity_date: day(1), orders: 4242 }]);
      const config = loadPlatformConfig(service, { DATABASE_URL: idle.db.url, PEERS: `feature-store=127.0.0.1:${replicas[0].tcpPort}` });
      const client = new ServiceClient(ServiceName.FEATURE_STORE, ServiceName.DWH_INGEST, config);
      try {
        await client.emit(MartRefreshedEvent, { mart: 'dwh.mart_user_activity_daily', watermark: new Date(Date.now() + 3 * 86400_000).toISOString() });
      } finally {
        await client.close();
      }
      const triggered = await waitFor('event-triggered materialization', async () => {
        const list = (await callService(idle, 'GET', '/v1/materializations')).json['materializations'] as Array<Job & { trigger: string }>;
        const j = list.find((x) => x.trigger === 'event:dwh.mart_user_activity_daily');
        return j?.status === 'SUCCEEDED' ? j : undefined;
      });
      expect(triggered.start).toBe(final.end);
      const after = await callService(replicas[1], 'POST', '/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: [late] } });
      expect((after.json['results'] as Array<{ values: unknown[] }>)[1].values).toEqual([4242]);
    } finally {
      for (const r of replicas) await r.close();
      await idle.close();
    }
  });
});
