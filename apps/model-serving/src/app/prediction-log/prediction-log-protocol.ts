import type { ClientConfig } from '@mlp/service-kit/transport';
import path from 'node:path';
import type { OverflowMode } from './prediction-log-buffer';
import type { PredictionLogPipelineOptions, PredictionLogSnapshot } from './prediction-log-pipeline';

/** The prediction log's settings, from the service's environment. */
export function predictionLogOptions(env: Record<string, unknown>): PredictionLogPipelineOptions & { ringBytes: number } {
  return {
    capacity: env['PREDICTION_LOG_CAPACITY'] as number,
    overflow: env['PREDICTION_LOG_OVERFLOW'] as OverflowMode,
    spillDir: path.resolve(env['PREDICTION_LOG_SPILL_DIR'] as string),
    batchSize: env['PREDICTION_LOG_BATCH'] as number,
    flushMs: env['PREDICTION_LOG_FLUSH_MS'] as number,
    drainMs: 10,
    reportMs: 250,
    ringBytes: (env['PREDICTION_LOG_RING_MB'] as number) * 1024 * 1024,
  };
}

/** What the prediction log's worker thread starts with. */
export interface PredictionLogWorkerData {
  ring: SharedArrayBuffer;
  /** The prefix of prediction ids, and the frame definitions written before the worker started. */
  processId: string;
  definitions: Array<[number, string]>;
  options: PredictionLogPipelineOptions;
  /** What the worker needs to reach the warehouse (no tokens, no database URL). */
  transport: ClientConfig;
  caller: string;
  peer: string;
}

/** Requests of the service to its worker; each is answered with the same `id`. */
export type PredictionLogRequest = { id: number; type: 'snapshot' } | { id: number; type: 'close' };

/** The worker's messages: answers, and the pipeline's reports after flushes (see `reportMs`). */
export type PredictionLogWorkerMessage =
  | { type: 'snapshot'; id?: number; snapshot: PredictionLogSnapshot }
  | { type: 'closed'; id: number; unsent: number; persisted: number; snapshot: PredictionLogSnapshot }
  | { type: 'failed'; id?: number; error: string };
