import { Worker } from 'node:worker_threads';

// Runs as an eval'd CommonJS worker so the same code works from TypeScript under test and from the
// production build; TF.js is required by absolute path, resolved in the parent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const warn = console.warn;
console.warn = () => undefined; // TF.js greets Node users on stderr once per thread
const tf = require(workerData.tfjsPath);
console.warn = warn;
const ready = (async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  const bytes = Buffer.from(workerData.weightDataBase64, 'base64');
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: workerData.modelTopology,
    weightSpecs: workerData.weightSpecs,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  }));
})();
parentPort.on('message', async ({ id, matrix, rows, inWidth }) => {
  try {
    const model = await ready;
    const out = new Float32Array(tf.tidy(() => model.predict(tf.tensor2d(matrix, [rows, inWidth])).dataSync()));
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

export interface TfjsModelPayload {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightDataBase64: string;
}

/**
 * One worker thread holding its own copy of a TF.js model, for batches heavy enough to hold up the
 * event loop. Inputs and outputs move as transferred buffers; the worker dies with its version.
 */
export class InferenceWorker {
  private readonly worker: Worker;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (out: Float32Array) => void; reject: (err: Error) => void }>();

  constructor(model: TfjsModelPayload) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...model, tfjsPath: require.resolve('@tensorflow/tfjs') } });
    this.worker.unref();
    this.worker.on('message', (m: { id: number; out?: Float32Array; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.out) p.resolve(m.out);
      else p.reject(new Error(`inference worker: ${m.error}`));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', () => this.failAll(new Error('inference worker exited')));
  }

  predict(matrix: Float32Array, rows: number, inWidth: number): Promise<Float32Array> {
    const id = this.next++;
    const copy = new Float32Array(matrix); // the caller's matrix may be a view into a larger batch
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, matrix: copy, rows, inWidth }, [copy.buffer]);
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
