import { Controller, Get, Param, Query } from '@nestjs/common';
import { LiveQualityMessage, type RequestOf } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, HandleMessage, RequireScope } from '@mlp/service-kit';
import { parseLiveQualityQuery } from './live-quality-query';
import { LiveQualityService } from './live-quality.service';

const DEFAULT_WINDOW_HOURS = 720;

/**
 * Live quality over HTTP (`GET /v1/models/{m}/live-quality?window_hours=&version=&bins=`) and over
 * the transport (`dwh-ingest.live-quality.v1`: model-serving asks it for its endpoint and gauges).
 */
@Controller()
export class LiveQualityController {
  constructor(private readonly quality: LiveQualityService) {}

  @Get('v1/models/:model/live-quality')
  @RequireScope('ingest:read')
  @ApiContract({
    response: LiveQualityMessage.reply,
    summary: "A model's live quality per version and traffic arm",
    description:
      "Scores the model's live predictions of the last `window_hours` (1..8784, default 720) against the labels its outcome gave them: per version and arm, predictions and labelled counts, and with binary labels positives, AUC, log loss, Brier and `bins` calibration bins (2..50, default 10); with numeric labels RMSE and MAE. `version` keeps one version. The figures are as fresh as the last outcome refresh (`martUpdatedAt`). A model without an applied outcome is 404 NO_OUTCOME. Scope `ingest:read`.",
    params: { model: 'A served model with an outcome' },
    errors: { 400: ['INVALID_WINDOW', 'INVALID_VERSION', 'INVALID_BINS'], 404: ['NO_OUTCOME'], 503: ['DEPENDENCY_UNAVAILABLE'] },
    example: {
      model: 'warm_colour',
      windowHours: 720,
      windowStart: '2026-11-07T10:00:00.000Z',
      windowEnd: '2026-12-07T10:00:00.000Z',
      label: 'is_warm',
      bins: 10,
      martUpdatedAt: '2026-12-07T10:00:00.412Z',
      labelKind: 'binary',
      outcome: { project: 'warm-colours', keys: ['colour_id'], labelColumn: 'is_warm', timestampColumn: null, horizon: null, aggregate: 'max', default: null },
      groups: [
        {
          version: 1,
          arm: 'champion',
          predictions: 1840,
          labelled: 1312,
          positives: 171,
          positiveRate: 0.1303,
          auc: 0.8124,
          logLoss: 0.3187,
          brier: 0.0941,
          calibration: [
            { bin: 1, lower: 0, upper: 0.1, count: 902, meanPredicted: 0.043, observedRate: 0.0388 },
            { bin: 2, lower: 0.1, upper: 0.2, count: 231, meanPredicted: 0.142, observedRate: 0.1602 },
          ],
          rmse: 0.3068,
          mae: 0.1811,
          meanLabel: 0.1303,
        },
      ],
    },
  })
  http(@Param('model') model: string, @Query() query: { window_hours?: string; version?: string; bins?: string }) {
    const parsed = parseLiveQualityQuery(query, DEFAULT_WINDOW_HOURS);
    if ('code' in parsed) throw PlatformError.badRequest(parsed.message, [parsed], parsed.code);
    return this.quality.report({ model, ...parsed });
  }

  @HandleMessage(LiveQualityMessage)
  report(data: RequestOf<typeof LiveQualityMessage>) {
    return this.quality.report(data);
  }
}
