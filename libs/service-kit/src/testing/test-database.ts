import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The server tests run against: DATABASE_URL (this machine's PostgreSQL in CI, or the embedded one
 * `npm test` starts when it is unset). Each suite gets a fresh database and drops it afterwards.
 */
export function testServerUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts an embedded PostgreSQL when needed');
  }
  return url;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(serverUrl = testServerUrl()): Promise<TestDatabase> {
  const name = `mlp_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: withDatabase(serverUrl, name),
    async drop() {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
