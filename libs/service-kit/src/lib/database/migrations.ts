import { DataSource } from 'typeorm';
import { applyKitSchema } from './kit-migrations';

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so that any number of replicas (or a
 * migration Job racing a pod) apply each migration exactly once, then the kit's own changes to
 * the tables it manages (kit-migrations.ts). Returns the names applied now.
 */
export async function runMigrations(ds: DataSource, schema: string): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`mlp-migrations:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return [...applied.map((m) => m.name), ...(await applyKitSchema(ds, schema))];
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`mlp-migrations:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}
