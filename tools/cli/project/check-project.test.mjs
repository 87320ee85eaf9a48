import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApplyRequests } from './apply-requests.mjs';
import { checkProject } from './check-project.mjs';
import { formatProblem } from './origins.mjs';
import { mapRefusal } from './refusal-mapping.mjs';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-fixtures');

describe('a valid project folder', () => {
  const project = checkProject(path.join(fixtures, 'valid'));

  it('has no problems', () => {
    assert.deepEqual(project.problems, []);
  });

  it('becomes the three apply requests, in apply order, with exactly the files\' contents', () => {
    const [warehouse, features, specs] = buildApplyRequests(project, { dryRun: true, prune: false });
    assert.deepEqual([warehouse.service, features.service, specs.service], ['warehouse', 'features', 'specs']);
    assert.equal(warehouse.body.project, 'shop-analytics');
    assert.equal(warehouse.body.owner, 'data-team');
    assert.equal(warehouse.body.dry_run, true);
    assert.equal(warehouse.body.prune, false);
    assert.equal('full_refresh' in warehouse.body, false);
    assert.deepEqual(warehouse.body.sources.map((s) => s.name), ['orders']);
    assert.deepEqual(warehouse.body.event_schemas, [
      { name: 'signed_up', version: '1-0-0', description: 'A visitor created an account', schema: { type: 'object', properties: { plan: { type: 'string', enum: ['free', 'pro'] } }, additionalProperties: false } },
    ]);
    // Models sorted by file name; the name is the file's, the SQL the file's without its header.
    assert.deepEqual(warehouse.body.models, [
      {
        name: 'mart_customer_orders',
        layer: 'marts',
        materialized: 'table',
        unique_key: ['customer_id'],
        tests: [
          { kind: 'unique', columns: ['customer_id'] },
          { kind: 'not_null', column: 'customer_id' },
        ],
        freshness: { column: 'last_order_at', warn_after: '6h', error_after: '2d' },
        sql: 'SELECT customer_id,\n       count(*) AS orders,\n       sum(amount) AS revenue,\n       max(ordered_at) AS last_order_at\n  FROM stg_orders\n GROUP BY customer_id',
      },
      { name: 'stg_orders', layer: 'staging', materialized: 'view', description: 'Orders with typed columns', sql: 'SELECT order_id, customer_id, amount, ordered_at\n  FROM src_orders' },
    ]);
    // The outcome leaves the training file for the warehouse, labelled with its spec's name.
    assert.deepEqual(warehouse.body.outcomes, [
      { model: 'churn', sql: 'SELECT customer_id, ordered_at, 1 AS ordered FROM dwh.stg_orders', keys: ['customer_id'], label_column: 'ordered', timestamp_column: 'ordered_at', horizon: '30d', default: 0 },
    ]);
    assert.deepEqual(warehouse.body.kpis.map((k) => k.name), ['orders_per_day']);
    assert.deepEqual(Object.keys(features.body).sort(), ['dry_run', 'entities', 'feature_services', 'feature_views', 'project', 'prune']);
    assert.equal(features.body.project, 'shop-analytics');
    assert.deepEqual(features.body.feature_services, [{ name: 'churn_features', features: ['customer_orders:orders', 'customer_orders:revenue'] }]);
    assert.deepEqual(Object.keys(specs.body).sort(), ['dry_run', 'project', 'prune', 'specs']);
    assert.equal(specs.body.specs.length, 1);
    assert.equal('outcome' in specs.body.specs[0], false);
    assert.equal(specs.body.specs[0].featureService, 'churn_features');
  });

  it('passes --full-refresh and --prune on to the warehouse', () => {
    const [warehouse, features, specs] = buildApplyRequests(project, { prune: true, fullRefresh: ['orders'] });
    assert.deepEqual(warehouse.body.full_refresh, ['orders']);
    assert.equal(warehouse.body.prune, true);
    assert.equal(features.body.prune, true);
    assert.equal(specs.body.prune, true);
    assert.equal(specs.body.dry_run, false);
  });

  it('tells a service refusal in the project\'s terms: file, line, field', () => {
    const [warehouse, features, specs] = buildApplyRequests(project);
    const mapped = mapRefusal(warehouse, [
      { path: '$.models[0].tests[1].column', code: 'UNKNOWN_COLUMN', message: 'no column customer_id in the model output' },
      { path: '$.models[1].sql', code: 'SQL_SYNTAX', message: 'syntax error at or near "FORM"' },
      { path: '$.models[1].name', code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: 'stg_orders is owned by project billing' },
      { path: '$.outcomes[0].label_column', code: 'UNKNOWN_COLUMN', message: 'no column ordered' },
      { path: '$.outcomes[0].model', code: 'UNKNOWN_MODEL', message: 'no such spec' },
      { path: '$.event_schemas[0].schema', code: 'X', message: 'bad' },
      { path: '$.project', code: 'PROJECT_FORBIDDEN', message: 'not yours' },
      { path: '$.whatever[9]', message: 'something else' },
      { path: '$.models[0].sql', code: 'SQL_SYNTAX', message: 'syntax error at or near "sum"', position: 50 },
    ]);
    assert.deepEqual(mapped.map(formatProblem), [
      'models/mart_customer_orders.yaml:8 tests[1].column: no column customer_id in the model output (UNKNOWN_COLUMN)',
      'models/stg_orders.sql:6 sql: syntax error at or near "FORM" (SQL_SYNTAX)',
      'models/stg_orders.sql:1 name: stg_orders is owned by project billing (NAME_OWNED_BY_ANOTHER_PROJECT)',
      'training/churn.yaml:24 outcome.label_column: no column ordered (UNKNOWN_COLUMN)',
      'training/churn.yaml:1 name: no such spec (UNKNOWN_MODEL)',
      'sources/tracking-plan.yaml:6 events[0].schema: bad (X)',
      'mlp.yaml:1 name: not yours (PROJECT_FORBIDDEN)',
      'whatever[9]: something else',
      // Character 50 of mart_customer_orders' SQL is on its third line.
      'models/mart_customer_orders.sql:3 sql: syntax error at or near "sum" (SQL_SYNTAX)',
    ]);
    assert.deepEqual(mapRefusal(features, [{ path: '/feature_views/0/source/sql', message: 'relation dwh.mart_x does not exist' }]).map(formatProblem), [
      'features/customers.yaml:14 feature_views[0].source.sql: relation dwh.mart_x does not exist',
    ]);
    assert.deepEqual(mapRefusal(specs, [{ code: 'PROJECT_FORBIDDEN', message: 'shop-analytics' }]).map(formatProblem), ['mlp.yaml:1 name: shop-analytics (PROJECT_FORBIDDEN)']);
    assert.deepEqual(mapRefusal(specs, [{ path: '$.specs[0].featureService', code: 'UNKNOWN_FEATURE_SERVICE', message: 'unknown' }]).map(formatProblem), [
      'training/churn.yaml:3 featureService: unknown (UNKNOWN_FEATURE_SERVICE)',
    ]);
  });
});

