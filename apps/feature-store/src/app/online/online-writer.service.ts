import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Database } from '@mlp/service-kit';
import type { PoolClient } from 'pg';
import { formatInstant } from '../time/event-time';
import { ONLINE_STORE, type OnlineRow, type OnlineStore, type StagedChunk, type StagedWrite } from './online-store';

/** Every online write goes through here so the freshness watermark (newest event time per view) stays right. */
@Injectable()
export class OnlineWriter implements OnApplicationShutdown {
  constructor(
    private readonly db: Database,
    @Inject(ONLINE_STORE) readonly store: OnlineStore,
  ) {}

  async write(viewKey: string, rows: OnlineRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const written = await this.store.write(viewKey, rows);
    // The newest of the rows' event times, taken by PostgreSQL from the texts as given.
    await this.db.query(
      `INSERT INTO "${this.db.schema}".online_watermarks (view_key, newest_event_timestamp) SELECT $1, max(t) FROM unnest($2::timestamptz[]) t
       ON CONFLICT (view_key) DO UPDATE SET newest_event_timestamp = GREATEST(online_watermarks.newest_event_timestamp, EXCLUDED.newest_event_timestamp), updated_at = now()`,
      [viewKey, rows.map((r) => r.eventTimestamp)],
    );
    return written;
  }

  /** A staged materialization chunk (see `OnlineStore.writeStaged`), watermark updated on the same client. */
  async writeStaged(client: PoolClient, viewKey: string, chunk: StagedChunk): Promise<StagedWrite> {
    const result = await this.store.writeStaged(client, viewKey, chunk);
    if (result.newest) {
      await client.query(
        `INSERT INTO "${this.db.schema}".online_watermarks (view_key, newest_event_timestamp) VALUES ($1, $2::timestamptz)
         ON CONFLICT (view_key) DO UPDATE SET newest_event_timestamp = GREATEST(online_watermarks.newest_event_timestamp, EXCLUDED.newest_event_timestamp), updated_at = now()`,
        [viewKey, formatInstant(result.newest)],
      );
    }
    return result;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
