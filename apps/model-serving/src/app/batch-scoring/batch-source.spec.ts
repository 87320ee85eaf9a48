import { checkEntitySql, entityQueryMistake, keysQuery } from './batch-source';

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

  it('tells a wrong entity query (a 400) from the database being away (not the client\'s)', () => {
    const pg = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
    // 42703 undefined column, 42601 syntax, 22012 division by zero, 0A000 not supported, 25006 write in a read-only transaction
    for (const code of ['42703', '42601', '22012', '0A000', '25006']) {
      expect(entityQueryMistake(pg(code, `failed ${code}`))).toEqual(
        expect.objectContaining({ status: 400, code: 'INVALID_SQL', message: `the entity query failed: failed ${code}`, details: [{ path: '$.source', code: 'INVALID_SQL', message: `failed ${code}` }] }),
      );
    }
    // TypeORM wraps the driver's error.
    expect(entityQueryMistake(Object.assign(new Error('wrapped'), { driverError: { code: '42P01' } }))?.status).toBe(400);
    // 57P01 admin shutdown, 08006 connection failure, 25001 active transaction (not 25006), no code at all.
    for (const err of [pg('57P01'), pg('08006'), pg('25001'), new Error('ECONNREFUSED')]) expect(entityQueryMistake(err)).toBeUndefined();
  });
});
