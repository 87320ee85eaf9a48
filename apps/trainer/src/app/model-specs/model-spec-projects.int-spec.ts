import type { ModelSpec } from '@mlp/contracts';
import { callService, createTestDatabase, startTestService, type JsonObject, type TestDatabase, type TestService } from '@mlp/service-kit/testing';
import { Pool } from 'pg';
import { service } from '../../service';
import { AppModule } from '../app.module';
import { RetrainScheduler } from '../schedules/retrain-scheduler';
import { ORDER_WITHIN_7D_SPEC } from '../test-fixtures/model-spec-fixtures';
import { testPool } from '../test-fixtures/test-pool';

// Production profile: scoped tokens, one of them an admin limited to the project team-a.
const TOKENS = JSON.stringify([
  { name: 'ops-admin', token: 'admin-token-0123456789ab', scopes: ['admin'] },
  { name: 'team-a-ci', token: 'team-a-token-0123456789', scopes: ['admin', 'project:team-a'] },
  { name: 'reader', token: 'reader-token-0123456789ab', scopes: ['trainer:read', 'trainer:write'] },
]);
const ADMIN = { authorization: 'Bearer admin-token-0123456789ab' };
const TEAM_A = { authorization: 'Bearer team-a-token-0123456789' };
const READER = { authorization: 'Bearer reader-token-0123456789ab' };

const spec = (name: string, over: Partial<ModelSpec> = {}): ModelSpec => ({ ...ORDER_WITHIN_7D_SPEC, name, ...over });

