import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { sparseLatency, TrafficCounter, type MinuteCell } from './traffic-counter';

// Cells kept while the database is away (a model version and minute each): hours of a busy replica.
const MAX_PENDING_CELLS = 100_000;
const RETENTION_EVERY_MS = 3_600_000;

/**
 * This replica's requests per model version and minute, written to `serving.traffic_minutes` every
 * TRAFFIC_STATS_FLUSH_MS as deltas (and at shutdown). Each replica writes its own rows and the
 * reader sums them: nothing is lost or counted twice however many replicas serve, and a replica
 * that goes away has already written what it saw, unlike a per-replica in-memory history that a
 * load balancer would show one piece of at a time. While the database is away the cells wait
 * (bounded); rows older than TRAFFIC_STATS_RETENTION_HOURS are deleted.
 */
@Injectable()
export class TrafficStatsRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly counters = new Map<string, TrafficCounter>();
  private pending: MinuteCell[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<number>;
  private lastRetentionMs = 0;

  constructor(
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  /** The counter of one model version (the observer binds it once per loaded version). */
  counter(model: string, version: number): TrafficCounter {
    const key = `${model}\u0000${version}`;
    let counter = this.counters.get(key);
    if (!counter) {
      counter = new TrafficCounter(model, version);
      this.counters.set(key, counter);
    }
    return counter;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.env['TRAFFIC_STATS_FLUSH_MS'] as number);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Writes what was counted since the last flush; answers the rows written. One flush at a time. */
  flush(): Promise<number> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<number> {
    for (const counter of this.counters.values()) for (const cell of counter.drain()) this.pending.push(cell);
    if (this.pending.length === 0 || !this.db.isConnected) return 0;
    const cells = this.pending;
    this.pending = [];
    let written = 0;
    try {
      for (; written < cells.length; written++) {
        const c = cells[written];
        const { buckets, counts } = sparseLatency(c.latency);
        await this.db.query(
          `INSERT INTO "serving".traffic_minutes (minute, model, version, successes, errors, client_errors, latency_buckets, latency_counts)
           VALUES (to_timestamp($1::bigint / 1000.0), $2, $3, $4, $5, $6, $7::smallint[], $8::integer[])`,
          [c.minuteMs, c.model, c.version, c.successes, c.errors, c.clientErrors, buckets, counts],
        );
      }
      await this.deleteExpired();
    } catch (err) {
      const kept = cells.slice(written).concat(this.pending);
      this.pending = kept.length > MAX_PENDING_CELLS ? kept.slice(kept.length - MAX_PENDING_CELLS) : kept;
      this.log.warn({ err: String(err), waiting: this.pending.length, dropped: kept.length - this.pending.length }, 'traffic stats not written; kept for the next flush');
    }
    return written;
  }

  private async deleteExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.lastRetentionMs < RETENTION_EVERY_MS) return;
    this.lastRetentionMs = now;
    await this.db.query(`DELETE FROM "serving".traffic_minutes WHERE minute < now() - make_interval(hours => $1::int)`, [this.config.env['TRAFFIC_STATS_RETENTION_HOURS'] as number]);
  }
}
