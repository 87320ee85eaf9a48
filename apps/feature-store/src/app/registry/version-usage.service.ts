import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import type { ResolvedFeatures } from './feature-registry.service';

/**
 * Remembers which view versions were read online and writes it to `feature_views.last_online_read_at`
 * every `VERSION_USAGE_FLUSH_MS`: a version a served model reads is in use and is not retired.
 * The hot path only adds the view keys of a request to a set.
 */
@Injectable()
export class VersionUsageTracker implements OnApplicationBootstrap, OnApplicationShutdown {
  private pending = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  noteRead(resolved: ResolvedFeatures): void {
    for (const v of resolved.views) this.pending.add(v.viewKey);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), Number(this.config.env['VERSION_USAGE_FLUSH_MS'] ?? 30000));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Writes the reads noted since the last flush (kept for the next one if the database is away). */
  async flush(): Promise<void> {
    if (this.pending.size === 0 || !this.db.isConnected) return;
    const keys = [...this.pending];
    this.pending = new Set();
    const parts = keys.map((k) => /^(.+)@v(\d+)$/.exec(k)!);
    try {
      await this.db.query(
        `UPDATE "${this.db.schema}".feature_views v SET last_online_read_at = now()
           FROM unnest($1::text[], $2::int[]) AS u(name, version) WHERE v.name = u.name AND v.version = u.version`,
        [parts.map((p) => p[1]), parts.map((p) => Number(p[2]))],
      );
    } catch (err) {
      for (const k of keys) this.pending.add(k);
      this.log.warn({ err: String(err) }, 'recording online reads of feature view versions failed');
    }
  }
}
