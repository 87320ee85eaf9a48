import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@mlp/runtime';
import { Database, MetricsService, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { Histogram } from 'prom-client';
import { eventsCopyText, storeEventGroup, storeEvents, type FailedEventRow, type StoreRequest } from './event-writer';
import { GroupCommit } from './group-commit';
import type { EventRow } from './message-validation';

/** Group writes in flight at once; below the default pool size so replays and reads keep connections. */
const MAX_CONCURRENT_WRITES = 4;
const NO_ROWS = Buffer.alloc(0);
/** Rough bytes of a failed event in a group, for the byte cap (its raw payload is at most 32 KB). */
const FAILED_EVENT_BYTES = 1024;

/**
 * Writes each tracking request's events and failed events and resolves after their commit. With
 * group commit on (the default), concurrent requests share one commit; see group-commit.ts.
 */
@Injectable()
export class TrackingWriter implements BeforeApplicationShutdown {
  private readonly group?: GroupCommit<StoreRequest, Set<string> | null>;

  constructor(
    private readonly db: Database,
    metrics: MetricsService,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    const maxRows = Number(config.env['INGEST_GROUP_COMMIT_MAX_ROWS'] ?? 5000);
    const maxBytes = Number(config.env['INGEST_GROUP_COMMIT_MAX_BYTES'] ?? 8388608);
    const maxWaitMs = Number(config.env['INGEST_GROUP_COMMIT_MAX_WAIT_MS'] ?? 20);
    if (maxRows > 0 && maxBytes > 0 && maxWaitMs > 0) {
      const requests = new Histogram({
        name: 'dwh_ingest_commit_requests',
        help: 'Tracking requests written per commit (group commit)',
        buckets: [1, 2, 4, 8, 16, 32],
        registers: [metrics.registry],
      });
      this.group = new GroupCommit((items) => storeEventGroup(this.db, items), { maxRows, maxBytes, maxWaitMs, maxConcurrentWrites: MAX_CONCURRENT_WRITES }, undefined, (n) =>
        requests.observe(n),
      );
    }
  }

  /** The messageIds this request stored (null: all of its rows), after the commit that holds them. */
  store(rows: EventRow[], failed: FailedEventRow[]): Promise<Set<string> | null> {
    if (!rows.length && !failed.length) return Promise.resolve(new Set());
    if (!this.group) return storeEvents(this.db, rows, failed);
    const text = rows.length ? eventsCopyText(rows) : NO_ROWS;
    return this.group.submit({ rows, failed, text }, rows.length + failed.length, text.length + failed.length * FAILED_EVENT_BYTES);
  }

  /**
   * Counts a request's duplicates in the hour it was received (`dwh.tracking_duplicates`, what the
   * events stats read): a duplicate is not stored, so nothing else remembers it. One upsert per request
   * that had any, after its commit; a failure to count never fails the request (its events are stored).
   */
  async countDuplicates(receivedAt: string, duplicates: number): Promise<void> {
    await this.db
      .query(
        `INSERT INTO "dwh".tracking_duplicates (hour, duplicates) VALUES (date_trunc('hour', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', $2)
         ON CONFLICT (hour) DO UPDATE SET duplicates = "dwh".tracking_duplicates.duplicates + EXCLUDED.duplicates`,
        [receivedAt, duplicates],
      )
      .catch((err: unknown) => this.log.warn({ err: String(err), duplicates }, 'duplicates not counted for the events stats'));
  }

  /** Graceful shutdown: every queued request is written (and answered) before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.group?.drained();
  }
}
