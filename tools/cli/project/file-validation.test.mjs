import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPath } from './paths.mjs';
import { validateFile } from './file-validation.mjs';

const show = (problems) => problems.map((p) => `${formatPath(p.path)}: ${p.message}`);

describe('project files against their schemas', () => {
  it('accepts a complete model config', () => {
    assert.deepEqual(
      validateFile('model', { layer: 'marts', materialized: 'table', tests: [{ kind: 'unique', columns: ['id'] }, { kind: 'not_null', column: 'id' }] }),
      [],
    );
  });

  it('reports only the data test branch the kind selects', () => {
    const problems = validateFile('model', { layer: 'marts', materialized: 'table', tests: [{ kind: 'unique', columns: ['id'] }, { kind: 'not_null', column: 'Bad-Name' }] });
    assert.deepEqual(show(problems), ['tests[1].column: must match ^[a-z_][a-z0-9_]{0,62}$']);
  });

  it('names the accepted kinds when the kind is unknown', () => {
    const problems = validateFile('model', { layer: 'marts', materialized: 'view', tests: [{ kind: 'uniq', columns: ['id'] }] });
    assert.deepEqual(show(problems), ['tests[0].kind: must be one of "unique", "not_null", "accepted_values", "relationships", "sql"']);
  });

  it('says which field is missing, unknown or not one of the values', () => {
    const problems = validateFile('model', { layer: 'gold', materializd: 'view' });
    assert.deepEqual(show(problems).sort(), [
      'layer: must be one of "staging", "marts"',
      'materialized: is required',
      'materializd: is not a known field here',
    ].sort());
  });

  it('a model config may not carry its name or SQL (they come from the .sql file)', () => {
    const problems = validateFile('model', { name: 'x', sql: 'SELECT 1', layer: 'marts', materialized: 'view' });
    assert.deepEqual(show(problems).sort(), ['name: is not a known field here', 'sql: is not a known field here']);
  });

  it('a training file is a model spec plus an outcome without its model', () => {
    const spec = {
      name: 'churn',
      featureService: 'churn_features',
      labelSource: { sql: 'SELECT user_id, event_timestamp, churned FROM dwh.mart_churn', joinKeys: ['user_id'], labelColumn: 'churned' },
      task: 'binary_classification',
      algorithm: { kind: 'baseline' },
      primaryMetric: 'auc',
      split: { lookbackDays: 90, holdoutDays: 14 },
      promotion: { minEvalRows: 100 },
    };
    assert.deepEqual(validateFile('training', spec), []);
    assert.deepEqual(validateFile('training', { ...spec, outcome: { sql: 'SELECT user_id, 1 AS churned FROM dwh.mart_churn', keys: ['user_id'], label_column: 'churned' } }), []);
    assert.deepEqual(show(validateFile('training', { ...spec, outcome: { model: 'churn', sql: 'SELECT 1 AS x FROM y', keys: ['user_id'], label_column: 'x' } })), ['outcome.model: is not a known field here']);
    assert.deepEqual(show(validateFile('training', { ...spec, algorithm: { kind: 'mlp', hiddenUnits: [8], dropout: 0.1, epochs: 5, batchSize: 32 } })), ['algorithm.learningRate: is required']);
  });

  it('checks the features, events, source, KPI and mlp.yaml kinds', () => {
    assert.deepEqual(show(validateFile('mlp', { name: 'Acme Shop' })), ['name: must match ^[a-z][a-z0-9-]{0,62}$']);
    assert.deepEqual(show(validateFile('source', { name: 'orders', columns: [{ name: 'id', type: 'uuid' }] })), [
      'columns[0].type: must be one of "text", "integer", "bigint", "numeric", "double", "boolean", "date", "timestamptz"',
    ]);
    assert.deepEqual(show(validateFile('events', { kind: 'events', events: [{ name: 'signed_up', version: '1.0.0', schema: {} }] })), ['events[0].version: must match ^[1-9][0-9]{0,5}-[0-9]{1,6}-[0-9]{1,6}$']);
    assert.deepEqual(show(validateFile('features', { entities: [{ name: 'user', join_key: 'user_id', value_type: 'text' }] })), ['entities[0].value_type: must be one of "string", "int64"']);
    assert.deepEqual(show(validateFile('kpi', { name: 'orders', sql: 'SELECT 1' })), ['sql: must NOT have fewer than 10 characters']);
  });
});
