import { Injectable } from '@nestjs/common';
import type { EventStats, ImportRunsPage, WarehouseLineage } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { testLabel } from '../transformations/data-test-sql';
import { TransformationRunner } from '../transformations/transformation-runner.service';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import { bucketStarts, type StatsWindow } from './event-stats-window';
import { lineageGraph, type LineageFacts } from './lineage-graph';

const BUCKET_INTERVAL = { hour: '1 hour', day: '1 day' } as const;

/**
 * Aggregates for dashboards, each one parameterised statement: accepted events counted on the
 * `loaded_at` index (an index-only scan, linear in the events of the window), failed events from their
 * hourly counts by event and codes (`failed_event_counts`, kept exact by triggers, so a million failed
 * events are a few rows per hour), duplicates from the hourly counter. Windows are whole hours, so the
 * hourly counts answer them exactly.
 */
@Injectable()
export class WarehouseStats {
  constructor(
    private readonly db: Database,
    private readonly runner: TransformationRunner,
    private readonly catalog: WarehouseCatalog,
  ) {}

  async eventStats(w: StatsWindow): Promise<EventStats> {
    const range = [w.from.toISOString(), w.to.toISOString(), BUCKET_INTERVAL[w.bucket]];
    const bucketed = (table: string, column: string, value = 'count(*)') =>
      `SELECT extract(epoch FROM date_bin($3::interval, ${column}, timestamptz '1970-01-01 00:00:00+00')) * 1000 AS bucket, ${value} AS n
         FROM "dwh".${table} WHERE ${column} >= $1::timestamptz AND ${column} < $2::timestamptz GROUP BY 1`;
    const [accepted, rejected, duplicates, codes, events] = await Promise.all([
      this.db.query<{ bucket: string; n: string }>(bucketed('events', 'loaded_at'), range),
      this.db.query<{ bucket: string; n: string }>(bucketed('failed_event_counts', 'hour', 'sum(messages)'), range),
      this.db.query<{ bucket: string; n: string }>(bucketed('tracking_duplicates', 'hour', 'sum(duplicates)'), range),
      this.db.query<{ code: string; n: string }>(
        `SELECT c AS code, sum(f.messages) AS n FROM "dwh".failed_event_counts f, unnest(f.codes) AS c
          WHERE f.hour >= $1::timestamptz AND f.hour < $2::timestamptz GROUP BY c ORDER BY n DESC, code LIMIT $3`,
        [range[0], range[1], w.top],
      ),
      this.db.query<{ event: string | null; n: string }>(
        `SELECT CASE WHEN has_event THEN event END AS event, sum(messages) AS n FROM "dwh".failed_event_counts
          WHERE hour >= $1::timestamptz AND hour < $2::timestamptz GROUP BY has_event, event ORDER BY n DESC, event NULLS LAST LIMIT $3`,
        [range[0], range[1], w.top],
      ),
    ]);
    const byBucket = (rows: Array<{ bucket: string; n: string }>) => new Map(rows.map((r) => [Number(r.bucket), Number(r.n)]));
    const [a, r, d] = [byBucket(accepted), byBucket(rejected), byBucket(duplicates)];
    const buckets = bucketStarts(w).map((t) => ({ start: new Date(t).toISOString(), accepted: a.get(t) ?? 0, rejected: r.get(t) ?? 0, duplicates: d.get(t) ?? 0 }));
    const sum = (k: 'accepted' | 'rejected' | 'duplicates') => buckets.reduce((s, b) => s + b[k], 0);
    return {
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      bucket: w.bucket,
      buckets,
      totals: { accepted: sum('accepted'), rejected: sum('rejected'), duplicates: sum('duplicates') },
      topCodes: codes.map((c) => ({ code: c.code, events: Number(c.n) })),
      topEvents: events.map((e) => ({ event: e.event, rejected: Number(e.n) })),
    };
  }

  /** Imports newest first, keyset-paged by (started_at, id). */
  async importRuns(q: { source?: string; limit: number; cursor?: { startedAt: string; id: string } }): Promise<ImportRunsPage> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.source) where.push(`source = $${params.push(q.source)}`);
    if (q.cursor) where.push(`(started_at, id) < ($${params.push(q.cursor.startedAt)}::timestamptz, $${params.push(q.cursor.id)}::uuid)`);
    const rows = await this.db.query<{ id: string; source: string; status: string; content_type: string; rows_accepted: string; rows_rejected: string; started_at: Date; finished_at: Date | null }>(
      `SELECT id, source, status, content_type, rows_accepted, rows_rejected, started_at, finished_at FROM "dwh".imports
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT $${params.push(q.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((i) => ({
        importId: i.id,
        source: i.source,
        status: i.status,
        contentType: i.content_type,
        rowsAccepted: Number(i.rows_accepted),
        rowsRejected: Number(i.rows_rejected),
        startedAt: new Date(i.started_at).toISOString(),
        finishedAt: i.finished_at ? new Date(i.finished_at).toISOString() : null,
      })),
      nextCursor: rows.length > q.limit ? `${new Date(last.started_at).toISOString()}_${last.id}` : null,
    };
  }

  async lineage(): Promise<WarehouseLineage> {
    const [models, sources, state, tests, freshness] = await Promise.all([
      this.runner.registeredModels(),
      this.catalog.sources(),
      this.db.query<LineageFacts['state'][number]>(`SELECT name, last_run_id, last_status, last_rows, last_built_at FROM "dwh".model_state`),
      this.db.query<LineageFacts['tests'][number]>(
        `SELECT DISTINCT ON (model, test) model, test, status, failures, ran_at FROM "dwh".data_test_results ORDER BY model, test, id DESC`,
      ),
      this.db.query<LineageFacts['freshness'][number]>(`SELECT dataset, status, measured, checked_at FROM "dwh".sla_state WHERE "check" = 'freshness'`),
    ]);
    return lineageGraph({
      models: models.map((m) => ({
        name: m.name,
        project: m.project,
        layer: m.def.layer,
        materialized: m.def.materialized,
        description: m.def.description ?? null,
        deps: m.deps,
        inputs: m.inputs,
        tests: (m.def.tests ?? []).map(testLabel),
      })),
      sources: sources.map((s) => ({ relation: `src_${s.def.name}`, project: s.project, description: s.def.description ?? null })),
      state,
      tests,
      freshness,
    });
  }
}
