import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import type { Pool } from 'pg';
import { poolDatabase, testPool } from '../../testing/serving-database';
import { BatchSourceReader } from './batch-source-reader';

// Entity keys read from a real PostgreSQL: a published mart (a fixture table; dwh-ingest owns the real ones).
describe('batch source reader on a real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let reader: BatchSourceReader;
  const mart = { mart: 'mart_user_profile', key: 'user_id' };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool(db.url);
    await pool.query(`CREATE SCHEMA dwh; CREATE TABLE dwh.mart_user_profile (user_id text, plan text)`);
    // Unordered, one key twice, one null key.
    await pool.query(`INSERT INTO dwh.mart_user_profile VALUES ('u3', 'pro'), ('u1', 'free'), ('u2', 'plus'), ('u1', 'plus'), (NULL, 'free'), ('u4', 'free')`);
    reader = new BatchSourceReader(poolDatabase(pool));
  }, 60000);

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('pages a mart by key after the cursor, each key once, nulls left out', async () => {
    expect(await reader.readKeys(mart, null, 2)).toEqual(['u1', 'u2']);
    expect(await reader.readKeys(mart, 'u2', 2)).toEqual(['u3', 'u4']);
    expect(await reader.readKeys(mart, 'u4', 2)).toEqual([]);
  });

  it('pages the keys of a team SELECT the same way', async () => {
    const source = { sql: `SELECT user_id FROM dwh.mart_user_profile WHERE plan <> 'pro'`, key: 'user_id' };
    expect(await reader.readKeys(source, null, 10)).toEqual(['u1', 'u2', 'u4']);
    expect(await reader.readKeys(source, 'u1', 1)).toEqual(['u2']);
  });

  it('accepts a mart and key column the catalogue knows, and refuses others as 400 UNKNOWN_MART', async () => {
    await expect(reader.check(mart)).resolves.toBeUndefined();
    await expect(reader.check({ mart: 'mart_user_profile', key: 'country' })).rejects.toMatchObject({ status: 400, code: 'UNKNOWN_MART' });
    await expect(reader.check({ mart: 'mart_nope', key: 'user_id' })).rejects.toMatchObject({ status: 400, code: 'UNKNOWN_MART' });
  });

  it('dry-runs a SELECT: a failing query, or one that writes, is a 400 INVALID_SQL and changes nothing', async () => {
    await expect(reader.check({ sql: 'SELECT user_id FROM dwh.mart_user_profile', key: 'user_id' })).resolves.toBeUndefined();
    await expect(reader.check({ sql: 'SELECT nope FROM dwh.mart_user_profile', key: 'user_id' })).rejects.toMatchObject({ status: 400, code: 'INVALID_SQL' });
    await expect(reader.check({ sql: 'SELECT 1 / 0', key: 'user_id' })).rejects.toMatchObject({ status: 400, code: 'INVALID_SQL' });
    await expect(reader.check({ sql: 'WITH d AS (DELETE FROM dwh.mart_user_profile RETURNING user_id) SELECT user_id FROM d', key: 'user_id' })).rejects.toMatchObject({ status: 400, code: 'INVALID_SQL' });
    expect((await pool.query(`SELECT count(*)::int AS n FROM dwh.mart_user_profile`)).rows[0].n).toBe(6);
  });

  it('passes a database outage on as it is (not a client mistake)', async () => {
    const down = testPool('postgres://postgres@127.0.0.1:1/none');
    try {
      const err = await new BatchSourceReader(poolDatabase(down)).readKeys(mart, null, 1).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'ECONNREFUSED' });
      expect((err as { status?: number }).status).toBeUndefined();
    } finally {
      await down.end();
    }
  });
});
