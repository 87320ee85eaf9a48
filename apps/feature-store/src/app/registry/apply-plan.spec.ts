import type { FeatureViewDefinition } from '@mlp/contracts';
import { computeApplyPlan, schemaHash, stableStringify, type RegistrySnapshot } from './apply-plan';

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
  it('hashes the schema independently of key and feature order, and ignores non-schema fields', () => {
    const a = view({ features: [{ name: 'a', type: 'int64' }, { name: 'b', type: 'string' }] });
    const b = view({ features: [{ name: 'b', type: 'string' }, { name: 'a', type: 'int64' }], description: 'x', ttl_seconds: 5 });
    expect(schemaHash(a)).toBe(schemaHash(b));
    expect(schemaHash(a)).not.toBe(schemaHash(view({ features: [{ name: 'a', type: 'float64' }, { name: 'b', type: 'string' }] })));
    expect(stableStringify({ b: 1, a: [2, { d: 1, c: 2 }] })).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
  });

  it('updates in place for a ttl change and creates a new version for a type change', () => {
    const current = registered(view(), 3);
    const ttl = computeApplyPlan(current, { feature_views: [view({ ttl_seconds: 120 })] });
    expect(ttl.changed).toEqual([{ kind: 'feature_view', name: 'activity', version: 3, fields: ['ttl_seconds'], new_version: false }]);
    expect(ttl.views).toEqual([expect.objectContaining({ op: 'update', version: 3 })]);
    const typed = computeApplyPlan(current, { feature_views: [view({ features: [{ name: 'orders', type: 'float64' }] })] });
    expect(typed.views).toEqual([expect.objectContaining({ op: 'new_version', version: 4 })]);
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
});
