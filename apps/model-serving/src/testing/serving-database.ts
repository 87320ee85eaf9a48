import type { Database } from '@mlp/service-kit';
import { Client, Pool } from 'pg';
import type { QueryRunner } from 'typeorm';
import { migrations } from '../migrations';

/** Creates the `serving` schema in a test database with the service's own migrations, oldest first. */
export async function migrateServingSchema(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE SCHEMA "serving"');
    const runner = { query: (sql: string, params?: unknown[]) => client.query(sql, params).then((r) => r.rows) } as unknown as QueryRunner;
    for (const Migration of migrations) await new Migration().up(runner);
  } finally {
    await client.end();
  }
}

/**
 * The part of the kit's Database a class under test uses (query, transaction, isConnected, whenReady) over its
 * own pool: each pool stands for one replica. Queries answer rows, as pg does; `connected.value =
 * false` plays a database the service has lost.
 */
export function poolDatabase(pool: Pool, connected = { value: true }): Database {
  const database = {
    schema: 'serving',
    get isConnected() {
      return connected.value;
    },
    whenReady: async () => undefined,
    query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows,
    transaction: async <T>(work: (m: unknown) => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await work({ query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
  };
  return database as unknown as Database;
}

/**
 * A pool for a test's own queries. An idle client whose connection the server ends (the test
 * database dropped WITH (FORCE)) makes the pool emit `error`; without a listener Jest pins that on
 * whichever test runs next. A query that fails still fails its test.
 */
export function testPool(url: string, max = 4): Pool {
  const pool = new Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}
