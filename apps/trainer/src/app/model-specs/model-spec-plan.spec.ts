import type { ModelSpec } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ORDER_WITHIN_7D_SPEC } from '../test-fixtures/model-spec-fixtures';
import { changedSpecFields, planModelSpecs, specHash, type DeclaredSpec } from './model-spec-plan';

const spec = (name: string, over: Partial<ModelSpec> = {}): ModelSpec => ({ ...ORDER_WITHIN_7D_SPEC, name, ...over });
const declared = (s: ModelSpec, project: string | null, removed = false): [string, DeclaredSpec] => [s.name, { spec: s, specHash: specHash(s), project, removed }];

function thrown(work: () => unknown): PlatformError {
  try {
    work();
  } catch (e) {
    if (e instanceof PlatformError) return e;
    throw e;
  }
  throw new Error('expected a PlatformError');
}

describe('model spec apply plans', () => {
  const current = new Map([
    declared(spec('a_churn'), 'team-a'),
    declared(spec('a_upsell'), 'team-a'),
    declared(spec('b_churn'), 'team-b'),
    declared(spec('legacy'), null),
    declared(spec('a_old'), 'team-a', true),
  ]);

  it('sorts requested specs into created, changed (with the fields that differ) and unchanged', () => {
    const { plan, upserts, removals } = planModelSpecs(current, {
      project: 'team-a',
      specs: [spec('a_churn'), spec('a_upsell', { description: 'new text', seed: 3 }), spec('a_new')],
    });
    expect(plan).toEqual({
      project: 'team-a',
      created: [{ name: 'a_new' }],
      changed: [{ name: 'a_upsell', fields: ['description', 'seed'] }],
      removed: [],
      unchanged: [{ name: 'a_churn' }],
    });
    expect(upserts.map((s) => s.name)).toEqual(['a_upsell', 'a_new']);
    expect(removals).toEqual([]);
  });

  it('treats key order as no change: the hash and the field diff are canonical', () => {
    const reordered = Object.fromEntries(Object.entries(spec('a_churn')).reverse()) as ModelSpec;
    expect(specHash(reordered)).toBe(specHash(spec('a_churn')));
    expect(changedSpecFields(spec('x'), { ...spec('x'), promotion: { minEvalRows: 500, minAbsoluteImprovement: 0.002 } })).toEqual([]);
    expect(planModelSpecs(current, { project: 'team-a', specs: [reordered] }).plan.unchanged).toEqual([{ name: 'a_churn' }]);
  });

  it('prunes only the project\'s own live specs that are not in the request', () => {
    const { plan, removals } = planModelSpecs(current, { project: 'team-a', specs: [spec('a_churn')], prune: true });
    expect(plan.removed).toEqual([{ name: 'a_upsell' }]);
    expect(removals).toEqual(['a_upsell']);
    // Nothing of team-b, nothing unowned, and not the already removed a_old.
    expect(planModelSpecs(current, { project: 'team-b', specs: [], prune: true }).removals).toEqual(['b_churn']);
    expect(planModelSpecs(current, { project: 'team-c', specs: [], prune: true }).removals).toEqual([]);
  });

  it('refuses a name another project owns with a 409 naming the owner, removed specs included', () => {
    for (const name of ['b_churn', 'a_old']) {
      const e = thrown(() => planModelSpecs(current, { project: name === 'b_churn' ? 'team-a' : 'team-b', specs: [spec('fresh'), spec(name)] }));
      expect([e.status, e.code]).toEqual([409, 'NAME_OWNED_BY_ANOTHER_PROJECT']);
      expect(e.message).toContain(`${name} (owned by project ${name === 'b_churn' ? 'team-b' : 'team-a'})`);
    }
  });

  it('adopts an unowned spec (project is a changed field) and re-declares a removed one as created', () => {
    const { plan, upserts } = planModelSpecs(current, { project: 'team-a', specs: [spec('legacy'), spec('a_old')] });
    expect(plan.changed).toEqual([{ name: 'legacy', fields: ['project'] }]);
    expect(plan.created).toEqual([{ name: 'a_old' }]);
    expect(upserts.map((s) => s.name)).toEqual(['legacy', 'a_old']);
  });

  it('refuses a batch with one invalid spec or a duplicate name as a whole, with the spec\'s path', () => {
    const invalid = thrown(() => planModelSpecs(current, { project: 'team-a', specs: [spec('ok'), spec('bad', { primaryMetric: 'rmse' })] }));
    expect([invalid.status, invalid.code]).toEqual([400, 'METRIC_TASK_MISMATCH']);
    expect(invalid.details).toEqual([expect.objectContaining({ path: '$.specs[1].primaryMetric', code: 'METRIC_TASK_MISMATCH' })]);
    const dup = thrown(() => planModelSpecs(current, { project: 'team-a', specs: [spec('x'), spec('x')] }));
    expect([dup.status, dup.code]).toEqual([400, 'DUPLICATE_DEFINITION']);
  });
});
