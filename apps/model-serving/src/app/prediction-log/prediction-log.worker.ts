// Worker-thread entry: the prediction log's consumer side. The service writes each prediction as a
// frame into a shared ring (see PredictionFrameWriter, RecordRing); this thread writes each frame's
// JSON line, drains them into the bounded buffer, spills, sets refused batches aside and sends
// batches to the warehouse, so none of that work (nor the garbage of thousands of strings) lands
// on the thread that answers requests.
import { IngestPredictionLogLinesMessage } from '@mlp/contracts';
import { ServiceClient } from '@mlp/service-kit/transport';
import { parentPort, workerData } from 'node:worker_threads';
import { PredictionFrameReader } from './prediction-frame';
import { PredictionLogPipeline } from './prediction-log-pipeline';
import type { PredictionLogRequest, PredictionLogWorkerData, PredictionLogWorkerMessage } from './prediction-log-protocol';
import { RecordRing } from './record-ring';

const post = (m: PredictionLogWorkerMessage) => parentPort?.postMessage(m);

function main(): void {
  const input = workerData as PredictionLogWorkerData;
  const client = new ServiceClient(input.peer, input.caller, input.transport);
  const pipeline = new PredictionLogPipeline(
    new RecordRing(input.ring),
    input.options,
    new PredictionFrameReader(input.processId, input.definitions).decode,
    (lines) => client.send(IngestPredictionLogLinesMessage, { lines }, 15000),
    (snapshot) => post({ type: 'snapshot', snapshot }),
  );
  pipeline.start();

  const answer = async (request: PredictionLogRequest): Promise<PredictionLogWorkerMessage> => {
    switch (request.type) {
      case 'snapshot':
        pipeline.drain();
        return { type: 'snapshot', id: request.id, snapshot: pipeline.snapshot() };
      case 'close': {
        const { unsent, persisted, snapshot } = await pipeline.close();
        await client.close().catch(() => undefined);
        return { type: 'closed', id: request.id, unsent, persisted, snapshot };
      }
    }
  };
  parentPort?.on('message', (request: PredictionLogRequest) => {
    answer(request).then(post, (err: unknown) => post({ type: 'failed', id: request.id, error: err instanceof Error ? err.message : String(err) }));
  });
}

main();
