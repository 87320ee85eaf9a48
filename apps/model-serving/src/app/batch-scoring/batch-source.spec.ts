import { checkEntitySql, keysQuery } from './batch-source';

describe('batch entity sources', () => {
  it('pages a mart by its key after the cursor, with values as parameters', () => {
    expect(keysQuery({ mart: 'mart_user_profile', key: 'user_id' }, 'u42', 100)).toEqual({
      sql: 'SELECT DISTINCT "user_id"::text AS k FROM "dwh"."mart_user_profile" WHERE "user_id" IS NOT NULL AND "user_id"::text > $1 ORDER BY 1 LIMIT $2',
      params: ['u42', 100],
    });
  });

  it('refuses identifiers that are not plain names', () => {
    expect(() => keysQuery({ mart: 'mart_x"; drop table y; --', key: 'user_id' }, null, 1)).toThrow(/invalid mart/);
    expect(() => keysQuery({ mart: 'raw_events', key: 'user_id' }, null, 1)).toThrow(/invalid mart/);
    expect(() => keysQuery({ mart: 'mart_orders', key: 'User Id' }, null, 1)).toThrow(/invalid key/);
  });

  it('wraps one SELECT and refuses several statements, comments and non-SELECTs', () => {
    expect(keysQuery({ sql: 'SELECT user_id FROM dwh.mart_orders WHERE revenue > 100;', key: 'user_id' }, null, 5).sql).toContain(
      'FROM (SELECT user_id FROM dwh.mart_orders WHERE revenue > 100) AS src(k)',
    );
    expect(checkEntitySql('with a as (select 1) select * from a')).toBe('with a as (select 1) select * from a');
    for (const bad of ['SELECT 1; DELETE FROM dwh.mart_orders', 'SELECT 1 -- hidden', 'SELECT /* x */ 1', 'DELETE FROM dwh.mart_orders', 'update x set y = 1']) {
      expect(() => checkEntitySql(bad)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_SQL' }));
    }
  });
});
