import { Injectable } from '@nestjs/common';
import { MetricsService } from '@mlp/service-kit';
import { Counter, Gauge, Histogram } from 'prom-client';

type ModelLabels = 'model' | 'version';

/** The KServe-style inference metrics, by model name and version. */
@Injectable()
export class ServingMetrics {
  readonly success: Counter<ModelLabels>;
  readonly failure: Counter<ModelLabels | 'code'>;
  readonly duration: Histogram<ModelLabels>;
  readonly batchSize: Histogram<ModelLabels>;
  readonly queueSize: Gauge<ModelLabels>;
  readonly loads: Counter<'model' | 'outcome'>;
  readonly psi: Gauge<ModelLabels | 'feature'>;
  readonly logPending: Gauge<'where'>;
  readonly logRecords: Counter<'outcome'>;
  /** Filled by the model store: current queue sizes per loaded version. */
  queueSource: () => Array<{ model: string; version: number; rows: number }> = () => [];

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.success = new Counter({ name: 'model_infer_request_success_total', help: 'Inference requests answered', labelNames: ['model', 'version'], registers });
    this.failure = new Counter({ name: 'model_infer_request_failure_total', help: 'Inference requests that failed (client or server)', labelNames: ['model', 'version', 'code'], registers });
    this.duration = new Histogram({
      name: 'model_infer_duration_seconds',
      help: 'Inference time from parsed request to answer (queueing + model)',
      labelNames: ['model', 'version'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.batchSize = new Histogram({ name: 'model_infer_batch_size', help: 'Rows per executed model batch', labelNames: ['model', 'version'], buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096], registers });
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
    this.logRecords = new Counter({ name: 'prediction_log_records_total', help: 'Prediction log records by outcome (sent, spilled, refused)', labelNames: ['outcome'], registers });
  }
}
