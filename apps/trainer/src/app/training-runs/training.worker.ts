// Worker-thread entry: one training run off the service's event loop. The parent sends the job in
// workerData, gets progress and the outcome as messages, and terminates the thread to cancel.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendPreference } from '../models/backend-preference';
import { initBackend } from '../models/tfjs-backend';
import { runTrainingPipeline, TrainingSpecError, type TrainingJob } from './training-pipeline';
import { HttpTrainingSetSource, TrainingSetError } from './training-set-source';
import type { WorkerMessage } from './training-worker-protocol';

interface WorkerInput {
  job: TrainingJob;
  featureStoreUrl: string;
  featureStoreHeaders: Record<string, string>;
  backend: BackendPreference;
}

const post = (m: WorkerMessage) => parentPort?.postMessage(m);

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  let warning: string | undefined;
  const backend = await initBackend(input.backend, (w) => (warning = w));
  post({ type: 'backend', backend, warning });
  const source = new HttpTrainingSetSource(input.featureStoreUrl, input.featureStoreHeaders);
  const outcome = await runTrainingPipeline(input.job, source, {
    onProgress: (progress, point) => post({ type: 'progress', progress, point }),
  });
  post({ type: 'done', outcome, backend });
}

main().catch((e: unknown) => {
  const retryable = e instanceof TrainingSetError ? e.retryable : !(e instanceof TrainingSpecError);
  const code = e instanceof TrainingSetError || e instanceof TrainingSpecError ? e.code : 'TRAINING_FAILED';
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e), code, retryable });
});
