import { startWorkerThread } from '@mlp/runtime';
import type { WorkerMessage } from './training-worker-protocol';

/** Starts the training worker thread (`training.worker`), built or from TypeScript sources under Jest. */
export function startTrainingWorker(workerData: unknown, onMessage: (m: WorkerMessage) => void): { done: Promise<number>; terminate(): Promise<number> } {
  const worker = startWorkerThread(__dirname, 'training.worker', { workerData });
  worker.on('message', onMessage);
  const done = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', resolve);
  });
  return { done, terminate: () => worker.terminate() };
}
