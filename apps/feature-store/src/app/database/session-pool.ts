import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PLATFORM_CONFIG, asDependencyError, type PlatformConfig } from '@mlp/service-kit';
import { Pool, type PoolClient } from 'pg';

/**
 * Dedicated connections for work that needs a whole session: cursors, COPY streams, temporary
 * tables and READ ONLY transactions around source SQL. Kept apart from the request pool so a
 * long training-set stream never starves online reads.
 */
@Injectable()
export class SessionPool implements OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(@Inject(PLATFORM_CONFIG) config: PlatformConfig) {
    this.pool = new Pool({
      connectionString: config.env.DATABASE_URL,
      max: Number(config.env['SESSION_POOL_SIZE'] ?? 4),
      application_name: 'feature-store-session',
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      // Training sets fill temporary tables of millions of rows; temp_buffers (8MB by default) is
      // memory of the PostgreSQL backend, taken only as temporary tables grow.
      options: `-c TimeZone=UTC -c temp_buffers=${Number(config.env['SESSION_TEMP_BUFFERS_MB'] ?? 256)}MB`,
    });
    // An idle client losing its server must not crash the process; the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw asDependencyError(err);
    }
  }

  /** Runs work on one client and always gives it back; a broken client is discarded, not reused. */
  async with<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (err) {
      broken = isSessionBroken(err) ? (err as Error) : undefined;
      throw asDependencyError(err);
    } finally {
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/** After these the session state (open transaction, temp tables) is unknown: drop the connection. */
export function isSessionBroken(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return !code || !/^(22|23|42|3F|25P02)/.test(code);
}
