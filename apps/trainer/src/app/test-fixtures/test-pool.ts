import { Pool, type PoolConfig } from 'pg';

/**
 * A pool for a test's own queries. An idle client whose connection the server ends (the test
 * database dropped WITH (FORCE) while the pool still holds it) makes the pool emit `error`; without
 * a listener that is an unhandled error, which Jest pins on whichever test runs next. A query that
 * fails still fails its test.
 */
export function testPool(config: PoolConfig): Pool {
  const pool = new Pool(config);
  pool.on('error', () => undefined);
  return pool;
}
