import type { WarehouseApplyPlan, WarehouseApplyRequest, WarehouseModelDefinition } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { TRACKING_PLAN_FIXTURE, trackMessage } from '../test-support';

type RunResult = {
  runId: string;
  status: string;
  models: Array<{ model: string; status: string; rowsAffected: number; error?: string; tests: Array<{ test: string; status: string; failures: number; severity: string; sample: unknown[] }> }>;
};
type ErrorBody = { code: string; error: string; details: Array<{ path?: string; code: string; message: string }> };

const stgOrders: WarehouseModelDefinition = {
  name: 'stg_orders_a',
  layer: 'staging',
  materialized: 'incremental',
  unique_key: ['message_id'],
  sql: `SELECT message_id, user_id, (properties->>'revenue')::numeric(12,2) AS revenue, loaded_at
          FROM events WHERE event = 'order_completed' AND loaded_at >= {{from}} AND loaded_at < {{to}}`,
  tests: [{ kind: 'not_null', column: 'user_id' }],
};
const martRevenue: WarehouseModelDefinition = {
  name: 'mart_revenue_a',
  layer: 'marts',
  materialized: 'table',
  unique_key: ['user_id'],
  sql: `SELECT user_id, count(*)::int AS orders, sum(revenue)::numeric(12,2) AS revenue, max(loaded_at) AS last_loaded_at
          FROM dwh.stg_orders_a GROUP BY user_id`,
  freshness: { column: 'last_loaded_at', warn_after: '1h', error_after: '1d' },
  tests: [
    { kind: 'unique', columns: ['user_id'] },
    { kind: 'sql', name: 'no_negative_revenue', sql: 'SELECT * FROM {{model}} WHERE revenue < 0' },
  ],
};
const martSpend: WarehouseModelDefinition = {
  name: 'mart_spend_a',
  layer: 'marts',
  materialized: 'table',
  unique_key: ['channel'],
  sql: 'SELECT channel, sum(amount)::numeric(14,2) AS spend, count(DISTINCT date)::int AS days FROM src_spend_a GROUP BY channel',
  tests: [
    { kind: 'accepted_values', column: 'channel', values: ['tv', 'web'], severity: 'warn' },
    { kind: 'sql', name: 'spend_within_budget', sql: 'SELECT channel, spend FROM {{model}} WHERE spend > 1000 ORDER BY channel' },
  ],
};
const martShare: WarehouseModelDefinition = {
  name: 'mart_spend_share_a',
  layer: 'marts',
  materialized: 'view',
  sql: 'SELECT channel, (spend / nullif(sum(spend) OVER (), 0))::float8 AS share FROM mart_spend_a',
};
const shopA = (over: Partial<WarehouseApplyRequest> = {}): WarehouseApplyRequest => ({
  project: 'shop-a',
  owner: 'team-a',
  sources: [
    {
      name: 'spend_a',
      columns: [
        { name: 'date', type: 'date', required: true },
        { name: 'channel', type: 'text', required: true, values: ['tv', 'web', 'radio'] },
        { name: 'amount', type: 'numeric', required: true, minimum: 0 },
      ],
      freshness: { warn_after: '2d', error_after: '7d' },
    },
  ],
  event_schemas: TRACKING_PLAN_FIXTURE.filter((d) => d.name === 'order_completed'),
  models: [martShare, martSpend, martRevenue, stgOrders],
  ...over,
});

