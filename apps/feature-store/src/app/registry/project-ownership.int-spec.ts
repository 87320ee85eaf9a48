import type { ApplyRequest, FeatureViewDefinition } from '@mlp/contracts';
import { callService, startTestService, type JsonObject, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { createMarts, sql } from '../../testing/warehouse-fixtures';

// Production profile: scoped tokens, one of them an admin limited to the project team-a.
const TOKENS = JSON.stringify([
  { name: 'ops-admin', token: 'admin-token-0123456789ab', scopes: ['admin'] },
  { name: 'team-a-ci', token: 'team-a-token-0123456789', scopes: ['admin', 'project:team-a'] },
  { name: 'reader', token: 'reader-token-0123456789ab', scopes: ['features:read'] },
]);
const ADMIN = { authorization: 'Bearer admin-token-0123456789ab' };
const TEAM_A = { authorization: 'Bearer team-a-token-0123456789' };
const READER = { authorization: 'Bearer reader-token-0123456789ab' };

const view = (name: string, features: string[], over: Partial<FeatureViewDefinition> = {}): FeatureViewDefinition => ({
  name,
  entities: ['customer'],
  features: features.map((f) => ({ name: f, type: f === 'country' ? 'string' : f === 'revenue' ? 'float64' : 'int64' })),
  source: {
    sql:
      features[0] === 'country'
        ? `SELECT user_id, updated_at AS event_timestamp, country FROM dwh.mart_user_profile`
        : `SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, ${features.join(', ')} FROM dwh.mart_user_activity_daily`,
  },
  ttl_seconds: 2 * 86400,
  online: true,
  ...over,
});

const TEAM_A_DEFS: ApplyRequest = {
  project: 'team-a',
  entities: [{ name: 'customer', join_key: 'user_id', value_type: 'string' }],
  feature_views: [view('a_daily', ['orders', 'revenue']), view('a_profile', ['country'])],
  feature_services: [{ name: 'a_churn', features: ['a_daily:orders', 'a_profile:country'] }],
};
// team-b reads team-a's entity and profile view: reading is shared, writing is owned.
const TEAM_B_DEFS: ApplyRequest = {
  project: 'team-b',
  feature_views: [view('b_daily', ['orders'])],
  feature_services: [{ name: 'b_mix', features: ['b_daily:orders', 'a_profile:country'] }],
};

describe('feature registry: objects owned by projects (production profile)', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, {
      env: {
        PLATFORM_PROFILE: 'production',
        MIGRATE_ON_START: 'true',
        AUTH_TOKENS: TOKENS,
        TRANSPORT_SECRET: 'feature-store-int-spec-transport-secret-0123',
        MATERIALIZATION_WORKER: 'false',
        REDIS_URL: undefined,
      },
    });
    await createMarts(svc.db.url);
  }, 60000);
  afterAll(() => svc?.close());

  const apply = (body: unknown, headers: Record<string, string> = ADMIN) => callService(svc, 'POST', '/v1/apply', body, headers);
  const get = async (path: string) => (await callService(svc, 'GET', path, undefined, READER)).json;
  /** Every registry row with its owner, straight from the tables: what "nothing changed" compares. */
  const registryRows = () =>
    sql(svc.db.url, async (c) => ({
      entities: (await c.query(`SELECT name, project, spec FROM features.entities ORDER BY name`)).rows,
      views: (await c.query(`SELECT name, version, project, spec FROM features.feature_views ORDER BY name, version`)).rows,
      heads: (await c.query(`SELECT name, version, project, removed_at FROM features.feature_view_heads ORDER BY name`)).rows,
      services: (await c.query(`SELECT name, project, spec FROM features.feature_services ORDER BY name`)).rows,
    }));
  const owners = async () => {
    const rows = await registryRows();
    return Object.fromEntries([...rows.entities, ...rows.heads, ...rows.services].map((r) => [r.name, r.project]));
  };

  it('applies two projects side by side, and the list and get endpoints name each owner', async () => {
    const a = await apply(TEAM_A_DEFS);
    expect([a.status, a.json['project'], (a.json['created'] as unknown[]).length]).toEqual([200, 'team-a', 4]);
    const b = await apply(TEAM_B_DEFS);
    expect([b.status, b.json['project'], b.json['created']]).toEqual([
      200,
      'team-b',
      [
        { kind: 'feature_view', name: 'b_daily', version: 1 },
        { kind: 'feature_service', name: 'b_mix' },
      ],
    ]);
    expect(await owners()).toEqual({ customer: 'team-a', a_daily: 'team-a', a_profile: 'team-a', a_churn: 'team-a', b_daily: 'team-b', b_mix: 'team-b' });
    // All versions carry the owner too.
    expect((await registryRows()).views.map((v) => [v.name, v.version, v.project])).toEqual([
      ['a_daily', 1, 'team-a'],
      ['a_profile', 1, 'team-a'],
      ['b_daily', 1, 'team-b'],
    ]);

    const views = (await get('/v1/feature-views'))['feature_views'] as JsonObject[];
    expect(views.map((v) => [v['name'], v['project']])).toEqual([
      ['a_daily', 'team-a'],
      ['a_profile', 'team-a'],
      ['b_daily', 'team-b'],
    ]);
    expect(await get('/v1/feature-views/b_daily')).toMatchObject({ name: 'b_daily', project: 'team-b', version: 1 });
    expect(await get('/v1/feature-services/b_mix')).toEqual({ name: 'b_mix', project: 'team-b', features: ['b_daily:orders', 'a_profile:country'] });
    expect(((await get('/v1/feature-services'))['feature_services'] as JsonObject[]).map((s) => [s['name'], s['project']])).toEqual([
      ['a_churn', 'team-a'],
      ['b_mix', 'team-b'],
    ]);
    expect((await get('/v1/entities'))['entities']).toEqual([{ name: 'customer', join_key: 'user_id', value_type: 'string', project: 'team-a' }]);
  });

  it('refuses a name another project owns with 409 NAME_OWNED_BY_ANOTHER_PROJECT naming the owner, and writes nothing', async () => {
    const before = await registryRows();
    const taken = await apply({ project: 'team-b', feature_views: [view('b_new', ['orders']), view('a_daily', ['orders'], { description: 'mine now' })] });
    expect([taken.status, taken.json['code']]).toEqual([409, 'NAME_OWNED_BY_ANOTHER_PROJECT']);
    expect(taken.json['error']).toContain('feature view a_daily (owned by project team-a)');
    expect(taken.json['details']).toEqual([{ code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: 'feature view a_daily is owned by project team-a' }]);
    // Without a project, an owned name is refused too (the owner must be named).
    const anonymous = await apply({ feature_services: [{ name: 'a_churn', features: ['a_daily:orders'] }] });
    expect([anonymous.status, anonymous.json['code']]).toEqual([409, 'NAME_OWNED_BY_ANOTHER_PROJECT']);
    expect(anonymous.json['error']).toContain('a_churn (owned by project team-a)');
    expect(await registryRows()).toEqual(before);
  });

  it('plans on dry_run without writing anything', async () => {
    const before = await registryRows();
    const dry = await apply({
      ...TEAM_A_DEFS,
      feature_views: [view('a_daily', ['orders']), view('a_profile', ['country']), view('a_new', ['orders'])],
      feature_services: [],
      prune: true,
      dry_run: true,
    });
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({
      project: 'team-a',
      dry_run: true,
      created: [{ kind: 'feature_view', name: 'a_new', version: 1 }],
      changed: [{ kind: 'feature_view', name: 'a_daily', version: 2, fields: ['features', 'source'], new_version: true }],
      removed: [{ kind: 'feature_service', name: 'a_churn' }],
    });
    expect(await registryRows()).toEqual(before);
  });

  it("prunes only the project's own objects, never another project's, nor a view another project still reads", async () => {
    // a_profile is read by team-b's b_mix: team-a's prune may not take it away.
    const before = await registryRows();
    const inUse = await apply({ project: 'team-a', entities: TEAM_A_DEFS.entities, prune: true });
    expect([inUse.status, inUse.json['code']]).toEqual([409, 'FEATURE_VIEW_IN_USE']);
    expect(inUse.json['error']).toContain('b_mix (project team-b)');
    expect(await registryRows()).toEqual(before);

    const pruned = await apply({ project: 'team-a', entities: TEAM_A_DEFS.entities, feature_views: [view('a_profile', ['country'])], prune: true });
    expect(pruned.status).toBe(200);
    expect(pruned.json['removed']).toEqual([
      { kind: 'feature_service', name: 'a_churn' },
      { kind: 'feature_view', name: 'a_daily', version: 1 },
    ]);
    const after = await owners();
    expect(after).toEqual({ customer: 'team-a', a_daily: 'team-a', a_profile: 'team-a', b_daily: 'team-b', b_mix: 'team-b' });
    expect(((await get('/v1/feature-views'))['feature_views'] as JsonObject[]).map((v) => v['name'])).toEqual(['a_profile', 'b_daily']);
    // team-b's service still reads team-a's view.
    const online = await callService(svc, 'POST', '/v1/online-features', { feature_service: 'b_mix', entities: { user_id: ['u1'] } }, READER);
    expect(online.status).toBe(200);
    // A removed view keeps its history, so its name stays team-a's.
    const reuse = await apply({ project: 'team-b', feature_views: [view('a_daily', ['orders'])] });
    expect([reuse.status, reuse.json['code']]).toEqual([409, 'NAME_OWNED_BY_ANOTHER_PROJECT']);
    // A project with nothing registered prunes nothing.
    const empty = await apply({ project: 'team-c', prune: true });
    expect([empty.status, empty.json['removed']]).toEqual([200, []]);
  });

  it('lets a project-limited token apply only its own project (403 PROJECT_FORBIDDEN otherwise, dry runs too)', async () => {
    const before = await registryRows();
    for (const body of [{ ...TEAM_B_DEFS }, { ...TEAM_B_DEFS, dry_run: true }, { entities: [{ name: 'nobody', join_key: 'nobody_id', value_type: 'string' }] }]) {
      const res = await apply(body, TEAM_A);
      expect([res.status, res.json['code'], (res.json['details'] as JsonObject[])[0]?.['code']]).toEqual([403, 'FORBIDDEN', 'PROJECT_FORBIDDEN']);
    }
    expect(await registryRows()).toEqual(before);
    const own = await apply({ project: 'team-a', entities: TEAM_A_DEFS.entities, feature_views: [view('a_profile', ['country'], { description: 'country of signup' })] }, TEAM_A);
    expect([own.status, own.json['changed']]).toEqual([200, [{ kind: 'feature_view', name: 'a_profile', version: 1, fields: ['description'], new_version: false }]]);
  });

  it('applies a batch atomically: one invalid view and nothing of the batch is written', async () => {
    const before = await registryRows();
    const res = await apply({
      project: 'team-a',
      entities: [...TEAM_A_DEFS.entities!, { name: 'store', join_key: 'store_id', value_type: 'int64' }],
      feature_views: [
        view('a_weekly', ['orders']),
        // Reads another service's schema: refused when its source is checked, after a_weekly was written.
        view('a_bad', ['orders'], { source: { sql: 'SELECT name AS user_id, now() AS event_timestamp, 1 AS orders FROM features.entities' } }),
      ],
      feature_services: [{ name: 'a_weekly_svc', features: ['a_weekly:orders'] }],
    });
    expect([res.status, res.json['code']]).toEqual([400, 'INVALID_SOURCE']);
    expect(await registryRows()).toEqual(before);
  });

  it('lets the first project adopt unowned (legacy) objects, which then belong to it', async () => {
    const legacy: ApplyRequest = { feature_views: [view('legacy_daily', ['orders'])], feature_services: [{ name: 'legacy_svc', features: ['legacy_daily:orders'] }] };
    expect((await apply(legacy)).status).toBe(200);
    expect(await get('/v1/feature-services/legacy_svc')).toMatchObject({ project: null });
    const adopted = await apply({ ...legacy, project: 'team-b' });
    expect([adopted.status, adopted.json['changed']]).toEqual([
      200,
      [
        { kind: 'feature_view', name: 'legacy_daily', version: 1, fields: ['project'], new_version: false },
        { kind: 'feature_service', name: 'legacy_svc', fields: ['project'] },
      ],
    ]);
    expect(await owners()).toMatchObject({ legacy_daily: 'team-b', legacy_svc: 'team-b' });
    expect((await registryRows()).views.filter((v) => v.name === 'legacy_daily').map((v) => v.project)).toEqual(['team-b']);
    expect((await apply({ ...legacy, project: 'team-a' })).json['code']).toBe('NAME_OWNED_BY_ANOTHER_PROJECT');
  });
});
