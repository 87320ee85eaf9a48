import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { isDependencyDown, PlatformError, redactUrl, type Logger } from '@mlp/runtime';
import { DataSource, type EntityManager } from 'typeorm';
import { PLATFORM_CONFIG, SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import type { PlatformConfig } from '../config/platform-config';
import { PLATFORM_LOGGER } from '../observability/logger.provider';
import { runMigrations } from './migrations';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The service's connection to PostgreSQL. It starts even when the database is down (readiness says
 * so, and queries answer 503), keeps retrying, and recovers without a restart: the pool opens new
 * connections once the server is back.
 */
@Injectable()
export class Database implements OnApplicationShutdown {
  private dataSource?: DataSource;
  private connecting?: Promise<void>;
  private appliedMigrations: string[] = [];
  private closed = false;
  private readyWaiters: Array<() => void> = [];

  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    if (!SCHEMA_NAME.test(def.schema)) throw new Error(`invalid schema name ${def.schema}`);
  }

  get schema(): string {
    return this.def.schema;
  }

  get migrations(): string[] {
    return [...this.appliedMigrations];
  }

  get isConnected(): boolean {
    return !!this.dataSource?.isInitialized;
  }

  /** Connects (and migrates when configured), retrying in the background until it works. */
  connect(): Promise<void> {
    this.connecting ??= this.connectWithRetry();
    return this.connecting;
  }

  /** Resolves once the database is connected and migrated. */
  whenReady(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private async connectWithRetry(): Promise<void> {
    let delay = 250;
    while (!this.closed) {
      try {
        await this.openOnce();
        this.readyWaiters.splice(0).forEach((r) => r());
        return;
      } catch (err) {
        // Only an unreachable database is worth waiting for; a failing migration, a missing
        // database or bad credentials will not fix themselves, so they fail the start loudly.
        if (!isDependencyDown(err)) {
          this.log.fatal({ err: String(err), url: redactUrl(this.config.env.DATABASE_URL) }, 'database setup failed');
          throw err;
        }
        this.log.warn({ err: String(err), retryInMs: delay, url: redactUrl(this.config.env.DATABASE_URL) }, 'database not ready, retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  private async openOnce(): Promise<void> {
    const ds = new DataSource({
      type: 'postgres',
      url: this.config.env.DATABASE_URL,
      schema: this.def.schema,
      entities: this.def.entities ?? [],
      migrations: this.def.migrations,
      migrationsTableName: 'migrations',
      synchronize: false,
      logging: false,
      applicationName: this.def.name,
      poolSize: this.config.env.DATABASE_POOL_SIZE,
      extra: {
        connectionTimeoutMillis: 5000,
        statement_timeout: this.config.env.DATABASE_STATEMENT_TIMEOUT_MS || undefined,
        idleTimeoutMillis: 30000,
      },
    });
    await ds.initialize();
    try {
      await ds.query(`CREATE SCHEMA IF NOT EXISTS "${this.def.schema}"`);
      if (this.config.migrateOnStart) {
        const applied = await runMigrations(ds, this.def.schema);
        if (applied.length) this.log.info({ applied }, 'migrations applied');
      }
      this.appliedMigrations = await listAppliedMigrations(ds, this.def.schema);
    } catch (err) {
      await ds.destroy().catch(() => undefined);
      throw err;
    }
    this.dataSource = ds;
    this.log.info({ schema: this.def.schema, migrations: this.appliedMigrations.length }, 'database connected');
  }

  /** The TypeORM data source; answers 503 while the database has not been reached yet. */
  get source(): DataSource {
    if (!this.dataSource?.isInitialized) throw PlatformError.unavailable('database', 'not connected yet');
    return this.dataSource;
  }

  /** Runs a parameterised query; connection failures become 503s. */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return await this.source.query(sql, params);
    } catch (err) {
      throw asDependencyError(err);
    }
  }

  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.source.transaction(work);
    } catch (err) {
      throw asDependencyError(err);
    }
  }

  /** A cheap round trip for readiness. */
  async ping(timeoutMs = 2000): Promise<void> {
    const ds = this.source;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ds.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.readyWaiters.splice(0);
    await this.dataSource?.destroy().catch(() => undefined);
  }
}

export function asDependencyError(err: unknown): unknown {
  return isDependencyDown(err) ? PlatformError.unavailable('database', err) : err;
}

async function listAppliedMigrations(ds: DataSource, schema: string): Promise<string[]> {
  const exists = await ds.query(`SELECT to_regclass($1) AS t`, [`"${schema}".migrations`]);
  if (!exists[0]?.t) return [];
  const rows: Array<{ name: string }> = await ds.query(`SELECT name FROM "${schema}".migrations ORDER BY id`);
  return rows.map((r) => r.name);
}
