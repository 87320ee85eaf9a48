import { Injectable } from '@nestjs/common';
import { BoundHistogram, MetricsService } from '@mlp/service-kit';
import { Counter, Gauge } from 'prom-client';

type ModelLabels = 'model' | 'version';

/** The KServe-style inference metrics, by model name and version. */
@Injectable()
export class ServingMetrics {
  readonly success: Counter<ModelLabels>;
  readonly failure: Counter<ModelLabels | 'code'>;
  readonly duration: BoundHistogram<ModelLabels>;
  readonly batchSize: BoundHistogram<ModelLabels>;
  readonly queueSize: Gauge<ModelLabels>;
  readonly loads: Counter<'model' | 'outcome'>;
  readonly psi: Gauge<ModelLabels | 'feature'>;
  readonly logPending: Gauge<'where'>;
  readonly logRecords: Counter<'outcome'>;
  readonly liveAuc: Gauge<ModelLabels | 'arm'>;
  readonly liveLogLoss: Gauge<ModelLabels | 'arm'>;
  readonly liveBrier: Gauge<ModelLabels | 'arm'>;
  readonly livePositiveRate: Gauge<ModelLabels | 'arm'>;
  readonly liveRmse: Gauge<ModelLabels | 'arm'>;
  readonly liveMae: Gauge<ModelLabels | 'arm'>;
  readonly liveLabelled: Gauge<ModelLabels | 'arm'>;
  readonly liveRefreshed: Gauge<'model'>;
  private readonly successCells = new Set<{ labels: Record<ModelLabels, string>; pending: number }>();

  /**
   * A counter of answered requests bound to one model version: the hot path adds 1 to a number, and
   * the counter takes the sum when it is read (a scrape), instead of hashing the label set per answer.
   */
  countSuccess(labels: Record<ModelLabels, string>): () => void {
    const cell = { labels, pending: 0 };
    this.successCells.add(cell);
    return () => {
      cell.pending++;
    };
  }

  /** Filled by the model store: current queue sizes per loaded version. */
  queueSource: () => Array<{ model: string; version: number; rows: number }> = () => [];

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    const successCells = this.successCells;
    this.success = new Counter({
      name: 'model_infer_request_success_total',
      help: 'Inference requests answered',
      labelNames: ['model', 'version'],
      registers,
      // Answers counted on the hot path (see countSuccess) are added when the counter is read.
      collect() {
        for (const cell of successCells) {
          if (cell.pending === 0) continue;
          this.inc(cell.labels, cell.pending);
          cell.pending = 0;
        }
      },
    });
    this.failure = new Counter({ name: 'model_infer_request_failure_total', help: 'Inference requests that failed (client or server)', labelNames: ['model', 'version', 'code'], registers });
    // Observed on every request / batch: bound per model version (see BoundHistogram in @mlp/service-kit).
    this.duration = new BoundHistogram(
      'model_infer_duration_seconds',
      'Inference time from parsed request to answer (queueing + model)',
      ['model', 'version'],
      [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    );
    this.batchSize = new BoundHistogram('model_infer_batch_size', 'Rows per executed model batch', ['model', 'version'], [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096], registers);
    const source = () => this.queueSource();
    this.queueSize = new Gauge({
      name: 'model_infer_queue_size',
      help: 'Rows waiting in the adaptive batcher',
      labelNames: ['model', 'version'],
      registers,
      collect() {
        this.reset();
        for (const q of source()) this.set({ model: q.model, version: String(q.version) }, q.rows);
      },
    });
    this.loads = new Counter({ name: 'model_load_total', help: 'Model version loads by outcome (loaded, refused)', labelNames: ['model', 'outcome'], registers });
    this.psi = new Gauge({ name: 'model_feature_psi', help: 'Population stability index of live inputs vs the training baseline', labelNames: ['model', 'version', 'feature'], registers });
    this.logPending = new Gauge({ name: 'prediction_log_pending', help: 'Prediction log records not yet in the warehouse', labelNames: ['where'], registers });
    this.logRecords = new Counter({ name: 'prediction_log_records_total', help: 'Prediction log records by outcome (sent, spilled, refused: back pressure, rejected: refused by the warehouse and set aside)', labelNames: ['outcome'], registers });
    const live = (name: string, help: string) => new Gauge({ name, help: `${help} over LIVE_QUALITY_WINDOW_HOURS (from the warehouse)`, labelNames: ['model', 'version', 'arm'], registers });
    this.liveAuc = live('model_live_auc', 'AUC of labelled predictions');
    this.liveLogLoss = live('model_live_log_loss', 'Log loss of labelled predictions');
    this.liveBrier = live('model_live_brier', 'Brier score of labelled predictions');
    this.livePositiveRate = live('model_live_positive_rate', 'Observed positive rate of labelled predictions');
    this.liveRmse = live('model_live_rmse', 'Root mean squared error of the score against the label (any label kind)');
    this.liveMae = live('model_live_mae', 'Mean absolute error of the score against the label (any label kind)');
    this.liveLabelled = live('model_live_labelled_predictions', 'Predictions with a known outcome');
    this.liveRefreshed = new Gauge({ name: 'model_live_quality_refreshed_timestamp_seconds', help: 'When the live quality gauges of a model were last refreshed', labelNames: ['model'], registers });
  }
}
