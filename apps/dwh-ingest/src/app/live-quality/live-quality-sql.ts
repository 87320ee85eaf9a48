/**
 * One statement (one snapshot of `dwh.prediction_outcomes`) computes, per version and arm of a
 * model, over the predictions made in the last `windowHours`: how many have a label, and from those
 * the AUC from rank statistics (Mann-Whitney U with mid-ranks for tied scores), log loss (scores
 * clipped to [eps, 1 - eps]), Brier score, a calibration table (y = 1 counts as positive), RMSE,
 * MAE and the mean label. Whether the labels are binary is decided over all of the model's labels
 * (`binary`), so a window does not flip a model's kind; the caller drops the binary figures of a
 * numeric model. Parameters: $1 model, $2 window hours, $3 version or null, $4 bins, $5 epsilon.
 */
export const LIVE_QUALITY_SQL = `
WITH params AS (
  SELECT now() AS window_end, now() - $2::int * interval '1 hour' AS window_start
), windowed AS (
  SELECT p.version, p.arm, p.output, p.label_available AND p.label IS NOT NULL AS labelled, p.label AS y
    FROM "dwh".prediction_outcomes p, params
   WHERE p.model = $1 AND p.predicted_at > params.window_start AND p.predicted_at <= params.window_end
     AND ($3::int IS NULL OR p.version = $3::int)
), labelled AS (
  SELECT version, arm, output, y, CASE WHEN y = 1 THEN 1 ELSE 0 END AS positive,
         (rank() OVER (PARTITION BY version, arm ORDER BY output)
           + (count(*) OVER (PARTITION BY version, arm, output) - 1) / 2.0)::float8 AS mid_rank,
         least(greatest(output, $5::float8), 1 - $5::float8) AS clipped,
         least(greatest(width_bucket(output, 0, 1, $4::int), 1), $4::int) AS bin
    FROM windowed WHERE labelled
), stats AS (
  SELECT version, arm, count(*)::int AS labelled, sum(positive)::int AS positives,
         (sum(mid_rank) FILTER (WHERE positive = 1))::float8 AS positive_rank_sum,
         avg(-(positive * ln(clipped) + (1 - positive) * ln(1 - clipped)))::float8 AS log_loss,
         avg((output - y) ^ 2)::float8 AS brier,
         sqrt(avg((output - y) ^ 2))::float8 AS rmse,
         avg(abs(output - y))::float8 AS mae,
         avg(y)::float8 AS mean_label
    FROM labelled GROUP BY version, arm
), bins AS (
  SELECT version, arm,
         jsonb_agg(jsonb_build_object('bin', bin, 'count', n, 'mean_predicted', mean_predicted, 'observed_rate', observed_rate) ORDER BY bin) AS calibration
    FROM (SELECT version, arm, bin, count(*)::int AS n, avg(output)::float8 AS mean_predicted, avg(positive)::float8 AS observed_rate
            FROM labelled GROUP BY version, arm, bin) b
   GROUP BY version, arm
)
SELECT w.version, w.arm, w.predictions,
       coalesce(s.labelled, 0) AS labelled, coalesce(s.positives, 0) AS positives,
       CASE WHEN s.positives > 0 AND s.labelled > s.positives
            THEN (s.positive_rank_sum - s.positives * (s.positives + 1) / 2.0) / (s.positives::float8 * (s.labelled - s.positives))
       END::float8 AS auc,
       s.log_loss, s.brier, s.rmse, s.mae, s.mean_label, b.calibration
  FROM (SELECT version, arm, count(*)::int AS predictions FROM windowed GROUP BY version, arm) w
  LEFT JOIN stats s USING (version, arm)
  LEFT JOIN bins b USING (version, arm)
 ORDER BY w.version, w.arm`;

/** The window, whether the model's labels are binary (null: no label yet) and when its labels were last refreshed. */
export const LIVE_QUALITY_CONTEXT_SQL = `
SELECT now() - $2::int * interval '1 hour' AS window_start, now() AS window_end,
       (SELECT bool_and(label = 0 OR label = 1) FROM "dwh".prediction_outcomes WHERE model = $1 AND label_available) AS binary,
       (SELECT refreshed_at FROM "dwh".outcome_refreshes WHERE model = $1) AS refreshed_at`;
