import type { ApplyRequest, FeatureViewDefinition } from '@mlp/contracts';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { ROLLING_ACTIVITY_DEFINITIONS } from '../../testing/rolling-activity-definitions';
import { ACTIVITY_DEFINITIONS, createMarts, insertActivity, parseTrainingSet, sql } from '../../testing/warehouse-fixtures';

describe('feature registry: apply plans and versions on a real PostgreSQL', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { MATERIALIZATION_WORKER: 'false', REDIS_URL: undefined } });
  });
  afterAll(() => svc.close());

  const views = async () => (await callService(svc, 'GET', '/v1/feature-views')).json['feature_views'] as Array<FeatureViewDefinition & { version: number; source_status: string }>;

  it('starts with an empty registry, applies definitions without the marts, reports SOURCE_MISSING, and serves once the marts exist', async () => {
    // The platform applies nothing of its own at start.
    await new Promise((r) => setTimeout(r, 300));
    expect(await views()).toEqual([]);
    const applied = await callService(svc, 'POST', '/v1/apply', ROLLING_ACTIVITY_DEFINITIONS);
    expect(applied.json['sources']).toEqual([
      expect.objectContaining({ view: 'user_activity', status: 'SOURCE_MISSING' }),
      expect.objectContaining({ view: 'user_profile', status: 'SOURCE_MISSING' }),
    ]);
    expect((await views()).map((v) => [v.name, v.source_status])).toEqual([
      ['user_activity', 'SOURCE_MISSING'],
      ['user_profile', 'SOURCE_MISSING'],
    ]);
    const missing = await callService(svc, 'POST', '/v1/historical-features', { feature_service: 'purchase_propensity', entity_rows: { user_id: ['a'], event_timestamp: ['2026-01-05T00:00:00Z'] } });
    expect([missing.status, missing.json['code']]).toEqual([409, 'SOURCE_MISSING']);

    await createMarts(svc.db.url);
    await insertActivity(svc.db.url, [
      { user_id: 'a', activity_date: '2026-01-01', orders: 1, revenue: 5, page_views: 3 },
      { user_id: 'a', activity_date: '2026-01-03', orders: 2, revenue: 7, page_views: 4 },
      { user_id: 'a', activity_date: '2025-12-01', orders: 9, revenue: 90, page_views: 1 },
    ]);
    await sql(svc.db.url, (c) => c.query(`INSERT INTO dwh.mart_user_profile VALUES ('a', '2025-12-25', 'PL', 'plus', '2026-01-02T00:00:00Z')`));
    const res = await callService(svc, 'POST', '/v1/historical-features', {
      feature_service: 'purchase_propensity',
      entity_rows: { user_id: ['a', 'a'], event_timestamp: ['2026-01-04T00:00:00Z', '2026-01-06T00:00:00Z'] },
    });
    expect(res.status).toBe(200);
    const [row, quiet] = parseTrainingSet(res.text).rows;
    // Windows of 2026-01-03 (event time 01-04 00:00): 7 days hold 01-01 and 01-03; 28 days not 2025-12-01;
    // lifetime totals since the first active day (2025-12-01, 34 days observed).
    // Tenure at the row's own time: 2026-01-04 - signup 2025-12-25; the profile is valid from signup.
    expect(row).toMatchObject({
      orders_7d: 3, orders_28d: 3, revenue_7d: 12, page_views_7d: 7, active_days_28d: 2,
      orders_total: 12, active_days_total: 3, page_views_total: 8, days_observed: 34, days_since_active: 0,
      country: 'PL', plan: 'plus', tenure_days: 10,
    });
    // A quiet day has its own row (the date spine): two days after the last activity, within the ttl.
    expect(quiet).toMatchObject({ orders_7d: 3, orders_total: 12, days_observed: 36, days_since_active: 2, tenure_days: 12 });
    expect((await views()).map((v) => v.source_status)).toEqual(['READY', 'READY']);
  });

  it('plans without writing on dry run, then creates, changes in place, versions schema changes and removes with prune', async () => {
    const dry = await callService(svc, 'POST', '/v1/apply', { ...ACTIVITY_DEFINITIONS, dry_run: true });
    expect(dry.status).toBe(200);
    expect(dry.json['created']).toEqual([
      { kind: 'entity', name: 'customer' },
      { kind: 'feature_view', name: 'daily_activity', version: 1 },
      { kind: 'feature_view', name: 'profile', version: 1 },
      { kind: 'feature_service', name: 'churn' },
    ]);
    expect(dry.json['sources']).toEqual([
      { view: 'daily_activity', version: 1, status: 'READY' },
      { view: 'profile', version: 1, status: 'READY' },
    ]);
    expect((await views()).map((v) => v.name)).toEqual(['user_activity', 'user_profile']);

    expect((await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS)).json['created']).toHaveLength(4);
    const again = await callService(svc, 'POST', '/v1/apply', ACTIVITY_DEFINITIONS);
    expect([again.json['created'], again.json['changed'], (again.json['unchanged'] as unknown[]).length]).toEqual([[], [], 4]);

    // A description change keeps the version; a new feature is a schema change: version 2.
    const [daily, profile] = ACTIVITY_DEFINITIONS.feature_views!;
    const described = await callService(svc, 'POST', '/v1/apply', { feature_views: [{ ...daily, description: 'orders per day' }] });
    expect(described.json['changed']).toEqual([{ kind: 'feature_view', name: 'daily_activity', version: 1, fields: ['description'], new_version: false }]);
    const v2: FeatureViewDefinition = {
      ...daily,
      description: 'orders per day',
      features: [...daily.features, { name: 'page_views', type: 'int64' }],
      source: { sql: `SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, orders, revenue, page_views FROM dwh.mart_user_activity_daily` },
    };
    const versioned = await callService(svc, 'POST', '/v1/apply', { feature_views: [v2] });
    expect(versioned.json['changed']).toEqual([{ kind: 'feature_view', name: 'daily_activity', version: 2, fields: ['features', 'source'], new_version: true }]);

    // Both versions stay readable: the head by name, v1 pinned.
    const both = await callService(svc, 'POST', '/v1/historical-features', {
      features: ['daily_activity:page_views', 'daily_activity:orders', 'daily_activity@v1:orders'],
      full_feature_names: true,
      entity_rows: { user_id: ['a'], event_timestamp: ['2026-01-04T00:00:00Z'] },
    });
    expect(both.status).toBe(200);
    expect(parseTrainingSet(both.text).rows[0]).toEqual({ user_id: 'a', event_timestamp: '2026-01-04T00:00:00+00:00', daily_activity__page_views: 4, daily_activity__orders: 2, daily_activity__v1__orders: 2 });
    const head = await callService(svc, 'GET', '/v1/feature-views/daily_activity');
    expect([head.json['version'], (head.json['versions'] as unknown[]).length]).toEqual([2, 2]);
    expect((await callService(svc, 'POST', '/v1/historical-features', { features: ['daily_activity@v1:page_views'], entity_rows: { user_id: ['a'], event_timestamp: ['2026-01-04T00:00:00Z'] } })).json['code']).toBe('UNKNOWN_FEATURE');

    // Prune: everything not in the request goes, but not what a kept service still needs.
    const keep: ApplyRequest = { entities: ACTIVITY_DEFINITIONS.entities, feature_views: [v2, profile], feature_services: ACTIVITY_DEFINITIONS.feature_services, prune: true };
    const pruned = await callService(svc, 'POST', '/v1/apply', keep);
    expect(pruned.json['removed']).toEqual([
      { kind: 'feature_service', name: 'purchase_propensity' },
      { kind: 'feature_view', name: 'user_activity', version: 1 },
      { kind: 'feature_view', name: 'user_profile', version: 1 },
      { kind: 'entity', name: 'user' },
    ]);
    const gone = await callService(svc, 'POST', '/v1/online-features', { features: ['user_activity:orders_7d'], entities: { user_id: ['a'] } });
    expect([gone.status, gone.json['code']]).toEqual([400, 'UNKNOWN_FEATURE_VIEW']);
    const broken = await callService(svc, 'POST', '/v1/apply', { feature_views: [profile], prune: true, entities: ACTIVITY_DEFINITIONS.entities, feature_services: ACTIVITY_DEFINITIONS.feature_services });
    expect([broken.status, broken.json['code']]).toEqual([400, 'UNKNOWN_FEATURE_VIEW']);
  });

  it('refuses unknown references, bad sources and injection in names before any SQL runs', async () => {
    const [daily] = ACTIVITY_DEFINITIONS.feature_views!;
    const cases: Array<[unknown, number, string]> = [
      [{ feature_views: [{ ...daily, name: 'x', entities: ['nobody'] }] }, 400, 'UNKNOWN_ENTITY'],
      [{ feature_services: [{ name: 's', features: ['nope:orders'] }] }, 400, 'UNKNOWN_FEATURE_VIEW'],
      [{ feature_services: [{ name: 's', features: ['daily_activity:nope'] }] }, 400, 'UNKNOWN_FEATURE'],
      [{ feature_services: [{ name: 's', features: ['daily_activity@v7:orders'] }] }, 400, 'UNKNOWN_FEATURE_VERSION'],
      [{ feature_views: [{ ...daily, name: 'x"; DROP SCHEMA features CASCADE; --' }] }, 400, 'VALIDATION_FAILED'],
      [{ feature_views: [{ ...daily, name: 'x', features: [{ name: 'orders', type: 'int64' }, { name: 'orders', type: 'int64' }] }] }, 400, 'INVALID_FEATURE_VIEW'],
      [{ feature_views: [{ ...daily, name: 'x', source: { sql: 'SELECT name AS user_id, now() AS event_timestamp, 1 AS orders, 1.0 AS revenue FROM features.entities' } }] }, 400, 'INVALID_SOURCE'],
      [{ feature_views: [{ ...daily, name: 'x', source: { sql: 'SELECT user_id FROM dwh.mart_user_profile; DELETE FROM dwh.mart_user_profile' } }] }, 400, 'INVALID_SOURCE_SQL'],
      [{ feature_views: [{ ...daily, name: 'x', source: { sql: "SELECT user_id, updated_at AS event_timestamp, 1 AS orders, 1.0 AS revenue FROM dwh.mart_user_profile WHERE query_to_xml('delete from dwh.mart_user_profile', true, true, '') IS NOT NULL" } }] }, 400, 'INVALID_SOURCE_SQL'],
      [{ feature_views: [{ ...daily, name: 'x', source: { sql: "SELECT user_id, updated_at AS event_timestamp, country AS orders, 1.0 AS revenue FROM dwh.mart_user_profile" } }] }, 400, 'INVALID_SOURCE'],
      [{ entities: [{ name: 'customer', join_key: 'customer_id', value_type: 'string' }] }, 409, 'ENTITY_IN_USE'],
    ];
    for (const [body, status, code] of cases) {
      const res = await callService(svc, 'POST', '/v1/apply', body);
      expect([res.status, res.json['code'], JSON.stringify(body).slice(0, 60)]).toEqual([status, code, JSON.stringify(body).slice(0, 60)]);
    }
    const [{ n }] = await sql(svc.db.url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM dwh.mart_user_profile`)).rows);
    expect(n).toBe(1);
  });
});
