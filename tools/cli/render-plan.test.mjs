import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPlans } from './render-plan.mjs';

const warehouse = {
  project: 'p',
  dry_run: true,
  version: 3,
  created: [{ kind: 'source', name: 'orders' }],
  changed: [{ kind: 'model', name: 'mart_customer_orders', fields: ['sql', 'tests'], changes: ['add column channel text'] }],
  removed: [{ kind: 'kpi', name: 'old_kpi' }],
  unchanged: [{ kind: 'kpi', name: 'a' }, { kind: 'model', name: 'b' }],
};
const features = {
  dry_run: true,
  created: [],
  changed: [{ kind: 'feature_view', name: 'customer_orders', version: 3, new_version: true, fields: ['features'] }],
  removed: [],
  unchanged: [{ kind: 'entity', name: 'customer' }],
  sources: [{ view: 'customer_orders', version: 3, status: 'SOURCE_MISSING', message: 'dwh.mart_x does not exist' }],
};
const specs = { project: 'p', dry_run: true, created: [], changed: [], removed: [], unchanged: [{ name: 'churn' }] };
const results = [
  { service: 'warehouse', app: 'dwh-ingest', url: 'http://w', plan: warehouse },
  { service: 'features', app: 'feature-store', url: 'http://f', plan: features },
  { service: 'specs', app: 'trainer', url: 'http://t', plan: specs },
];

describe('plan rendering', () => {
  it('shows created, changed with fields and consequences, unchanged counts; removals only as a note without --prune', () => {
    assert.equal(
      renderPlans(results),
      [
        'warehouse (dwh-ingest at http://w)',
        '  + source  orders',
        '  ~ model   mart_customer_orders  fields: sql, tests',
        '      add column channel text',
        '  = 2 unchanged',
        "  (1 of the project's objects are not in the folder: kept; --prune removes them: old_kpi)",
        '',
        'features (feature-store at http://f)',
        '  ~ feature_view  customer_orders  fields: features; new version v3',
        '  = 1 unchanged',
        '  ! feature view customer_orders v3: SOURCE_MISSING (dwh.mart_x does not exist)',
        '',
        'model specs (trainer at http://t)',
        '  no changes (1 unchanged)',
        '',
        'Plan: 1 to create, 2 to change, 0 to remove.',
      ].join('\n'),
    );
  });

  it('shows removals with --prune and counts them', () => {
    const text = renderPlans(results.slice(0, 1), { prune: true, applied: true });
    assert.match(text, /^ {2}- kpi {5}old_kpi$/m);
    assert.doesNotMatch(text, /--prune removes/);
    assert.match(text, /Applied: 1 created, 1 changed, 1 removed\.$/);
  });

  it('says which service refused and why, and which were not applied', () => {
    const text = renderPlans([
      { service: 'warehouse', app: 'dwh-ingest', url: 'http://w', error: 'dwh-ingest refused (HTTP 409 NAME_OWNED_BY_ANOTHER_PROJECT)', problems: ['models/x.sql:1 name: owned by billing'] },
      { service: 'features', app: 'feature-store', url: 'http://f' },
    ]);
    assert.match(text, /warehouse \(dwh-ingest at http:\/\/w\)\n {2}! dwh-ingest refused \(HTTP 409 NAME_OWNED_BY_ANOTHER_PROJECT\)\n {6}models\/x.sql:1 name: owned by billing/);
    assert.match(text, /features \(feature-store at http:\/\/f\)\n {2}\(not applied\)/);
    assert.match(text, /Plan incomplete: no plan for warehouse, features\.$/);
  });
});
