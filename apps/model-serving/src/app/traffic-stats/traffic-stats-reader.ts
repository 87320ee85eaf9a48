import { Injectable } from '@nestjs/common';
import type { TrafficStats } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { trafficSeries, type BucketTotals, type TrafficStatsRange } from './traffic-stats-query';

/** A model's request series from `serving.traffic_minutes`: every replica's rows summed per bucket in SQL. */
@Injectable()
export class TrafficStatsReader {
  constructor(private readonly db: Database) {}

  async series(model: string, range: TrafficStatsRange): Promise<TrafficStats> {
    const params: unknown[] = [model, range.fromMs, range.toMs, range.bucketSeconds * 1000];
    let where = `model = $1 AND minute >= to_timestamp($2::bigint / 1000.0) AND minute < to_timestamp($3::bigint / 1000.0)`;
    if (range.version !== undefined) {
      params.push(range.version);
      where += ` AND version = $5`;
    }
    const bucketOf = `floor((extract(epoch FROM minute) * 1000 - $2::bigint) / $4::bigint)::int`;
    const counts = await this.db.query<{ b: number; successes: string; errors: string; client_errors: string }>(
      `SELECT ${bucketOf} AS b, sum(successes) AS successes, sum(errors) AS errors, sum(client_errors) AS client_errors
       FROM "serving".traffic_minutes WHERE ${where} GROUP BY 1`,
      params,
    );
    const latency = await this.db.query<{ b: number; bucket: number; count: string }>(
      `SELECT ${bucketOf} AS b, u.bucket, sum(u.count) AS count
       FROM "serving".traffic_minutes, unnest(latency_buckets, latency_counts) AS u(bucket, count)
       WHERE ${where} GROUP BY 1, 2`,
      params,
    );
    const totals = new Map<number, BucketTotals>();
    for (const r of counts) totals.set(r.b, { successes: Number(r.successes), errors: Number(r.errors), clientErrors: Number(r.client_errors), latency: new Map() });
    for (const r of latency) totals.get(r.b)?.latency.set(Number(r.bucket), Number(r.count));
    return trafficSeries(model, range, totals);
  }
}
