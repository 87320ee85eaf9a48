import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { ACTIVITY_DEFINITIONS, createMarts, insertActivity, parseTrainingSet, sql } from '../../testing/warehouse-fixtures';

const DAY = 86400_000;

describe('point-in-time training sets on a real PostgreSQL', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { MATERIALIZATION_WORKER: 'false', REDIS_URL: undefined } });
    await createMarts(svc.db.url);
    await insertActivity(svc.db.url, [
      { user_id: 'u1', activity_date: '2026-01-01', orders: 1, revenue: 10.5 },
      { user_id: 'u1', activity_date: '2026-01-03', orders: 3, revenue: 30 },
      { user_id: 'u2', activity_date: '2026-01-01', orders: 5, revenue: 50.25 },
    ]);
    await sql(svc.db.url, (c) =>
      c.query(`INSERT INTO dwh.mart_user_profile VALUES ('u1', '2025-06-01', 'DE', 'pro', '2026-01-02T12:00:00Z'), ('u2', '2025-07-01', 'FR', 'free', '2025-12-01T00:00:00Z')`),
    );
    const applied = await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS);
    expect([applied.status, applied.status === 200 ? '' : applied.text]).toEqual([200, '']);
  });
  afterAll(() => svc.close());

  const rowsAt = (pairs: Array<[string, string]>) => ({ user_id: pairs.map((p) => p[0]), event_timestamp: pairs.map((p) => p[1]) });

  it('takes the latest value at or before each row, within ttl, else null (hand-made edges)', async () => {
    const res = await callService(svc, 'POST', '/v1/historical-features', {
      feature_service: 'churn',
      entity_rows: rowsAt([
        ['u1', '2026-01-02T00:00:00Z'], // equal to the feature timestamp: included
        ['u1', '2026-01-01T23:59:59Z'], // one second before: nothing yet
        ['u1', '2026-01-03T12:00:00Z'], // between two values: the earlier one
        ['u1', '2026-01-04T00:00:00Z'], // equal to the newer one
        ['u2', '2026-01-04T00:00:00Z'], // age exactly ttl (2 days): still valid
        ['u2', '2026-01-04T00:00:01Z'], // one second past ttl: null
        ['u9', '2026-01-04T00:00:00Z'], // unknown entity: nulls
      ]),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const set = parseTrainingSet(res.text);
    expect(set.rows.map((r) => [r['user_id'], r['orders'], r['revenue'], r['country']])).toEqual([
      ['u1', 1, 10.5, null],
      ['u1', null, null, null],
      ['u1', 1, 10.5, 'DE'],
      ['u1', 3, 30, 'DE'],
      ['u2', 5, 50.25, 'FR'],
      ['u2', null, null, 'FR'],
      ['u9', null, null, null],
    ]);
    expect(set.metadata['rows']).toBe(7);
    expect(set.metadata['columns']).toEqual(['user_id', 'event_timestamp', 'orders', 'revenue', 'country']);
    expect(set.metadata['fingerprint']).toBe(`sha256:${createHash('sha256').update(set.body).digest('hex')}`);
  });

  it('sees late-arriving rows for later timestamps, and the fingerprint changes with the data', async () => {
    const req = { features: ['daily_activity:orders'], entity_rows: rowsAt([['u2', '2026-01-04T00:00:01Z']]) };
    const before = parseTrainingSet((await callService(svc, 'POST', '/v1/historical-features', req)).text);
    expect(before.rows[0]['orders']).toBeNull();
    const again = parseTrainingSet((await callService(svc, 'POST', '/v1/historical-features', req)).text);
    expect(again.metadata['fingerprint']).toBe(before.metadata['fingerprint']);
    // A row for 2026-01-02 lands late (the mart is refreshed after the fact).
    await insertActivity(svc.db.url, [{ user_id: 'u2', activity_date: '2026-01-02', orders: 7 }]);
    const after = parseTrainingSet((await callService(svc, 'POST', '/v1/historical-features', req)).text);
    expect(after.rows[0]['orders']).toBe(7);
    expect(after.metadata['fingerprint']).not.toBe(before.metadata['fingerprint']);
  });

  it('includes rows pushed offline, which win a tie in event time against the mart', async () => {
    const pushed = await callService(svc, 'POST', '/v1/push', {
      feature_view: 'daily_activity',
      to: 'offline',
      rows: [
        { user_id: 'u1', event_timestamp: '2026-01-04T00:00:00Z', orders: 33, revenue: 0.5 },
        { user_id: 'u7', event_timestamp: '2026-01-05T00:00:00Z', orders: 70, revenue: null },
      ],
    });
    expect([pushed.status, pushed.json['offline_written'], pushed.json['online_written']]).toEqual([200, 2, 0]);
    const res = await callService(svc, 'POST', '/v1/historical-features', {
      features: ['daily_activity:orders', 'daily_activity:revenue'],
      entity_rows: rowsAt([['u1', '2026-01-04T00:00:00Z'], ['u7', '2026-01-05T06:00:00Z'], ['u7', '2026-01-04T23:00:00Z']]),
    });
    expect(parseTrainingSet(res.text).rows.map((r) => [r['orders'], r['revenue']])).toEqual([[33, 0.5], [70, null], [null, null]]);
    const online = await callService(svc, 'POST', '/v1/online-features', { features: ['daily_activity:orders'], entities: { user_id: ['u7'] } });
    expect((online.json['results'] as Array<{ statuses: string[] }>)[1].statuses).toEqual(['NOT_FOUND']);
  });

  it('builds a training set from a label source and a time range, streamed as CSV with fingerprint trailers', async () => {
    const body = JSON.stringify({
      features: ['daily_activity:orders', 'profile:plan'],
      label_source: {
        sql: `SELECT user_id, updated_at + interval '1 day' AS event_timestamp, (plan = 'pro') AS converted FROM dwh.mart_user_profile`,
        start: '2025-01-01T00:00:00Z',
        end: '2027-01-01T00:00:00Z',
      },
      format: 'csv',
    });
    const { text, trailers, status } = await new Promise<{ text: string; trailers: NodeJS.Dict<string>; status: number }>((resolve, reject) => {
      const u = new URL(`${svc.url}/v1/historical-features`);
      const r = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let t = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (t += d));
        res.on('end', () => resolve({ text: t, trailers: res.trailers, status: res.statusCode ?? 0 }));
      });
      r.on('error', reject);
      r.end(body);
    });
    expect(status).toBe(200);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('user_id,event_timestamp,converted,orders,plan');
    // Rows come ordered by event_timestamp: u2 (2025-12-02) then u1 (2026-01-03 12:00).
    expect(lines.slice(1).map((l) => l.split(',').filter((_, i) => i !== 1))).toEqual([
      ['u2', 'f', '', 'free'],
      ['u1', 't', '1', 'pro'],
    ]);
    expect(trailers['x-dataset-fingerprint']).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
  });

  it('reads labels from an imported source (dwh.src_*) as well as marts, never from the warehouse\'s bookkeeping', async () => {
    await sql(svc.db.url, async (c) => {
      await c.query(`CREATE TABLE dwh.src_crm_upgrades (user_id text, upgraded_at timestamptz, upgraded boolean)`);
      await c.query(`INSERT INTO dwh.src_crm_upgrades VALUES ('u1', '2026-01-04T00:00:00Z', true)`);
      await c.query(`CREATE TABLE IF NOT EXISTS dwh.imports (id int, user_id text)`);
    });
    const range = { start: '2025-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' };
    const ok = await callService(svc, 'POST', '/v1/historical-features', {
      features: ['daily_activity:orders'],
      label_source: { sql: 'SELECT user_id, upgraded_at AS event_timestamp, upgraded FROM dwh.src_crm_upgrades', ...range },
    });
    expect(ok.status).toBe(200);
    expect(parseTrainingSet(ok.text).rows).toEqual([{ user_id: 'u1', event_timestamp: '2026-01-04T00:00:00+00:00', upgraded: true, orders: 33 }]);
    const internal = await callService(svc, 'POST', '/v1/historical-features', {
      features: ['daily_activity:orders'],
      label_source: { sql: 'SELECT user_id, now() AS event_timestamp, 1 AS label FROM dwh.imports', ...range },
    });
    expect([internal.status, internal.json['code']]).toEqual([400, 'INVALID_LABEL_SOURCE']);
  });

  it('streams label columns of any type as NDJSON, one line per row, whatever they are called', async () => {
    const res = await callService(svc, 'POST', '/v1/historical-features', {
      features: ['daily_activity:orders'],
      label_source: {
        // A column named like the query's own alias, a json label with line breaks, text with escapes.
        sql: `SELECT user_id, updated_at + interval '1 day' AS event_timestamp, plan AS t, (E'{\\n "plan": "' || plan || E'"\\n}')::json AS meta,
                E'a\\tb"\\\\' AS note FROM dwh.mart_user_profile`,
        start: '2025-01-01T00:00:00Z',
        end: '2027-01-01T00:00:00Z',
      },
    });
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    const set = parseTrainingSet(res.text);
    expect(res.text.trim().split('\n')).toHaveLength(3);
    expect(set.rows.map((r) => [r['user_id'], r['t'], r['meta'], r['note'], r['event_timestamp']])).toEqual([
      ['u2', 'free', { plan: 'free' }, 'a\tb"\\', '2025-12-02T00:00:00+00:00'],
      ['u1', 'pro', { plan: 'pro' }, 'a\tb"\\', '2026-01-03T12:00:00+00:00'],
    ]);
  });

  it('refuses unknown views, features, services, wrong key types and injection in names with 400 codes', async () => {
    const rows = rowsAt([['u1', '2026-01-02T00:00:00Z']]);
    const cases: Array<[unknown, string]> = [
      [{ features: ['nope:orders'], entity_rows: rows }, 'UNKNOWN_FEATURE_VIEW'],
      [{ features: ['daily_activity:nope'], entity_rows: rows }, 'UNKNOWN_FEATURE'],
      [{ features: ['daily_activity@v9:orders'], entity_rows: rows }, 'UNKNOWN_FEATURE_VERSION'],
      [{ feature_service: 'nope', entity_rows: rows }, 'UNKNOWN_FEATURE_SERVICE'],
      [{ features: ['daily_activity:orders'], entity_rows: { user_id: [42], event_timestamp: ['2026-01-02T00:00:00Z'] } }, 'WRONG_KEY_TYPE'],
      [{ features: ['daily_activity:orders'], entity_rows: { customer_id: ['u1'], event_timestamp: ['2026-01-02T00:00:00Z'] } }, 'MISSING_JOIN_KEY'],
      [{ features: ['daily_activity:orders"; DROP TABLE features.entities; --'], entity_rows: rows }, 'VALIDATION_FAILED'],
      [{ features: ['daily_activity:orders'], label_source: { sql: 'SELECT name AS user_id, now() AS event_timestamp FROM features.entities', start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } }, 'INVALID_LABEL_SOURCE'],
      [{ features: ['daily_activity:orders'], label_source: { sql: 'SELECT 1; DROP TABLE dwh.mart_user_profile', start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } }, 'INVALID_SOURCE_SQL'],
      [{ features: ['daily_activity:orders'], label_source: { sql: `SELECT user_id, now() AS event_timestamp, pg_read_file('/etc/passwd') AS x FROM dwh.mart_user_profile`, start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } }, 'INVALID_SOURCE_SQL'],
    ];
    for (const [body, code] of cases) {
      const res = await callService(svc, 'POST', '/v1/historical-features', body);
      expect([res.status, res.json['code'], JSON.stringify(body).slice(0, 80)]).toEqual([400, code, JSON.stringify(body).slice(0, 80)]);
    }
    const [{ n }] = await sql(svc.db.url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM features.entities`)).rows);
    expect(n).toBe(1);
  });

  it('matches a brute-force reference on random data, including timestamp ties and ttl edges', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const users = Array.from({ length: 25 }, (_, i) => `r${i}`);
    const base = Date.parse('2026-03-01T00:00:00Z');
    const facts = new Map<string, { orders: number; day: number }>();
    for (const u of users) for (let d = 0; d < 40; d++) if (rnd() < 0.35) facts.set(`${u}|${d}`, { orders: Math.floor(rnd() * 20), day: d });
    await insertActivity(
      svc.db.url,
      [...facts].map(([k, f]) => ({ user_id: k.split('|')[0], activity_date: new Date(base + f.day * DAY).toISOString().slice(0, 10), orders: f.orders })),
    );
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < 400; i++) {
      const u = rnd() < 0.05 ? 'missing' : users[Math.floor(rnd() * users.length)];
      const day = Math.floor(rnd() * 45);
      const edge = [0, 0, 1000, -1000, 2 * DAY, 2 * DAY + 1000, 12 * 3600_000][Math.floor(rnd() * 7)];
      pairs.push([u, new Date(base + day * DAY + edge).toISOString()]);
    }
    const expected = pairs.map(([u, ts]) => {
      const t = Date.parse(ts);
      let best: { at: number; orders: number } | undefined;
      for (let d = 0; d < 40; d++) {
        const f = facts.get(`${u}|${d}`);
        const at = base + (d + 1) * DAY;
        if (f && at <= t && at >= t - 2 * DAY && (!best || at > best.at)) best = { at, orders: f.orders };
      }
      return best ? best.orders : null;
    });
    const res = await callService(svc, 'POST', '/v1/historical-features', { features: ['daily_activity:orders'], entity_rows: rowsAt(pairs) });
    const got = parseTrainingSet(res.text).rows.map((r) => r['orders']);
    expect(got).toEqual(expected);
    expect(expected.filter((e) => e === null).length).toBeGreaterThan(10);
    expect(expected.filter((e) => e !== null).length).toBeGreaterThan(100);
  });
});
