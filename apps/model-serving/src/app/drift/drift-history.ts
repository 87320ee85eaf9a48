import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DriftHistory as DriftHistoryAnswer } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import type { LoadedModel } from '../models/loaded-model';
import type { TrafficStatsRange } from '../traffic-stats/traffic-stats-query';
import { driftSeries, type BucketCounts } from './drift-history-series';
import { DriftMonitor } from './drift-monitor';

const MINUTE_MS = 60_000;
const RETENTION_EVERY_MS = 3_600_000;

/**
 * Input drift over time. Every TRAFFIC_STATS_FLUSH_MS this replica writes the bin counts its drift
 * monitor saw since the last write (per version, feature and baseline fingerprint) to
 * `serving.drift_minutes`, stamped with the minute of the write; `series` sums every replica's rows
 * per bucket in SQL and gives PSI against the version's current baseline (rows counted under other
 * baseline bins are left out: their counts do not compare). Rows older than TRAFFIC_STATS_RETENTION_HOURS are deleted.
 */
@Injectable()
export class DriftHistory implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private writing?: Promise<number>;
  private lastRetentionMs = 0;

  constructor(
    private readonly db: Database,
    private readonly monitor: DriftMonitor,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.env['TRAFFIC_STATS_FLUSH_MS'] as number);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Writes the counts since the last flush; answers the rows written. Counts that fail to write are dropped (logged). */
  flush(nowMs = Date.now()): Promise<number> {
    this.writing ??= this.write(nowMs).finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async write(nowMs: number): Promise<number> {
    if (!this.db.isConnected) return 0;
    const drained = this.monitor.drainCounts();
    const rows = drained.flatMap((v) => v.features.map((f) => ({ model: v.model, version: v.version, ...f })));
    if (rows.length === 0) return 0;
    try {
      await this.db.query(
        `INSERT INTO "serving".drift_minutes (minute, model, version, feature, baseline, counts)
         SELECT to_timestamp($1::bigint / 1000.0), r.model, r.version, r.feature, r.baseline, ARRAY(SELECT jsonb_array_elements_text(r.counts)::int)
           FROM jsonb_to_recordset($2::jsonb) AS r(model text, version int, feature text, baseline text, counts jsonb)`,
        [nowMs - (nowMs % MINUTE_MS), JSON.stringify(rows.map((r) => ({ model: r.model, version: r.version, feature: r.feature, baseline: r.fingerprint, counts: r.counts })))],
      );
      if (nowMs - this.lastRetentionMs >= RETENTION_EVERY_MS) {
        this.lastRetentionMs = nowMs;
        await this.db.query(`DELETE FROM "serving".drift_minutes WHERE minute < now() - make_interval(hours => $1::int)`, [this.config.env['TRAFFIC_STATS_RETENTION_HOURS'] as number]);
      }
      return rows.length;
    } catch (err) {
      this.log.warn({ err: String(err), rows: rows.length }, 'drift history not written; these counts are lost to the history (the live window keeps them)');
      return 0;
    }
  }

  async series(model: LoadedModel, range: TrafficStatsRange): Promise<DriftHistoryAnswer> {
    const { features, options } = this.monitor.expectations(model);
    const rows = await this.db.query<{ b: number; feature: string; bin: string; count: string }>(
      `SELECT floor((extract(epoch FROM d.minute) * 1000 - $3::bigint) / $5::bigint)::int AS b, d.feature, u.bin, sum(u.count) AS count
         FROM "serving".drift_minutes d, unnest(d.counts) WITH ORDINALITY AS u(count, bin)
        WHERE d.model = $1 AND d.version = $2 AND d.minute >= to_timestamp($3::bigint / 1000.0) AND d.minute < to_timestamp($4::bigint / 1000.0)
          AND (d.feature, d.baseline) IN (SELECT * FROM unnest($6::text[], $7::text[]))
        GROUP BY 1, 2, 3`,
      [model.name, model.version, range.fromMs, range.toMs, range.bucketSeconds * 1000, features.map((f) => f.feature), features.map((f) => f.fingerprint)],
    );
    const bins = new Map(features.map((f) => [f.feature, f.expected.length]));
    const counts: BucketCounts = new Map();
    for (const r of rows) {
      const perFeature = counts.get(r.b) ?? new Map<string, number[]>();
      counts.set(r.b, perFeature);
      const c = perFeature.get(r.feature) ?? new Array<number>(bins.get(r.feature) ?? 0).fill(0);
      perFeature.set(r.feature, c);
      c[Number(r.bin) - 1] = Number(r.count);
    }
    return driftSeries(
      { model: model.name, version: model.version, range, expectations: features, options: { minObservations: options.minObservations, warnThreshold: options.warnThreshold, driftThreshold: options.driftThreshold } },
      counts,
    );
  }
}
