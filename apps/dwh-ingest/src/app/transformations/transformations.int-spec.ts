import { IngestPredictionLogMessage } from '@mlp/contracts';
import { Database, PeerClients } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyShopFixture, trackMessage } from '../test-support';
import { TransformationRunner } from './transformation-runner.service';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('transformations on a real PostgreSQL', () => {
  let svc: TestService;
  let db: Database;
  const now = Date.now();
  const today = iso(now).slice(0, 10);
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    db = svc.app.get(Database);
    await applyShopFixture(svc);
  });
  afterAll(() => svc.close());

  const run = async (body: unknown = {}) => {
    const res = await callService(svc, 'POST', '/v1/transformations/run', body);
    expect(res.status).toBe(200);
    return res.json as { runId: string; status: string; models: Array<{ model: string; status: string; rowsAffected: number; tests: Array<{ test: string; status: string; failures: number; sample: unknown[]; severity: string }> }> };
  };
  const model = (r: Awaited<ReturnType<typeof run>>, name: string) => r.models.find((m) => m.model === name) as Awaited<ReturnType<typeof run>>['models'][number];

  it('builds staging and the published marts in dependency order and announces each refreshed mart through the outbox', async () => {
    const batch = [
      { type: 'identify', messageId: 'i-1', userId: 'u1', timestamp: iso(now - 3 * DAY), traits: { signup_date: '2026-01-02', country: 'DE', plan: 'free' } },
      { type: 'identify', messageId: 'i-2', userId: 'u1', timestamp: iso(now - 2 * DAY), traits: { plan: 'pro' } },
      trackMessage({ messageId: 't-1', userId: 'u1', event: 'page_viewed', timestamp: iso(now), properties: { path: '/' } }),
      trackMessage({ messageId: 't-2', userId: 'u1', event: 'product_viewed', timestamp: iso(now), properties: { product_id: 'p1', price: 10 } }),
      trackMessage({ messageId: 't-3', userId: 'u1', event: 'order_completed', timestamp: iso(now), properties: { order_id: 'o-1', revenue: 25.5, items: 2 } }),
    ];
    expect((await callService(svc, 'POST', '/v1/batch', { batch })).json['accepted']).toBe(5);
    const predictedAt = iso(now - DAY);
    const reply = await svc.app.get(PeerClients).get('dwh-ingest').send(IngestPredictionLogMessage, {
      records: [
        { predictionId: 'pr-1', requestId: 'r1', model: 'purchase', version: 1, arm: 'champion', entity: { user_id: 'u1' }, inputs: { x: 1 }, output: 0.8, latencyMs: 3, predictedAt },
        { predictionId: 'pr-2', requestId: 'r1', model: 'purchase', version: 1, arm: 'champion', entity: { user_id: 'u9' }, inputs: { x: 2 }, output: 0.1, latencyMs: 3, predictedAt },
      ],
    });
    expect(reply).toEqual({ accepted: 2, duplicates: 0 });

    const r = await run();
    const order = r.models.map((m) => m.model);
    expect([...order].sort()).toEqual(['mart_orders', 'mart_predictions', 'mart_true_propensity', 'mart_user_activity_daily', 'mart_user_profile', 'stg_events', 'stg_identifies', 'stg_orders']);
    // Dependencies are derived from the SQL (and relationships tests): each model after what it reads.
    const registered = await svc.app.get(TransformationRunner).registeredModels();
    expect(registered.find((m) => m.name === 'mart_predictions')).toMatchObject({ deps: ['mart_orders'], inputs: ['prediction_log'] });
    expect(registered.find((m) => m.name === 'mart_user_activity_daily')?.deps.sort()).toEqual(['mart_user_profile', 'stg_events']);
    for (const def of registered) for (const dep of def.deps) expect(order.indexOf(dep)).toBeLessThan(order.indexOf(def.name));
    expect(r.models.every((m) => m.status === 'built')).toBe(true);
    expect(model(r, 'stg_events').rowsAffected).toBe(5);

    expect(await db.query(`SELECT user_id, signup_date::text, country, plan FROM "dwh".mart_user_profile`)).toEqual([
      { user_id: 'u1', signup_date: '2026-01-02', country: 'DE', plan: 'pro' },
    ]);
    expect(await db.query(`SELECT user_id, activity_date::text, page_views, product_views, add_to_carts, checkouts, orders, revenue FROM "dwh".mart_user_activity_daily`)).toEqual([
      { user_id: 'u1', activity_date: today, page_views: 1, product_views: 1, add_to_carts: 0, checkouts: 0, orders: 1, revenue: '25.50' },
    ]);
    expect(await db.query(`SELECT order_id, user_id, revenue FROM "dwh".mart_orders`)).toEqual([{ order_id: 'o-1', user_id: 'u1', revenue: '25.50' }]);
    expect(await db.query(`SELECT prediction_id, label_available, ordered_within_7d, orders_within_7d, revenue_within_7d FROM "dwh".mart_predictions ORDER BY 1`)).toEqual([
      { prediction_id: 'pr-1', label_available: false, ordered_within_7d: true, orders_within_7d: 1, revenue_within_7d: '25.50' },
      { prediction_id: 'pr-2', label_available: false, ordered_within_7d: false, orders_within_7d: 0, revenue_within_7d: '0.00' },
    ]);

    const outbox = await db.query<{ destination: string; payload: { mart: string; watermark: string } }>(
      `SELECT destination, payload FROM "dwh".outbox WHERE pattern = 'dwh.mart.refreshed.v1' ORDER BY id`,
    );
    const marts = [...new Set(outbox.map((o) => o.payload.mart))].sort();
    expect(marts).toEqual(['dwh.mart_orders', 'dwh.mart_predictions', 'dwh.mart_true_propensity', 'dwh.mart_user_activity_daily', 'dwh.mart_user_profile']);
    expect(new Set(outbox.map((o) => o.destination))).toEqual(new Set(['service:feature-store', 'service:trainer']));
    expect(new Date(outbox[0].payload.watermark).getTime()).toBeGreaterThan(now - 60_000);
  });

  it('processes only new rows in incremental models and leaves the rest untouched', async () => {
    const before = await db.query<{ message_id: string; t: string }>(`SELECT message_id, transformed_at::text AS t FROM "dwh".stg_events ORDER BY 1`);
    expect(before).toHaveLength(5);
    const idle = await run();
    expect(model(idle, 'stg_events')).toMatchObject({ status: 'unchanged', rowsAffected: 0 });
    expect(model(idle, 'mart_predictions').status).toBe('unchanged');

    const more = [
      trackMessage({ messageId: 't-4', userId: 'u1', event: 'page_viewed', timestamp: iso(now), properties: {} }),
      trackMessage({ messageId: 't-5', userId: 'u1', event: 'added_to_cart', timestamp: iso(now), properties: { product_id: 'p1', price: 10, quantity: 1 } }),
    ];
    await callService(svc, 'POST', '/v1/batch', { batch: more });
    const r = await run();
    expect(model(r, 'stg_events').rowsAffected).toBe(2);
    expect(model(r, 'mart_user_activity_daily').rowsAffected).toBe(1);
    expect(model(r, 'mart_orders')).toMatchObject({ status: 'unchanged', rowsAffected: 0 });
    const after = await db.query<{ message_id: string; t: string }>(`SELECT message_id, transformed_at::text AS t FROM "dwh".stg_events WHERE message_id = ANY($1) ORDER BY 1`, [
      before.map((b) => b.message_id),
    ]);
    expect(after).toEqual(before);
    const [day] = await db.query<{ page_views: number; add_to_carts: number }>(`SELECT page_views, add_to_carts FROM "dwh".mart_user_activity_daily WHERE user_id = 'u1'`);
    expect(day).toEqual({ page_views: 2, add_to_carts: 1 });
  });

  it('holds back a model whose error test fails (the published mart stays as it was), skips what reads it, and stores the result', async () => {
    const profileBefore = await db.query(`SELECT * FROM "dwh".mart_user_profile ORDER BY user_id`);
    // A backward-compatible ADDITION widens the plan enum; the mart's accepted_values test still expects three plans.
    const identify = await callService<{ schema: { properties: { plan: { enum: string[] } } } }>(svc, 'GET', '/v1/schemas/identify/1-0-0');
    const schema = identify.json['schema'];
    schema.properties.plan.enum = ['free', 'plus', 'pro', 'enterprise'];
    const added = await callService(svc, 'POST', '/v1/schemas', { name: 'identify', version: '1-0-1', schema });
    expect(added.status).toBe(201);
    await callService(svc, 'POST', '/v1/identify', { messageId: 'i-3', userId: 'u2', timestamp: iso(now), traits: { plan: 'enterprise' } });
    const r = await run();
    expect(r.status).toBe('tests_failed');
    expect(model(r, 'mart_user_profile').status).toBe('failed');
    const test = model(r, 'mart_user_profile').tests.find((t) => t.test === 'accepted_values(plan)');
    expect(test).toMatchObject({ status: 'fail', failures: 1, severity: 'error', sample: ['enterprise'] });
    expect(model(r, 'mart_user_activity_daily').status).toBe('skipped');
    expect(await db.query(`SELECT * FROM "dwh".mart_user_profile ORDER BY user_id`)).toEqual(profileBefore);
    const stored = await db.query<{ status: string; failures: string }>(`SELECT status, failures FROM "dwh".data_test_results WHERE run_id = $1 AND test LIKE 'accepted_values(plan)%'`, [r.runId]);
    expect(stored).toEqual([{ status: 'fail', failures: '1' }]);
    const fetched = await callService(svc, 'GET', `/v1/transformations/runs/${r.runId}`);
    expect(fetched.json['status']).toBe('tests_failed');
  });

  it('runs everything on an empty body, rebuilds from scratch on fullRefresh, and refuses unknown models', async () => {
    const empty = await callService(svc, 'POST', '/v1/transformations/run');
    expect(empty.status).toBe(200);
    const full = await run({ models: ['stg_events'], fullRefresh: true });
    expect(full.models.map((m) => m.model).sort()).toEqual(['mart_orders', 'mart_predictions', 'mart_user_activity_daily', 'mart_user_profile', 'stg_events', 'stg_identifies', 'stg_orders']);
    const [events] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".events`);
    expect(model(full, 'stg_events').rowsAffected).toBe(Number(events.n));
    const unknown = await callService(svc, 'POST', '/v1/transformations/run', { models: ['ghost'] });
    expect([unknown.status, unknown.json['code']]).toEqual([400, 'UNKNOWN_MODEL']);
    const models = await callService<{ models: Array<{ name: string }> }>(svc, 'GET', '/v1/transformations/models');
    expect(models.json['models'].find((m) => m.name === 'mart_orders')).toMatchObject({ materialized: 'incremental', lastStatus: 'success' });
  });

  it('keeps prediction log appends idempotent by predictionId', async () => {
    const record = { predictionId: 'pr-1', requestId: 'r2', model: 'purchase', version: 1, arm: 'champion' as const, inputs: {}, output: 0.5, latencyMs: 1, predictedAt: iso(now) };
    const reply = await svc.app.get(PeerClients).get('dwh-ingest').send(IngestPredictionLogMessage, { records: [record, { ...record, predictionId: 'pr-3' }] });
    expect(reply).toEqual({ accepted: 1, duplicates: 1 });
    const [row] = await db.query<{ output: number }>(`SELECT output FROM "dwh".prediction_log WHERE prediction_id = 'pr-1'`);
    expect(row.output).toBe(0.8);
  });
});