describe('model specs owned by projects (production profile)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let svc: TestService;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool({ connectionString: db.url, max: 2 });
    svc = await startTestService(service, AppModule, {
      db,
      env: {
        PLATFORM_PROFILE: 'production',
        MIGRATE_ON_START: 'true',
        AUTH_TOKENS: TOKENS,
        TRANSPORT_SECRET: 'trainer-int-spec-transport-secret-0123456789',
        // Runs stay queued: nothing trains here.
        TRAINER_CONCURRENCY: '0',
        TRAINER_SCHEDULER_MS: '0',
      },
    });
  }, 60000);

  afterAll(async () => {
    await svc?.close();
    await pool?.end();
    await db?.drop();
  });

  const apply = (body: unknown, headers: Record<string, string> = ADMIN) => callService(svc, 'POST', '/v1/model-specs/apply', body, headers);
  /** The registry's rows, straight from the table: what "nothing changed" compares. */
  const rows = async () =>
    (await pool.query(`SELECT name, project, spec_hash, removed_at IS NOT NULL AS removed, updated_at FROM registry.models ORDER BY name`)).rows as Array<{
      name: string;
      project: string | null;
      removed: boolean;
    }>;
  const owners = async () => Object.fromEntries((await rows()).map((r) => [r.name, `${r.project}${r.removed ? ' (removed)' : ''}`]));

  it('applies two projects side by side; records and lists name the project', async () => {
    const a = await apply({ project: 'team-a', specs: [spec('a_churn'), spec('a_upsell')] });
    expect([a.status, a.json]).toEqual([200, { project: 'team-a', dry_run: false, created: [{ name: 'a_churn' }, { name: 'a_upsell' }], changed: [], removed: [], unchanged: [] }]);
    const b = await apply({ project: 'team-b', specs: [spec('b_churn')] });
    expect([b.status, b.json['created']]).toEqual([200, [{ name: 'b_churn' }]]);
    expect(await owners()).toEqual({ a_churn: 'team-a', a_upsell: 'team-a', b_churn: 'team-b' });

    const record = await callService(svc, 'GET', '/v1/model-specs/b_churn', undefined, READER);
    expect(record.json).toMatchObject({ project: 'team-b', spec: { name: 'b_churn' } });
    const listed = await callService<{ models: JsonObject[] }>(svc, 'GET', '/v1/model-specs?project=team-a', undefined, READER);
    expect(listed.json.models.map((m) => [(m['spec'] as JsonObject)['name'], m['project']])).toEqual([
      ['a_churn', 'team-a'],
      ['a_upsell', 'team-a'],
    ]);
    const again = await apply({ project: 'team-a', specs: [spec('a_churn'), spec('a_upsell', { description: 'upsell within a week' })] });
    expect([again.json['unchanged'], again.json['changed']]).toEqual([[{ name: 'a_churn' }], [{ name: 'a_upsell', fields: ['description'] }]]);
  });

  it("refuses another project's name with 409 naming the owner; the single POST needs ?project= for an owned spec", async () => {
    const before = await rows();
    const taken = await apply({ project: 'team-b', specs: [spec('b_new'), spec('a_churn', { seed: 1 })] });
    expect([taken.status, taken.json['code'], taken.json['details']]).toEqual([
      409,
      'NAME_OWNED_BY_ANOTHER_PROJECT',
      [{ code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: 'model a_churn is owned by project team-a' }],
    ]);
    expect(taken.json['error']).toContain('a_churn (owned by project team-a)');
    const single = await callService(svc, 'POST', '/v1/model-specs', spec('a_churn', { seed: 1 }), ADMIN);
    expect([single.status, single.json['code']]).toEqual([409, 'NAME_OWNED_BY_ANOTHER_PROJECT']);
    const wrongOwner = await callService(svc, 'POST', '/v1/model-specs?project=team-b', spec('a_churn', { seed: 1 }), ADMIN);
    expect([wrongOwner.status, wrongOwner.json['code']]).toEqual([409, 'NAME_OWNED_BY_ANOTHER_PROJECT']);
    expect(await rows()).toEqual(before);

    const named = await callService(svc, 'POST', '/v1/model-specs?project=team-a', spec('a_churn', { seed: 1 }), ADMIN);
    expect([named.status, named.json['project'], (named.json['spec'] as JsonObject)['seed']]).toEqual([200, 'team-a', 1]);
    const badProject = await callService(svc, 'POST', '/v1/model-specs?project=Team%20A', spec('a_churn'), ADMIN);
    expect([badProject.status, badProject.json['code']]).toEqual([400, 'INVALID_PROJECT']);
    // Unowned specs keep working without a project; naming one adopts it.
    expect((await callService(svc, 'POST', '/v1/model-specs', spec('legacy'), ADMIN)).status).toBe(201);
    expect((await callService(svc, 'GET', '/v1/model-specs/legacy', undefined, READER)).json['project']).toBeNull();
    const adopted = await apply({ project: 'team-b', specs: [spec('b_churn'), spec('legacy')] });
    expect(adopted.json['changed']).toEqual([{ name: 'legacy', fields: ['project'] }]);
    expect((await owners())['legacy']).toBe('team-b');
  });

  it('plans on dry_run without writing anything', async () => {
    const before = await rows();
    const dry = await apply({ project: 'team-a', specs: [spec('a_churn', { seed: 2 }), spec('a_new')], prune: true, dry_run: true });
    expect([dry.status, dry.json]).toEqual([
      200,
      { project: 'team-a', dry_run: true, created: [{ name: 'a_new' }], changed: [{ name: 'a_churn', fields: ['seed'] }], removed: [{ name: 'a_upsell' }], unchanged: [] },
    ]);
    expect(await rows()).toEqual(before);
  });

  it("prunes only the project's own specs; a removed spec keeps its history but is no longer listed, scheduled, triggered or trained", async () => {
    // a_upsell has a schedule, a queued run and is watched by a retrain trigger.
    const queued = await callService(svc, 'POST', '/v1/training-runs', { model: 'a_upsell' }, READER);
    expect(queued.status).toBe(202);
    await pool.query(`UPDATE registry.models SET schedule_handled_at = now() - interval '3 days' WHERE name IN ('a_upsell', 'b_churn')`);

    const pruned = await apply({ project: 'team-a', specs: [spec('a_churn', { seed: 1 })], prune: true });
    expect([pruned.status, pruned.json['removed'], pruned.json['unchanged']]).toEqual([200, [{ name: 'a_upsell' }], [{ name: 'a_churn' }]]);
    expect(await owners()).toEqual({ a_churn: 'team-a', a_upsell: 'team-a (removed)', b_churn: 'team-b', legacy: 'team-b' });

    expect((await callService(svc, 'GET', '/v1/model-specs/a_upsell', undefined, READER)).status).toBe(404);
    const listed = await callService<{ models: JsonObject[] }>(svc, 'GET', '/v1/model-specs', undefined, READER);
    expect(listed.json.models.map((m) => (m['spec'] as JsonObject)['name'])).toEqual(['a_churn', 'b_churn', 'legacy']);
    // Its queued run was cancelled; the registry keeps the model and its runs.
    const run = await callService(svc, 'GET', `/v1/training-runs/${queued.json['id']}`, undefined, READER);
    expect(run.json).toMatchObject({ status: 'cancelled', error: 'the model spec was removed' });
    expect((await callService(svc, 'GET', '/v1/models/a_upsell', undefined, READER)).status).toBe(200);
    // Nothing starts it any more: not the API, the schedule, a mart refresh or drift.
    const train = await callService(svc, 'POST', '/v1/training-runs', { model: 'a_upsell' }, READER);
    expect([train.status, train.json['code']]).toEqual([404, 'MODEL_NOT_FOUND']);
    const scheduler = svc.app.get(RetrainScheduler);
    const ticked = await scheduler.tick();
    expect(ticked.map((t) => t.model).sort()).toEqual(['a_churn', 'b_churn', 'legacy']);
    expect(await scheduler.modelsWatching('dwh.mart_orders')).toEqual(['a_churn', 'b_churn', 'legacy']);
    expect(await scheduler.trigger('a_upsell', 'drift:v1', () => true)).toBeNull();
    const { rows: runs } = await pool.query(`SELECT status, error_code FROM registry.training_runs WHERE model = 'a_upsell'`);
    expect(runs).toEqual([{ status: 'cancelled', error_code: 'MODEL_SPEC_REMOVED' }]);

    // The name stays team-a's; team-a may declare it again.
    expect((await apply({ project: 'team-b', specs: [spec('b_churn'), spec('legacy'), spec('a_upsell')] })).json['code']).toBe('NAME_OWNED_BY_ANOTHER_PROJECT');
    const back = await apply({ project: 'team-a', specs: [spec('a_churn', { seed: 1 }), spec('a_upsell')] });
    expect(back.json['created']).toEqual([{ name: 'a_upsell' }]);
    expect((await callService(svc, 'GET', '/v1/model-specs/a_upsell', undefined, READER)).json['project']).toBe('team-a');
  });

  it('lets a project-limited token apply only its own project (403 PROJECT_FORBIDDEN otherwise)', async () => {
    const before = await rows();
    const attempts: Array<[string, unknown]> = [
      ['/v1/model-specs/apply', { project: 'team-b', specs: [spec('b_churn', { seed: 9 })] }],
      ['/v1/model-specs/apply', { project: 'team-b', specs: [], prune: true, dry_run: true }],
      ['/v1/model-specs', spec('unowned_by_a')],
      ['/v1/model-specs?project=team-b', spec('b_churn', { seed: 9 })],
    ];
    for (const [path, body] of attempts) {
      const res = await callService(svc, 'POST', path, body, TEAM_A);
      expect([path, res.status, res.json['code'], (res.json['details'] as JsonObject[])[0]?.['code']]).toEqual([path, 403, 'FORBIDDEN', 'PROJECT_FORBIDDEN']);
    }
    expect(await rows()).toEqual(before);
    const own = await apply({ project: 'team-a', specs: [spec('a_churn', { seed: 1 }), spec('a_upsell')], dry_run: true }, TEAM_A);
    expect([own.status, own.json['unchanged']]).toEqual([200, [{ name: 'a_churn' }, { name: 'a_upsell' }]]);
  });

  it('applies a batch atomically: one invalid spec and nothing is written', async () => {
    const before = await rows();
    const res = await apply({ project: 'team-a', specs: [spec('a_fresh'), spec('a_churn', { seed: 5 }), spec('a_broken', { labelSource: { ...ORDER_WITHIN_7D_SPEC.labelSource, sql: 'SELECT * FROM registry.models' } })], prune: true });
    expect([res.status, res.json['code']]).toEqual([400, 'LABEL_SQL_OUTSIDE_WAREHOUSE']);
    expect(res.json['details']).toEqual(expect.arrayContaining([expect.objectContaining({ path: '$.specs[2].labelSource.sql', code: 'LABEL_SQL_OUTSIDE_WAREHOUSE' })]));
    const schema = await apply({ project: 'team-a', specs: [spec('a_fresh'), { ...spec('a_bad'), primaryMetric: 'not_a_metric' }] });
    expect([schema.status, schema.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await rows()).toEqual(before);
  });
});
