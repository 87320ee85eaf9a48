import { Injectable } from '@nestjs/common';
import type { CalibrationBin, LiveQualityReport, RequestOf, LiveQualityMessage } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';

const DEFAULT_BINS = 10;
// Keep ln() finite for scores of exactly 0 or 1 (the usual sklearn-style clip).
const EPSILON = 1e-15;

interface GroupRow {
  version: number;
  arm: string;
  predictions: number;
  labelled: number;
  positives: number;
  auc: number | null;
  log_loss: number | null;
  brier: number | null;
  calibration: Array<{ bin: number; count: number; mean_predicted: number; observed_rate: number }> | null;
  window_start: Date;
  window_end: Date;
  mart_updated_at: Date | null;
}

/**
 * One statement (one snapshot of the mart) computes, per version and arm of a model, over the
 * predictions made in the last `windowHours`: how many have a known outcome, the positive rate,
 * the AUC from rank statistics (Mann-Whitney U with mid-ranks for tied scores), log loss, Brier
 * score and a calibration table. A prediction is labelled when the mart says its 7-day horizon is
 * over and it is entity-keyed (without a user id no order can be joined, so "no order" would be a
 * false negative).
 */
export const LIVE_QUALITY_SQL = `
WITH params AS (
  SELECT now() AS window_end, now() - $2::int * interval '1 hour' AS window_start
), windowed AS (
  SELECT p.version, p.arm, p.output,
         (p.label_available AND p.user_id IS NOT NULL) AS labelled,
         CASE WHEN p.ordered_within_7d THEN 1 ELSE 0 END AS y
    FROM "dwh".mart_predictions p, params
   WHERE p.model = $1 AND p.predicted_at > params.window_start AND p.predicted_at <= params.window_end
     AND ($3::int IS NULL OR p.version = $3::int)
), labelled AS (
  SELECT version, arm, output, y,
         (rank() OVER (PARTITION BY version, arm ORDER BY output)
           + (count(*) OVER (PARTITION BY version, arm, output) - 1) / 2.0)::float8 AS mid_rank,
         least(greatest(output, $5::float8), 1 - $5::float8) AS clipped,
         least(greatest(width_bucket(output, 0, 1, $4::int), 1), $4::int) AS bin
    FROM windowed WHERE labelled
), stats AS (
  SELECT version, arm, count(*)::int AS labelled, sum(y)::int AS positives,
         (sum(mid_rank) FILTER (WHERE y = 1))::float8 AS positive_rank_sum,
         avg(-(y * ln(clipped) + (1 - y) * ln(1 - clipped)))::float8 AS log_loss,
         avg((output - y) ^ 2)::float8 AS brier
    FROM labelled GROUP BY version, arm
), bins AS (
  SELECT version, arm,
         jsonb_agg(jsonb_build_object('bin', bin, 'count', n, 'mean_predicted', mean_predicted, 'observed_rate', observed_rate) ORDER BY bin) AS calibration
    FROM (SELECT version, arm, bin, count(*)::int AS n, avg(output)::float8 AS mean_predicted, avg(y)::float8 AS observed_rate
            FROM labelled GROUP BY version, arm, bin) b
   GROUP BY version, arm
)
SELECT w.version, w.arm, w.predictions,
       coalesce(s.labelled, 0) AS labelled, coalesce(s.positives, 0) AS positives,
       CASE WHEN s.positives > 0 AND s.labelled > s.positives
            THEN (s.positive_rank_sum - s.positives * (s.positives + 1) / 2.0) / (s.positives::float8 * (s.labelled - s.positives))
       END::float8 AS auc,
       s.log_loss, s.brier, b.calibration,
       params.window_start, params.window_end,
       (SELECT max(updated_at) FROM "dwh".mart_predictions) AS mart_updated_at
  FROM (SELECT version, arm, count(*)::int AS predictions FROM windowed GROUP BY version, arm) w
  CROSS JOIN params
  LEFT JOIN stats s USING (version, arm)
  LEFT JOIN bins b USING (version, arm)
 ORDER BY w.version, w.arm`;

/** Live model quality from the warehouse's prediction mart (the DS-to-Business SLA's data). */
@Injectable()
export class LiveQualityService {
  constructor(private readonly db: Database) {}

  async report(req: RequestOf<typeof LiveQualityMessage>): Promise<LiveQualityReport> {
    const bins = req.bins ?? DEFAULT_BINS;
    const rows = await this.db.query<GroupRow>(LIVE_QUALITY_SQL, [req.model, req.windowHours, req.version ?? null, bins, EPSILON]);
    let window: { start: Date; end: Date; martUpdatedAt: Date | null };
    if (rows[0]) window = { start: rows[0].window_start, end: rows[0].window_end, martUpdatedAt: rows[0].mart_updated_at };
    else {
      // No prediction in the window: still say which window and how fresh the mart is.
      const [w] = await this.db.query<{ start: Date; end: Date; updated: Date | null }>(
        `SELECT now() - $1::int * interval '1 hour' AS start, now() AS "end", (SELECT max(updated_at) FROM "dwh".mart_predictions) AS updated`,
        [req.windowHours],
      );
      if (!w) throw new Error('SELECT without FROM returned no row');
      window = { start: w.start, end: w.end, martUpdatedAt: w.updated };
    }
    return {
      model: req.model,
      windowHours: req.windowHours,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
      label: 'ordered_within_7d',
      bins,
      martUpdatedAt: window.martUpdatedAt ? window.martUpdatedAt.toISOString() : null,
      groups: rows.map((r) => ({
        version: r.version,
        arm: r.arm,
        predictions: r.predictions,
        labelled: r.labelled,
        positives: r.positives,
        positiveRate: r.labelled > 0 ? r.positives / r.labelled : null,
        auc: r.auc,
        logLoss: r.log_loss,
        brier: r.brier,
        calibration: (r.calibration ?? []).map(
          (c): CalibrationBin => ({
            bin: c.bin,
            lower: (c.bin - 1) / bins,
            upper: c.bin / bins,
            count: c.count,
            meanPredicted: c.mean_predicted,
            observedRate: c.observed_rate,
          }),
        ),
      })),
    };
  }
}
