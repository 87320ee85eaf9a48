import type { Type } from '@nestjs/common';
import { createLogger } from '@mlp/runtime';
import { startService, type RunningService } from '../lib/bootstrap';
import type { ServiceDefinition } from '../lib/service-definition';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The machine's NATS and Redis for tests that exercise the production transport or store (CI sets them). */
export const testNatsUrl = (): string | undefined => process.env['TEST_NATS_URL'] ?? process.env['NATS_URL'];
export const testRedisUrl = (): string | undefined => process.env['TEST_REDIS_URL'] ?? process.env['REDIS_URL'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Captured JSON log lines of a service under test. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        try {
          this.lines.push(JSON.parse(line));
        } catch {
          this.lines.push({ msg: line });
        }
      }
      done();
    },
  });
  find(predicate: (line: Record<string, unknown>) => boolean) {
    return this.lines.filter(predicate);
  }
}

export interface TestService extends RunningService {
  db: TestDatabase;
  logs: LogCapture;
  tcpPort: number;
  /** Shuts the service down and drops its database. */
  close(): Promise<void>;
}

export interface TestServiceOptions {
  env?: Record<string, string | undefined>;
  /** Reuse a database (e.g. two services sharing one warehouse); otherwise a fresh one is made. */
  db?: TestDatabase;
  waitForDatabase?: boolean;
}

/**
 * Starts a real service (Fastify, transport, PostgreSQL, migrations) on free ports against a fresh
 * database, the way integration tests of every app do.
 */
export async function startTestService(def: ServiceDefinition, appModule: Type<unknown>, options: TestServiceOptions = {}): Promise<TestService> {
  const db = options.db ?? (await createTestDatabase());
  const [port, tcpPort] = [await freePort(), await freePort()];
  const logs = new LogCapture();
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: db.url,
    PORT: String(port),
    TCP_PORT: String(tcpPort),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const logger = createLogger(def.name, 'debug', logs.stream);
  let running: RunningService;
  try {
    running = await startService(def, appModule, { env, logger, waitForDatabase: options.waitForDatabase ?? true });
  } catch (err) {
    // A service that refuses to start (tests of bad configuration do this on purpose) leaves no
    // database behind.
    if (!options.db) await db.drop().catch(() => undefined);
    throw err;
  }
  return {
    ...running,
    db,
    logs,
    tcpPort,
    async close() {
      await running.shutdown('test finished');
      if (!options.db) await db.drop();
    },
  };
}
