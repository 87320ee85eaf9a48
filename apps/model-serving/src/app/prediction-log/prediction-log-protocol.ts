import type { ClientConfig } from '@mlp/service-kit/transport';
import type { PredictionLogPipelineOptions, PredictionLogSnapshot } from './prediction-log-pipeline';

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
