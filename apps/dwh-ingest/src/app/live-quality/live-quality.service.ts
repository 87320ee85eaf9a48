import { Injectable } from '@nestjs/common';
import type { CalibrationBin, LiveQualityMessage, LiveQualityReport, RequestOf } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { AppliedOutcomes } from '../outcomes/applied-outcomes';
import { LIVE_QUALITY_CONTEXT_SQL, LIVE_QUALITY_SQL } from './live-quality-sql';

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
  rmse: number | null;
  mae: number | null;
  mean_label: number | null;
  calibration: Array<{ bin: number; count: number; mean_predicted: number; observed_rate: number }> | null;
}

interface ContextRow {
  window_start: Date;
  window_end: Date;
  binary: boolean | null;
  refreshed_at: Date | null;
}

/**
 * Live model quality from `dwh.prediction_outcomes` (the DS-to-Business SLA's data), for any model
 * with an applied outcome; a model without one is a 404 NO_OUTCOME rather than an empty report.
 */
@Injectable()
export class LiveQualityService {
  constructor(
    private readonly db: Database,
    private readonly outcomes: AppliedOutcomes,
  ) {}

  async report(req: RequestOf<typeof LiveQualityMessage>): Promise<LiveQualityReport> {
    const outcome = await this.outcomes.get(req.model);
    const bins = req.bins ?? DEFAULT_BINS;
    // One transaction: the window and the figures share now().
    const [context, rows] = await this.db.transaction(async (m) => {
      const [c] = (await m.query(LIVE_QUALITY_CONTEXT_SQL, [req.model, req.windowHours])) as ContextRow[];
      const r = (await m.query(LIVE_QUALITY_SQL, [req.model, req.windowHours, req.version ?? null, bins, EPSILON])) as GroupRow[];
      return [c as ContextRow, r] as const;
    });
    const binary = context.binary !== false;
    const d = outcome.definition;
    return {
      model: req.model,
      windowHours: req.windowHours,
      windowStart: context.window_start.toISOString(),
      windowEnd: context.window_end.toISOString(),
      label: d.label_column,
      bins,
      martUpdatedAt: context.refreshed_at ? context.refreshed_at.toISOString() : null,
      labelKind: context.binary === null ? null : context.binary ? 'binary' : 'numeric',
      outcome: {
        project: outcome.project,
        keys: d.keys ?? [],
        labelColumn: d.label_column,
        timestampColumn: d.timestamp_column ?? null,
        horizon: d.timestamp_column === undefined ? null : (d.horizon ?? null),
        aggregate: d.aggregate ?? 'max',
        default: d.timestamp_column === undefined ? null : (d.default ?? null),
      },
      groups: rows.map((r) => ({
        version: r.version,
        arm: r.arm,
        predictions: r.predictions,
        labelled: r.labelled,
        positives: binary ? r.positives : 0,
        positiveRate: binary && r.labelled > 0 ? r.positives / r.labelled : null,
        auc: binary ? r.auc : null,
        logLoss: binary ? r.log_loss : null,
        brier: binary ? r.brier : null,
        calibration: binary
          ? (r.calibration ?? []).map(
              (c): CalibrationBin => ({
                bin: c.bin,
                lower: (c.bin - 1) / bins,
                upper: c.bin / bins,
                count: c.count,
                meanPredicted: c.mean_predicted,
                observedRate: c.observed_rate,
              }),
            )
          : [],
        rmse: r.rmse,
        mae: r.mae,
        meanLabel: r.mean_label,
      })),
    };
  }
}