describe('warehouse definitions applied per project (real app, real PostgreSQL)', () => {
  let svc: TestService;
  let db: Database;
  const sent: Array<{ userId: string; revenue: number }> = [];
  const csvRows: Array<{ date: string; channel: string; amount: number }> = [];

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    db = svc.app.get(Database);
  });
  afterAll(() => svc.close());

  const apply = (body: WarehouseApplyRequest) => callService<WarehouseApplyPlan & ErrorBody>(svc, 'POST', '/v1/warehouse/apply', body);
  const run = async (body: unknown = {}) => {
    const res = await callService<RunResult>(svc, 'POST', '/v1/transformations/run', body);
    expect(res.status).toBe(200);
    return res.json;
  };
  const model = (r: RunResult, name: string) => r.models.find((m) => m.model === name) as RunResult['models'][number];
  const exists = async (rel: string) => (await db.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [rel]))[0].ok;
  const importCsv = async (rows: Array<{ date: string; channel: string; amount: number | string }>) => {
    const body = ['date,channel,amount', ...rows.map((r) => `${r.date},${r.channel},${r.amount}`)].join('\n') + '\n';
    return callService<{ rowsAccepted: number; rowsRejected: number }>(svc, 'POST', '/v1/imports/spend_a', body, { 'content-type': 'text/csv' });
  };
  const martRefreshes = async (mart: string) =>
    Number((await db.query<{ n: string }>(`SELECT count(DISTINCT payload->>'runId') AS n FROM "dwh".outbox WHERE pattern = 'dwh.mart.refreshed.v1' AND payload->>'mart' = $1`, [mart]))[0].n);

  it('plans a dry run without changing anything, then applies atomically and lists the project', async () => {
    const dry = await apply(shopA({ dry_run: true }));
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ project: 'shop-a', dry_run: true, version: 0, changed: [], removed: [], unchanged: [] });
    expect(dry.json.created.map((c) => `${c.kind}:${c.name}`).sort()).toEqual(
      ['event_schema:order_completed@1-0-0', 'model:mart_revenue_a', 'model:mart_spend_a', 'model:mart_spend_share_a', 'model:stg_orders_a', 'source:spend_a'].sort(),
    );
    expect(dry.json.created.find((c) => c.name === 'mart_revenue_a')?.changes).toEqual([
      'create table dwh.mart_revenue_a (user_id text, orders integer, revenue numeric(12,2), last_loaded_at timestamp with time zone), built at the next run',
    ]);
    expect(await exists('dwh.src_spend_a')).toBe(false);
    expect(await exists('dwh.mart_revenue_a')).toBe(false);
    expect(await db.query(`SELECT * FROM "dwh".project_objects`)).toEqual([]);
    expect(await db.query(`SELECT * FROM "dwh".projects`)).toEqual([]);
    expect(await db.query(`SELECT * FROM "dwh".event_schemas WHERE name = 'order_completed'`)).toEqual([]);

    const applied = await apply(shopA());
    expect(applied.status).toBe(200);
    expect(applied.json.version).toBe(1);
    expect(await exists('dwh.src_spend_a')).toBe(true);
    expect(await exists('dwh.mart_revenue_a')).toBe(true);
    const again = await apply(shopA());
    expect(again.json).toMatchObject({ version: 1, created: [], changed: [], removed: [] });
    expect(again.json.unchanged).toHaveLength(6);

    const list = await callService<{ projects: Array<Record<string, unknown>> }>(svc, 'GET', '/v1/projects');
    expect(list.json.projects).toEqual([
      expect.objectContaining({ name: 'shop-a', owner: 'team-a', version: 1, applied_by: null, objects: { event_schema: 1, model: 4, source: 1 } }),
    ]);
    const one = await callService<{ definitions: { models: WarehouseModelDefinition[] } }>(svc, 'GET', '/v1/projects/shop-a');
    expect(one.json.definitions.models.map((m) => m.name).sort()).toEqual(['mart_revenue_a', 'mart_spend_a', 'mart_spend_share_a', 'stg_orders_a']);
    const versions = await callService<{ versions: Array<{ version: number; plan: WarehouseApplyPlan }> }>(svc, 'GET', '/v1/projects/shop-a/versions');
    expect(versions.json.versions.map((v) => v.version)).toEqual([1]);
    expect((await callService(svc, 'GET', '/v1/projects/nope')).status).toBe(404);
  });

  it('imports a CSV into the declared source, runs the DAG and builds marts equal to a brute-force computation', async () => {
    csvRows.push({ date: '2026-11-01', channel: 'tv', amount: 100.5 }, { date: '2026-11-01', channel: 'web', amount: 20 }, { date: '2026-11-02', channel: 'tv', amount: 30.25 });
    const imported = await importCsv([...csvRows, { date: '2026-11-02', channel: 'print', amount: 5 }]);
    expect(imported.status).toBe(201);
    expect(imported.json).toMatchObject({ rowsAccepted: 3, rowsRejected: 1 });
    expect((await callService(svc, 'POST', '/v1/imports/ghost', 'a\n1\n', { 'content-type': 'text/csv' })).json['code']).toBe('UNKNOWN_SOURCE');

    const orders = [
      { userId: 'u1', revenue: 10.5 },
      { userId: 'u1', revenue: 4.25 },
      { userId: 'u2', revenue: 99 },
    ];
    const batch = orders.map((o, i) => trackMessage({ event: 'order_completed', userId: o.userId, messageId: `o-${i}`, properties: { order_id: `o-${i}`, revenue: o.revenue, items: 1 } }));
    expect((await callService(svc, 'POST', '/v1/batch', { batch })).json['accepted']).toBe(3);
    sent.push(...orders);

    const r = await run();
    expect(r.status).toBe('success');
    const order = r.models.map((m) => m.model);
    expect([...order].sort()).toEqual(['mart_revenue_a', 'mart_spend_a', 'mart_spend_share_a', 'stg_orders_a']);
    expect(order.indexOf('mart_spend_a')).toBeLessThan(order.indexOf('mart_spend_share_a'));
    expect(order.indexOf('stg_orders_a')).toBeLessThan(order.indexOf('mart_revenue_a'));
    expect(r.models.every((m) => m.status === 'built')).toBe(true);

    const expectedRevenue = new Map<string, { orders: number; revenue: number }>();
    for (const o of sent) {
      const e = expectedRevenue.get(o.userId) ?? { orders: 0, revenue: 0 };
      expectedRevenue.set(o.userId, { orders: e.orders + 1, revenue: e.revenue + o.revenue });
    }
    expect(await db.query(`SELECT user_id, orders, revenue::float8 AS revenue FROM "dwh".mart_revenue_a ORDER BY user_id`)).toEqual(
      [...expectedRevenue].sort().map(([userId, e]) => ({ user_id: userId, orders: e.orders, revenue: e.revenue })),
    );
    const expectedSpend = new Map<string, { spend: number; days: Set<string> }>();
    for (const row of csvRows) {
      const e = expectedSpend.get(row.channel) ?? { spend: 0, days: new Set<string>() };
      e.spend += row.amount;
      e.days.add(row.date);
      expectedSpend.set(row.channel, e);
    }
    expect(await db.query(`SELECT channel, spend::float8 AS spend, days FROM "dwh".mart_spend_a ORDER BY channel`)).toEqual(
      [...expectedSpend].sort().map(([channel, e]) => ({ channel, spend: e.spend, days: e.days.size })),
    );
    expect(await martRefreshes('dwh.mart_spend_a')).toBe(1);
    expect(await martRefreshes('dwh.mart_revenue_a')).toBe(1);

    const sla = await callService<{ checks: Array<{ dataset: string; check: string; status: string; measured: number | null }> }>(svc, 'GET', '/v1/sla');
    expect(sla.json.checks.find((c) => c.dataset === 'mart_revenue_a')).toMatchObject({ status: 'ok' });
    expect(sla.json.checks.find((c) => c.dataset === 'src_spend_a')).toMatchObject({ status: 'ok' });
  });

  it('keeps the published mart exactly as it was when an error test fails, skips downstream and sends no mart-refreshed event', async () => {
    const before = await db.query(`SELECT * FROM "dwh".mart_spend_a ORDER BY channel`);
    const refreshes = await martRefreshes('dwh.mart_spend_a');
    expect((await importCsv([{ date: '2026-11-03', channel: 'tv', amount: 5000 }])).status).toBe(201);
    const r = await run();
    expect(r.status).toBe('tests_failed');
    const failed = model(r, 'mart_spend_a');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/sql\(spend_within_budget\)/);
    expect(failed.tests.find((t) => t.test === 'sql(spend_within_budget)')).toMatchObject({ status: 'fail', failures: 1, severity: 'error', sample: [{ channel: 'tv', spend: 5130.75 }] });
    expect(model(r, 'mart_spend_share_a')).toMatchObject({ status: 'skipped' });
    expect(model(r, 'mart_revenue_a').status).toBe('unchanged');
    expect(await db.query(`SELECT * FROM "dwh".mart_spend_a ORDER BY channel`)).toEqual(before);
    expect(await martRefreshes('dwh.mart_spend_a')).toBe(refreshes);
    const stored = await db.query(`SELECT status, failures::int AS failures FROM "dwh".data_test_results WHERE run_id = $1 AND test LIKE 'sql(spend_within_budget)%'`, [r.runId]);
    expect(stored).toEqual([{ status: 'fail', failures: 1 }]);
  });

  it('refuses a name owned by another project (409), and prunes only the applying project', async () => {
    const taken = await apply({ project: 'shop-b', sources: [{ name: 'spend_a', columns: [{ name: 'x', type: 'text' }] }] });
    expect(taken.status).toBe(409);
    expect(taken.json.code).toBe('NAME_OWNED_BY_ANOTHER_PROJECT');
    expect(taken.json.error).toMatch(/shop-a/);
    expect(taken.json.details).toEqual([{ path: '$.sources[0].name', code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: 'source spend_a is owned by project shop-a' }]);

    const reader: WarehouseModelDefinition = { name: 'mart_b_top_users', layer: 'marts', materialized: 'view', sql: 'SELECT user_id FROM dwh.mart_revenue_a WHERE revenue > 50' };
    expect((await apply({ project: 'shop-b', models: [reader] })).status).toBe(200);
    const r = await run({ project: 'shop-b' });
    expect(r.models.map((m) => [m.model, m.status])).toEqual([['mart_b_top_users', 'built']]);
    expect(await db.query(`SELECT user_id FROM "dwh".mart_b_top_users`)).toEqual([{ user_id: 'u2' }]);

    // shop-a may not change a mart so that shop-b's model no longer compiles, nor remove what shop-b reads.
    const withoutRevenue: WarehouseModelDefinition = { ...martRevenue, sql: martRevenue.sql.replace(', sum(revenue)::numeric(12,2) AS revenue', ''), tests: [] };
    const breaksReader = await apply(shopA({ models: [martShare, martSpend, withoutRevenue, stgOrders], full_refresh: ['mart_revenue_a'] }));
    expect(breaksReader.status).toBe(400);
    expect(breaksReader.json.details).toEqual([
      { path: '$', code: 'OBJECT_IN_USE', message: expect.stringMatching(/^model mart_b_top_users of project shop-b would no longer compile: column "revenue" does not exist/) },
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM "dwh".mart_revenue_a`)).toEqual([{ n: 2 }]);
    const inUse = await apply(shopA({ models: [martShare, martSpend, stgOrders], prune: true }));
    expect(inUse.status).toBe(400);
    expect(inUse.json.code).toBe('OBJECT_IN_USE');

    const pruned = await apply({ project: 'shop-b', prune: true });
    expect(pruned.status).toBe(200);
    expect(pruned.json.removed).toEqual([{ kind: 'model', name: 'mart_b_top_users', changes: ['drop view dwh.mart_b_top_users'] }]);
    expect(await exists('dwh.mart_b_top_users')).toBe(false);
    expect(await exists('dwh.mart_revenue_a')).toBe(true);
    const owned = await db.query<{ project: string; n: number }>(`SELECT project, count(*)::int AS n FROM "dwh".project_objects GROUP BY project`);
    expect(owned).toEqual([{ project: 'shop-a', n: 6 }]);
  });

  it('alters a source in place for an additive change and refuses a breaking one unless it is a full refresh', async () => {
    const [src] = shopA().sources ?? [];
    const withCampaign = { ...src, columns: [...src.columns, { name: 'campaign', type: 'text' as const }] };
    const additive = await apply(shopA({ sources: [withCampaign] }));
    expect(additive.status).toBe(200);
    expect(additive.json.changed).toEqual([{ kind: 'source', name: 'spend_a', fields: ['columns'], changes: ['add column campaign text'] }]);
    const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "dwh".src_spend_a`);
    expect(n).toBe(4);

    const retyped = { ...withCampaign, columns: withCampaign.columns.map((c) => (c.name === 'amount' ? { ...c, type: 'integer' as const } : c)) };
    const breaking = await apply(shopA({ sources: [retyped] }));
    expect(breaking.status).toBe(400);
    expect(breaking.json.code).toBe('BREAKING_CHANGE');
    expect(breaking.json.details).toEqual([expect.objectContaining({ path: '$.sources[0].columns[2].type', code: 'BREAKING_CHANGE' })]);
    expect((await db.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'dwh.src_spend_a'::regclass AND attname = 'amount'`))[0]).toEqual({ t: 'numeric' });

    const refreshed = await apply(shopA({ sources: [retyped], full_refresh: ['spend_a'] }));
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.changed[0].changes?.[0]).toMatch(/^drop and recreate dwh.src_spend_a \(full refresh/);
    expect(await db.query(`SELECT count(*)::int AS n FROM "dwh".src_spend_a`)).toEqual([{ n: 0 }]);
  });

  it('points every refusal at a JSON path and changes nothing', async () => {
    const bad = await apply(
      shopA({
        models: [
          martShare,
          martSpend,
          martRevenue,
          stgOrders,
          { name: 'leak', layer: 'staging', materialized: 'view', sql: 'SELECT * FROM pg_catalog.pg_authid' },
          { name: 'ghost_col', layer: 'staging', materialized: 'view', sql: 'SELECT no_such_column FROM events' },
        ],
      }),
    );
    expect(bad.status).toBe(400);
    // One answer names every problem: the parser's refusals and PostgreSQL's.
    expect(bad.json.code).toBe('INVALID_DEFINITIONS');
    expect(bad.json.details.map((d) => [d.path, d.code])).toEqual([
      ['$.models[4].sql', 'SQL_FORBIDDEN_RELATION'],
      ['$.models[5].sql', 'SQL_ERROR'],
    ]);
    const unknownColumn = await apply(shopA({ models: [{ name: 'ghost_col', layer: 'staging', materialized: 'view', sql: 'SELECT no_such_column FROM events' }] }));
    expect(unknownColumn.json.details).toEqual([expect.objectContaining({ path: '$.models[0].sql', code: 'SQL_ERROR', message: expect.stringMatching(/no_such_column/) })]);
    expect(await exists('dwh.ghost_col')).toBe(false);
    const cycle = await apply({
      project: 'shop-c',
      models: [
        { name: 'c1', layer: 'staging', materialized: 'view', sql: 'SELECT * FROM c2' },
        { name: 'c2', layer: 'staging', materialized: 'view', sql: 'SELECT * FROM c1' },
      ],
    });
    expect(cycle.json.details.map((d) => [d.path, d.code])).toEqual([
      ['$.models[0].sql', 'MODEL_CYCLE'],
      ['$.models[1].sql', 'MODEL_CYCLE'],
    ]);
    const duplicateColumn = await apply({
      project: 'shop-d',
      sources: [{ name: 'dup', columns: [{ name: 'a', type: 'text' }, { name: 'a', type: 'integer' }] }],
      models: [{ name: 'd1', layer: 'staging', materialized: 'view', sql: 'SELECT a FROM src_dup' }],
    });
    expect([duplicateColumn.status, duplicateColumn.json.details.map((d) => [d.path, d.code])]).toEqual([400, [['$.sources[0].columns[1].name', 'DUPLICATE_NAME']]]);
    expect(await db.query(`SELECT name FROM "dwh".projects ORDER BY name`)).toEqual([{ name: 'shop-a' }, { name: 'shop-b' }]);
  });

  it('serialises concurrent applies: two projects claiming one new name, exactly one wins', async () => {
    const claim = (project: string) => apply({ project, models: [{ name: 'contested', layer: 'staging', materialized: 'view', sql: `SELECT '${project}'::text AS owner` }] });
    const answers = await Promise.all([claim('race-1'), claim('race-2')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const [row] = await db.query<{ project: string }>(`SELECT project FROM "dwh".project_objects WHERE kind = 'model' AND name = 'contested'`);
    expect(answers.find((a) => a.status === 409)?.json.error).toContain(`owned by project ${row.project}`);
  });

  it('replaces stored rows by primary key on a later import (the last row of a key in a file wins), with the wider column types', async () => {
    const fx = {
      name: 'fx_rates',
      columns: [
        { name: 'currency', type: 'text' as const, required: true, values: ['EUR', 'USD', 'GBP'] },
        { name: 'rate', type: 'double' as const, required: true, minimum: 0 },
        { name: 'volume', type: 'bigint' as const },
        { name: 'quoted_at', type: 'timestamptz' as const },
        { name: 'active', type: 'boolean' as const },
      ],
      primary_key: ['currency'],
    };
    expect((await apply({ project: 'shop-keys', sources: [fx] })).status).toBe(200);
    const first = [
      { currency: 'EUR', rate: 1.1, volume: 9_000_000_000, quoted_at: '2026-11-20T10:00:00Z', active: true },
      { currency: 'USD', rate: 1, volume: 5, quoted_at: '2026-11-20T10:00:00+01:00', active: false },
      { currency: 'EUR', rate: 1.2, volume: 7, quoted_at: '2026-11-20T11:00:00Z', active: true },
    ];
    const second = [
      { currency: 'USD', rate: 0.9, volume: 6, quoted_at: '2026-11-21T10:00:00Z', active: true },
      { currency: 'GBP', rate: 1.3, volume: null, quoted_at: null, active: null },
      { currency: 'XXX', rate: 1, volume: 1, quoted_at: null, active: null },
    ];
    for (const rows of [first, second]) {
      const res = await callService<{ rowsAccepted: number }>(svc, 'POST', '/v1/imports/fx_rates', rows.map((r) => JSON.stringify(r)).join('\n'), { 'content-type': 'application/x-ndjson' });
      expect(res.status).toBe(201);
    }
    const latest = new Map<string, (typeof first)[number] | (typeof second)[number]>();
    for (const r of [...first, ...second]) if (fx.columns[0].values?.includes(r.currency)) latest.set(r.currency, r);
    const rows = await db.query(
      `SELECT currency, rate, volume::text AS volume, quoted_at, active FROM "dwh".src_fx_rates ORDER BY currency`,
    );
    expect(rows).toEqual(
      [...latest.values()]
        .sort((a, b) => a.currency.localeCompare(b.currency))
        .map((r) => ({ currency: r.currency, rate: r.rate, volume: r.volume === null ? null : String(r.volume), quoted_at: r.quoted_at ? new Date(r.quoted_at) : null, active: r.active })),
    );
  });

  it('lets a mart read a batch results table (dwh.scores_*), rebuilt when a run lands, and keeps the prefix for batch results', async () => {
    const mart: WarehouseModelDefinition = {
      name: 'mart_latest_scores_s',
      layer: 'marts',
      materialized: 'table',
      unique_key: ['user_id'],
      sql: `SELECT user_id, score, run FROM scores_churn_s WHERE run = (SELECT max(run) FROM scores_churn_s)`,
    };
    const project = (models: WarehouseModelDefinition[]): WarehouseApplyRequest => ({ project: 'shop-scores', models });
    // Before a batch job's first run has created the table, a model reading it is refused, naming why.
    const early = await apply(project([mart]));
    expect([early.status, early.json.details.map((d) => [d.path, d.code, d.message])]).toEqual([
      400,
      [['$.models[0].sql', 'SQL_UNKNOWN_RELATION', 'dwh.scores_churn_s does not exist yet: a batch job creates it when its first run finishes']],
    ]);
    const reserved = await apply(project([{ name: 'scores_mine', layer: 'staging', materialized: 'view', sql: 'SELECT 1 AS one' }]));
    expect([reserved.status, reserved.json.details.map((d) => [d.path, d.code])]).toEqual([400, [['$.models[0].name', 'INVALID_MODEL']]]);
    // The table as model-serving creates it (apps/model-serving batch-results-table.ts), with two published runs.
    await db.query(`CREATE TABLE "dwh".scores_churn_s (
      job_id bigint NOT NULL, run integer NOT NULL, model text NOT NULL, version integer NOT NULL, user_id text NOT NULL,
      as_of timestamptz NOT NULL, score double precision NOT NULL, outputs double precision[] NOT NULL, scored_at timestamptz NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job_id, run, user_id))`);
    const publish = (run: number, scores: Record<string, number>) =>
      db.query(
        `INSERT INTO "dwh".scores_churn_s (job_id, run, model, version, user_id, as_of, score, outputs, scored_at)
         SELECT 7, $1, 'churn', 2, k, now(), s, ARRAY[s], now() FROM unnest($2::text[], $3::float8[]) AS t(k, s)`,
        [run, Object.keys(scores), Object.values(scores)],
      );
    await publish(1, { u1: 0.25, u2: 0.5 });
    await publish(2, { u1: 0.75, u3: 0.125 });
    const applied = await apply(project([mart]));
    expect(applied.status).toBe(200);
    expect(model(await run(), 'mart_latest_scores_s')).toMatchObject({ status: 'built', rowsAffected: 2 });
    expect(await db.query(`SELECT user_id, score, run FROM "dwh".mart_latest_scores_s ORDER BY user_id`)).toEqual([
      { user_id: 'u1', score: 0.75, run: 2 },
      { user_id: 'u3', score: 0.125, run: 2 },
    ]);
    // A later run landing in the table is new input: the mart is built again from it.
    await new Promise((r) => setTimeout(r, 20));
    await publish(3, { u2: 0.0625 });
    expect(model(await run(), 'mart_latest_scores_s').status).toBe('built');
    expect(await db.query(`SELECT user_id, score, run FROM "dwh".mart_latest_scores_s ORDER BY user_id`)).toEqual([{ user_id: 'u2', score: 0.0625, run: 3 }]);
  });
});

describe('project-limited tokens (production profile)', () => {
  let svc: TestService;
  const TEAM_A = 'team-a-token-0123456789abcdef';
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: {
        TRANSFORM_INTERVAL_SECONDS: '0',
        SLA_CHECK_INTERVAL_SECONDS: '0',
        PLATFORM_PROFILE: 'production',
        MIGRATE_ON_START: 'true',
        NATS_URL: undefined,
        REDIS_URL: undefined,
        TRANSPORT_SECRET: 'dwh-ingest-int-spec-transport-secret-0123456789',
        AUTH_TOKENS: JSON.stringify([{ name: 'team-a-admin', token: TEAM_A, scopes: ['ingest:admin', 'ingest:read', 'project:shop-a'] }]),
      },
    });
  });
  afterAll(() => svc.close());

  it('lets a token limited to one project apply only that project, and records it as the applier', async () => {
    const auth = { authorization: `Bearer ${TEAM_A}` };
    const other = await callService<ErrorBody>(svc, 'POST', '/v1/warehouse/apply', { project: 'shop-b', kpis: [] }, auth);
    expect(other.status).toBe(403);
    expect(other.json.details).toEqual([expect.objectContaining({ code: 'PROJECT_FORBIDDEN' })]);
    const own = await callService<WarehouseApplyPlan>(svc, 'POST', '/v1/warehouse/apply', { project: 'shop-a', description: 'team a' }, auth);
    expect(own.status).toBe(200);
    const list = await callService<{ projects: Array<{ name: string; applied_by: string }> }>(svc, 'GET', '/v1/projects', undefined, auth);
    expect(list.json.projects).toEqual([expect.objectContaining({ name: 'shop-a', applied_by: 'team-a-admin' })]);
    expect((await callService(svc, 'POST', '/v1/warehouse/apply', { project: 'shop-a' })).status).toBe(401);
  });

});
