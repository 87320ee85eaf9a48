import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { Type } from '@sinclair/typebox';
import { migrations } from './migrations';

/** Model-serving's own configuration, validated at start with the common variables. */
export const servingEnv = {
  // Inference payloads are larger than the platform default (1 MiB); the infer parser still bounds elements and rows.
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 8388608 }),
  MODEL_RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 100, default: 30000, description: 'How often aliases are compared with the registry (in case an event was missed)' }),
  MAX_INFER_ROWS: Type.Integer({ minimum: 1, default: 10000, description: 'Rows per inference request at most (413 above)' }),
  MAX_INFER_ELEMENTS: Type.Integer({ minimum: 1, default: 1000000, description: 'Tensor elements per inference request at most (413 above)' }),
  DEFAULT_MAX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 4096, default: 64 }),
  DEFAULT_MAX_BATCH_DELAY_MS: Type.Number({ minimum: 0, maximum: 100, default: 0, description: 'Adaptive batching delay for models without a policy; 0 = off' }),
  INFERENCE_WORKER_MIN_ROWS: Type.Integer({
    minimum: 0,
    default: 1024,
    description: 'Batches of this many rows or more of TF.js models off the Dense fast path run on a worker thread; 0 = never',
  }),
  PREDICTION_LOG_CAPACITY: Type.Integer({ minimum: 1, default: 100000, description: 'Prediction log records held in memory' }),
  PREDICTION_LOG_OVERFLOW: Type.Union([Type.Literal('spill'), Type.Literal('backpressure')], { default: 'spill', description: 'When memory is full: spill to disk, or refuse predictions (503)' }),
  PREDICTION_LOG_SPILL_DIR: Type.String({ default: '.data/model-serving/prediction-log' }),
  PREDICTION_LOG_WORKER: Type.Boolean({
    default: true,
    description: 'Buffer, spill and send the prediction log on a worker thread (the request path only copies each line into a shared ring); false runs it on the main thread',
  }),
  PREDICTION_LOG_RING_MB: Type.Integer({ minimum: 1, maximum: 1024, default: 16, description: 'Shared memory between predictions and the prediction log worker (about 50,000 records per 16 MB)' }),
  // 250 records (~80 KB) per send: the send's synchronous work (contract check, serialisation) stays
  // well under a millisecond, so a flush never holds up the log's thread for long.
  PREDICTION_LOG_BATCH: Type.Integer({ minimum: 1, maximum: 5000, default: 250 }),
  PREDICTION_LOG_FLUSH_MS: Type.Integer({ minimum: 10, default: 1000 }),
  FEATURE_STORE_URL: Type.String({ default: 'http://127.0.0.1:3002', description: 'Feature store HTTP base URL (statistics for drift baselines)' }),
  FEATURE_STORE_TOKEN: Type.Optional(Type.String({ description: 'Bearer token with features:read for the feature store, when it requires tokens' })),
  DRIFT_WINDOW: Type.Integer({ minimum: 10, default: 5000, description: 'Observations per feature in the PSI sliding window' }),
  DRIFT_MIN_OBSERVATIONS: Type.Integer({ minimum: 1, default: 500 }),
  DRIFT_WARN_PSI: Type.Number({ minimum: 0, default: 0.1 }),
  DRIFT_ALERT_PSI: Type.Number({ minimum: 0, default: 0.25 }),
  DRIFT_CHECK_INTERVAL_MS: Type.Integer({ minimum: 50, default: 10000 }),
  BATCH_POLL_MS: Type.Integer({ minimum: 50, default: 2000, description: 'How often idle replicas look for due batch jobs' }),
  BATCH_RETRY_MS: Type.Integer({ minimum: 10, default: 5000, description: 'Delay before a batch job interrupted by an outage resumes from its cursor' }),
  LIVE_QUALITY_WINDOW_HOURS: Type.Integer({ minimum: 1, maximum: 8784, default: 720, description: 'Default window of GET /v1/models/{m}/live-quality and of the model_live_* gauges' }),
  LIVE_QUALITY_REFRESH_MS: Type.Integer({ minimum: 0, default: 300000, description: 'How often the model_live_* gauges are refreshed from the warehouse; 0 = never' }),
  TRAFFIC_STATS_FLUSH_MS: Type.Integer({ minimum: 100, default: 10000, description: 'How often each replica writes its per-minute request counts and latency histograms (GET /v1/models/{m}/traffic-stats)' }),
  TRAFFIC_STATS_RETENTION_HOURS: Type.Integer({ minimum: 1, default: 720, description: 'Per-minute traffic statistics older than this are deleted' }),
  DRIFT_ALERT_COOLDOWN_MS: Type.Integer({ minimum: 0, default: 3600000, description: 'At most one drift event per model version in this period' }),
};

export const service: ServiceDefinition = {
  name: ServiceName.MODEL_SERVING,
  version: process.env['SERVICE_VERSION'] ?? '0.1.0',
  description: 'Real-time predictions (Open Inference Protocol), batch scoring, prediction logging and drift',
  schema: 'serving',
  httpPort: 3004,
  tcpPort: 4004,
  migrations,
  info: InfoMessages[ServiceName.MODEL_SERVING],
  peers: [{ name: ServiceName.FEATURE_STORE, info: InfoMessages[ServiceName.FEATURE_STORE] }, { name: ServiceName.TRAINER, info: InfoMessages[ServiceName.TRAINER] }, { name: ServiceName.DWH_INGEST, info: InfoMessages[ServiceName.DWH_INGEST] }],
  env: servingEnv,
};
