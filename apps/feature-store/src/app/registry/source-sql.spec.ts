import type { FeatureViewDefinition } from '@mlp/contracts';
import { checkSourceColumns, checkSourceSqlText, LABEL_RELATION, MART_RELATION, projectedSource, relationsOfPlan } from './source-sql';

const view: FeatureViewDefinition = {
  name: 'v',
  entities: ['user'],
  features: [
    { name: 'orders', type: 'int64' },
    { name: 'plan', type: 'string' },
  ],
  source: { sql: 'SELECT user_id, ts AS event_timestamp, orders, plan FROM dwh.mart_x' },
  ttl_seconds: 10,
  online: true,
};

describe('source SQL guards', () => {
  it('accepts a single SELECT or WITH and refuses statements, comments and dangerous functions', () => {
    expect(() => checkSourceSqlText('SELECT 1 AS a FROM dwh.mart_x')).not.toThrow();
    expect(() => checkSourceSqlText('WITH a AS (SELECT 1) SELECT * FROM a')).not.toThrow();
    for (const bad of ['DELETE FROM dwh.mart_x', 'SELECT 1; SELECT 2', 'SELECT 1 -- x', "SELECT pg_sleep(10)", "SELECT query_to_xml('x', true, true, '')", "SELECT dblink('x')", "SELECT set_config('a','b',false)"]) {
      expect(() => checkSourceSqlText(bad)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_SOURCE_SQL' }));
    }
  });

  it('finds every relation in a plan and allows only dwh.mart_*', () => {
    const plan = [{ Plan: { 'Node Type': 'Hash Join', Plans: [{ 'Relation Name': 'mart_x', Schema: 'dwh' }, { 'Relation Name': 'entities', Schema: 'features' }] } }];
    const rels = relationsOfPlan(plan);
    expect(rels).toEqual([{ schema: 'dwh', name: 'mart_x' }, { schema: 'features', name: 'entities' }]);
    expect(rels.map(MART_RELATION)).toEqual([true, false]);
  });

  it('lets label SQL read marts and imported sources (dwh.src_*), but not the warehouse\'s bookkeeping or other schemas; view sources only marts', () => {
    const rels = [
      { schema: 'dwh', name: 'mart_orders' },
      { schema: 'dwh', name: 'src_crm_leads' },
      { schema: 'dwh', name: 'imports' },
      { schema: 'dwh', name: 'outbox' },
      { schema: 'registry', name: 'src_x' },
      { schema: 'dwh', name: 'src_' },
    ];
    expect(rels.map(LABEL_RELATION)).toEqual([true, true, false, false, false, false]);
    expect(rels.map(MART_RELATION)).toEqual([true, false, false, false, false, false]);
  });

  it('checks join key, timestamp and feature column types', () => {
    expect(checkSourceColumns(view, ['user_id'], [{ name: 'user_id', dataTypeID: 25 }, { name: 'event_timestamp', dataTypeID: 1184 }, { name: 'orders', dataTypeID: 20 }, { name: 'plan', dataTypeID: 1043 }])).toEqual([]);
    expect(checkSourceColumns(view, ['user_id'], [{ name: 'event_timestamp', dataTypeID: 25 }, { name: 'orders', dataTypeID: 1700 }])).toEqual([
      'join key column "user_id" is missing',
      'timestamp column "event_timestamp" is not a date or timestamp',
      'feature column "orders" (type oid 1700) is not compatible with int64',
      'feature column "plan" is missing',
    ]);
  });

  it('projects the source onto typed columns and appends pushed rows of the same version', () => {
    const sql = projectedSource('features', view, 3, ['user_id']);
    expect(sql).toContain('(s."orders")::bigint AS "orders"');
    expect(sql).toContain(`(p."values"->>'plan')::text AS "plan"`);
    expect(sql).toContain(`p.view = 'v' AND p.version = 3`);
  });
});
