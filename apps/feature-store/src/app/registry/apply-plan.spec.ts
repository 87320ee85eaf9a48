import type { FeatureViewDefinition } from '@mlp/contracts';
import { computeApplyPlan, dataHash, schemaHash, stableStringify, type RegistrySnapshot } from './apply-plan';

const view = (over: Partial<FeatureViewDefinition> = {}): FeatureViewDefinition => ({
  name: 'activity',
  entities: ['user'],
  features: [{ name: 'orders', type: 'int64' }],
  source: { sql: 'SELECT user_id, ts AS event_timestamp, orders FROM dwh.mart_x' },
  ttl_seconds: 60,
  online: true,
  ...over,
});

const registered = (spec: FeatureViewDefinition, head = 1): RegistrySnapshot => ({
  entities: new Map([['user', { name: 'user', join_key: 'user_id', value_type: 'string' }]]),
  views: new Map([[spec.name, { name: spec.name, head, maxVersion: head, removed: false, versions: new Map([[head, spec]]) }]]),
  services: new Map([['svc', { name: 'svc', features: ['activity:orders'] }]]),
});

describe('apply plans', () => {
  it('hashes schema and data independently of key and feature order; neither depends on metadata, the data hash on ttl', () => {
    const a = view({ features: [{ name: 'a', type: 'int64' }, { name: 'b', type: 'string' }] });
    const b = view({ features: [{ name: 'b', type: 'string' }, { name: 'a', type: 'int64' }], description: 'x', ttl_seconds: 5 });
    expect(schemaHash(a)).toBe(schemaHash(b));
    expect(schemaHash(a)).not.toBe(schemaHash(view({ features: [{ name: 'a', type: 'float64' }, { name: 'b', type: 'string' }] })));
    expect(dataHash(a)).not.toBe(dataHash(b));
    expect(dataHash(a)).toBe(dataHash({ ...b, ttl_seconds: a.ttl_seconds }));
    expect(stableStringify({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
  });

  it('makes a new version for every change of what the view\'s values are: entities, features, source SQL, timestamp field, ttl', () => {
    const current = registered(view(), 3);
    current.entities.set('account', { name: 'account', join_key: 'user_id', value_type: 'string' });
    const changes: Array<[Partial<FeatureViewDefinition>, string[]]> = [
      [{ entities: ['account'] }, ['entities']],
      [{ features: [{ name: 'orders', type: 'float64' }] }, ['features']],
      [{ features: [{ name: 'orders', type: 'int64' }, { name: 'revenue', type: 'float64' }], source: { sql: 'SELECT user_id, ts AS event_timestamp, orders, revenue FROM dwh.mart_x' } }, ['features', 'source']],
      [{ source: { sql: 'SELECT user_id, ts AS event_timestamp, orders * 2 AS orders FROM dwh.mart_x' } }, ['source']],
      [{ source: { sql: 'SELECT user_id, ts AS event_timestamp, orders FROM dwh.mart_x', timestamp_field: 'ts' } }, ['source']],
      [{ ttl_seconds: 120 }, ['ttl_seconds']],
    ];
    for (const [over, fields] of changes) {
      const plan = computeApplyPlan(current, { feature_views: [view(over)] });
      expect([plan.views, plan.changed]).toEqual([
        [expect.objectContaining({ op: 'new_version', version: 4 })],
        [{ kind: 'feature_view', name: 'activity', version: 4, fields, new_version: true }],
      ]);
    }
    // The default timestamp field spelled out is the same data.
    expect(dataHash(view({ source: { sql: view().source.sql, timestamp_field: 'event_timestamp' } }))).toBe(dataHash(view()));
  });

  it('updates metadata in place and says so: description, owner, tags, freshness SLA, online, a feature\'s description, feature order', () => {
    const base = view({ features: [{ name: 'orders', type: 'int64' }, { name: 'revenue', type: 'float64' }], source: { sql: 'SELECT user_id, ts AS event_timestamp, orders, revenue FROM dwh.mart_x' } });
    const current = registered(base, 3);
    const changes: Array<[Partial<FeatureViewDefinition>, string[]]> = [
      [{ description: 'orders per day' }, ['description']],
      [{ owner: 'growth' }, ['owner']],
      [{ tags: { team: 'growth' } }, ['tags']],
      [{ freshness_sla_seconds: 600 }, ['freshness_sla_seconds']],
      [{ online: false }, ['online']],
      [{ features: [{ name: 'orders', type: 'int64', description: 'orders that day' }, { name: 'revenue', type: 'float64' }] }, ['features']],
      [{ features: [{ name: 'revenue', type: 'float64' }, { name: 'orders', type: 'int64' }] }, ['features']],
    ];
    for (const [over, fields] of changes) {
      const plan = computeApplyPlan(current, { feature_views: [{ ...base, ...over }] });
      expect([plan.views, plan.changed]).toEqual([
        [expect.objectContaining({ op: 'update', version: 3 })],
        [{ kind: 'feature_view', name: 'activity', version: 3, fields, new_version: false }],
      ]);
    }
    expect(computeApplyPlan(current, { feature_views: [base] }).unchanged).toEqual([{ kind: 'feature_view', name: 'activity', version: 3 }]);
  });

  it('refuses a service that pins a retired version (it would be read online), but accepts the live ones', () => {
    const current = registered(view(), 2);
    const reg = current.views.get('activity')!;
    reg.versions.set(1, view({ ttl_seconds: 30 }));
    reg.retired = new Set([1]);
    expect(() => computeApplyPlan(current, { feature_services: [{ name: 'old', features: ['activity@v1:orders'] }] })).toThrow(
      expect.objectContaining({ status: 409, code: 'FEATURE_VERSION_RETIRED' }),
    );
    expect(computeApplyPlan(current, { feature_services: [{ name: 'new', features: ['activity@v2:orders'] }] }).created).toEqual([{ kind: 'feature_service', name: 'new' }]);
  });

  it('lets a service pin the version created in the same apply, and refuses unknown pins', () => {
    const current = registered(view());
    const next = view({ features: [{ name: 'orders', type: 'int64' }, { name: 'revenue', type: 'float64' }] });
    const plan = computeApplyPlan(current, { feature_views: [next], feature_services: [{ name: 'svc2', features: ['activity@v2:revenue', 'activity@v1:orders'] }] });
    expect(plan.created).toEqual([{ kind: 'feature_service', name: 'svc2' }]);
    expect(() => computeApplyPlan(current, { feature_services: [{ name: 'svc2', features: ['activity@v1:revenue'] }] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_FEATURE' }));
    expect(() => computeApplyPlan(current, { feature_services: [{ name: 'svc2', features: ['activity@v3:orders'] }] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_FEATURE_VERSION' }));
  });

  it('refuses duplicates, reserved names and prunes that would break a kept service', () => {
    const current = registered(view());
    expect(() => computeApplyPlan(current, { feature_views: [view(), view()] })).toThrow(expect.objectContaining({ code: 'DUPLICATE_DEFINITION' }));
    expect(() => computeApplyPlan(current, { feature_views: [view({ features: [{ name: 'user_id', type: 'string' }] })] })).toThrow(expect.objectContaining({ code: 'INVALID_FEATURE_VIEW' }));
    expect(() => computeApplyPlan(current, { prune: true, entities: [...current.entities.values()], feature_services: [...current.services.values()] })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_FEATURE_VIEW' }),
    );
    const all = computeApplyPlan(current, { prune: true });
    expect(all.removed.map((r) => `${r.kind}:${r.name}`)).toEqual(['feature_service:svc', 'feature_view:activity', 'entity:user']);
  });

  it('numbers a re-created view after every version it ever had', () => {
    const current = registered(view(), 2);
    current.views.get('activity')!.removed = true;
    current.views.get('activity')!.maxVersion = 5;
    current.services.clear();
    expect(computeApplyPlan(current, { feature_views: [view()] }).views).toEqual([expect.objectContaining({ op: 'create', version: 6 })]);
  });

  describe('ownership by project', () => {
    /** Two projects side by side plus one unowned (legacy) object of each kind. */
    function owned(): RegistrySnapshot {
      const reg = (spec: FeatureViewDefinition, removed = false) => ({ name: spec.name, head: 1, maxVersion: 1, removed, versions: new Map([[1, spec]]) });
      const user = { name: 'user', join_key: 'user_id', value_type: 'string' as const };
      return {
        entities: new Map([
          ['user', user],
          ['shop', { name: 'shop', join_key: 'shop_id', value_type: 'string' as const }],
          ['legacy_user', { ...user, name: 'legacy_user' }],
        ]),
        views: new Map([
          ['a_orders', reg(view({ name: 'a_orders' }))],
          ['a_spend', reg(view({ name: 'a_spend' }))],
          ['b_orders', reg(view({ name: 'b_orders' }))],
          ['legacy_orders', reg(view({ name: 'legacy_orders' }))],
          ['a_gone', reg(view({ name: 'a_gone' }), true)],
        ]),
        services: new Map([
          ['a_svc', { name: 'a_svc', features: ['a_orders:orders'] }],
          // Reading is shared: team-b's service uses team-a's view.
          ['b_svc', { name: 'b_svc', features: ['b_orders:orders', 'a_spend:orders'] }],
          ['legacy_svc', { name: 'legacy_svc', features: ['legacy_orders:orders'] }],
        ]),
        owners: {
          entities: new Map([['user', 'team-a'], ['shop', 'team-b']]),
          views: new Map([['a_orders', 'team-a'], ['a_spend', 'team-a'], ['b_orders', 'team-b'], ['a_gone', 'team-a']]),
          services: new Map([['a_svc', 'team-a'], ['b_svc', 'team-b']]),
        },
      };
    }
    const names = (items: Array<{ kind: string; name: string }>) => items.map((i) => `${i.kind}:${i.name}`);

    it('refuses names another project owns with one 409 naming each owner, removed views included', () => {
      const current = owned();
      const err = (() => {
        try {
          computeApplyPlan(current, { project: 'team-b', entities: [current.entities.get('user')!], feature_views: [view({ name: 'a_gone' })] });
        } catch (e) {
          return e as { status: number; code: string; message: string; details: Array<{ code: string; message: string }> };
        }
        throw new Error('no conflict');
      })();
      expect([err.status, err.code]).toEqual([409, 'NAME_OWNED_BY_ANOTHER_PROJECT']);
      expect(err.message).toContain('entity user (owned by project team-a)');
      expect(err.details.map((d) => d.message)).toEqual(['entity user is owned by project team-a', 'feature view a_gone is owned by project team-a']);
      // Without a project, owned names are refused too; the owner itself may apply them.
      expect(() => computeApplyPlan(current, { feature_services: [current.services.get('b_svc')!] })).toThrow(expect.objectContaining({ status: 409, code: 'NAME_OWNED_BY_ANOTHER_PROJECT' }));
      expect(computeApplyPlan(current, { project: 'team-b', feature_services: [current.services.get('b_svc')!] }).unchanged).toEqual([{ kind: 'feature_service', name: 'b_svc' }]);
    });

    it('prunes only the project\'s own objects, and never what another project still uses', () => {
      const current = owned();
      const plan = computeApplyPlan(current, { project: 'team-a', prune: true, entities: [current.entities.get('user')!], feature_views: [view({ name: 'a_spend' })] });
      expect(names(plan.removed)).toEqual(['feature_service:a_svc', 'feature_view:a_orders']);
      expect(plan.views).toEqual([{ op: 'remove', name: 'a_orders' }]);
      // a_spend is read by team-b's service: team-a cannot prune it away.
      expect(() => computeApplyPlan(current, { project: 'team-a', prune: true, entities: [current.entities.get('user')!] })).toThrow(
        expect.objectContaining({ status: 409, code: 'FEATURE_VIEW_IN_USE', message: expect.stringContaining('b_svc (project team-b)') }),
      );
      // team-b's views use team-a's entity `user`.
      expect(() => computeApplyPlan(current, { project: 'team-a', prune: true, feature_views: [view({ name: 'a_spend' })] })).toThrow(
        expect.objectContaining({ status: 409, code: 'ENTITY_IN_USE' }),
      );
      // A prune without a project touches only unowned objects.
      const legacy = computeApplyPlan(current, { prune: true, entities: [current.entities.get('legacy_user')!] });
      expect(names(legacy.removed)).toEqual(['feature_service:legacy_svc', 'feature_view:legacy_orders']);
      // A project with nothing registered prunes nothing.
      expect(computeApplyPlan(current, { project: 'team-c', prune: true }).removed).toEqual([]);
      // Nor may team-a take a feature out of a view team-b's service reads (a new version that drops it).
      expect(() => computeApplyPlan(current, { project: 'team-a', feature_views: [view({ name: 'a_spend', features: [{ name: 'spend', type: 'float64' }] })] })).toThrow(
        expect.objectContaining({ status: 409, code: 'FEATURE_VIEW_IN_USE', message: expect.stringContaining('a_spend:orders, which feature service b_svc (project team-b) uses') }),
      );
      // Its own services are its business: the same change with its own service broken is the usual 400.
      expect(() => computeApplyPlan(current, { project: 'team-a', feature_views: [view({ name: 'a_orders', features: [{ name: 'spend', type: 'float64' }] })] })).toThrow(
        expect.objectContaining({ status: 400, code: 'UNKNOWN_FEATURE' }),
      );
    });

    it('adopts unowned objects: the project shows as a changed field, and nothing else changes', () => {
      const current = owned();
      const plan = computeApplyPlan(current, {
        project: 'team-c',
        entities: [{ ...current.entities.get('legacy_user')!, description: 'people' }],
        feature_views: [view({ name: 'legacy_orders' })],
        feature_services: [current.services.get('legacy_svc')!],
      });
      expect(plan.changed).toEqual([
        { kind: 'entity', name: 'legacy_user', fields: ['description', 'project'] },
        { kind: 'feature_view', name: 'legacy_orders', version: 1, fields: ['project'], new_version: false },
        { kind: 'feature_service', name: 'legacy_svc', fields: ['project'] },
      ]);
      expect(plan.adopt).toEqual({ entities: ['legacy_user'], views: ['legacy_orders'], services: ['legacy_svc'] });
      expect(plan.views).toEqual([]);
      // Applying unowned objects without a project keeps them unowned: nothing to adopt, nothing changed.
      const same = computeApplyPlan(current, { feature_services: [current.services.get('legacy_svc')!] });
      expect([same.adopt.services, same.unchanged]).toEqual([[], [{ kind: 'feature_service', name: 'legacy_svc' }]]);
    });
  });
});
