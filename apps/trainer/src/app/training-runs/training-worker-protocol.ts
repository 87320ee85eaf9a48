import type { EpochPoint } from '@mlp/contracts';
import type { TrainingOutcome } from './training-pipeline';

/** Messages from a training worker thread to the service. */
export type WorkerMessage =
  | { type: 'backend'; backend: string; warning?: string }
  | { type: 'progress'; progress: number; point?: EpochPoint }
  | { type: 'done'; outcome: TrainingOutcome; backend: string }
  | { type: 'failed'; message: string; code: string; retryable: boolean };