describe('an invalid project folder', () => {
  const project = checkProject(path.join(fixtures, 'invalid'));

  it('names the file, line and field of every problem', () => {
    assert.deepEqual(project.errors.map(formatProblem), [
      'features/more.yaml:2 feature_services[0].name: feature service churn_features is also defined in features/customers.yaml',
      'features/more.yaml:3 feature_services[0].features[1]: feature view customer_orders (features/customers.yaml) has no feature margin',
      "kpis/revenue.yaml:1 name: must be the file's name (revenue): one KPI per file, named for it",
      'models/mart_customer_orders.yaml:8 tests[1].column: must match ^[a-z_][a-z0-9_]{0,62}$',
      'models/no_config.sql:1: has no configuration: add models/no_config.yaml (layer, materialized, ...) or a /* mlp ... */ header at the top',
      'models/orphan.yaml:1: configures a model without SQL: add models/orphan.sql (its SELECT)',
      'models/stg_orders.sql:3 materialized: must be one of "view", "table", "incremental"',
      'sources/broken.yaml:5: YAML: All mapping items must start at the same column',
      'sources/broken.yaml:6: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'training/churn_rule.yaml:10 algorithm.expression: the rule names basket, which is not an input of the model (inputs: customer_orders:orders, customer_orders:revenue) (RULE_UNKNOWN_FEATURE)',
      'training/churn.yaml:12 outcome.horizon: is required with timestamp_column: how long after a prediction its outcome counts',
      'training/segment.yaml:15 outcome.label_column: live quality from outcomes is for binary classification and regression models; a multiclass model cannot declare an outcome yet',
    ]);
  });
});
