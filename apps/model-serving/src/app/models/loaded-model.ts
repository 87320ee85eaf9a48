import { ModelArtifact, type ModelVersionWithArtifact } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { AdaptiveBatcher } from '../batching/adaptive-batcher';
import { argmaxOf, checkPreprocessing, loadPredictor, preprocessColumns, signatureProblem, type Predictor } from '@mlp/model-runtime';
import { InferenceWorker, type TfjsModelPayload } from './inference-worker';

export const CORRUPT_ARTIFACT = 'CORRUPT_ARTIFACT';

const corrupt = (message: string, details: Array<{ path?: string; message: string }> = []) =>
  new PlatformError(422, CORRUPT_ARTIFACT, message, details.map((d) => ({ ...d, code: CORRUPT_ARTIFACT })));

let backendReady: Promise<void> | undefined;
/** TF.js on its pure-JS cpu backend: no native binary to download, same numbers everywhere. */
export function tfReady(): Promise<void> {
  backendReady ??= (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return backendReady;
}

/** Width of a tensor spec's row (product of the non-batch dimensions). */
export const rowWidth = (shape: number[]): number => shape.slice(1).reduce((a, b) => a * Math.max(b, 1), 1);

/**
 * The outputs the model itself computes per row: every numeric output of the signature. A BYTES
 * output (a multiclass model's `label`) is derived from them by serving, not computed by the model.
 */
export const modelOutputWidth = (artifact: Pick<ModelArtifact, 'signature'>): number =>
  artifact.signature.outputs.reduce((w, o) => (o.datatype === 'BYTES' ? w : w + rowWidth(o.shape)), 0);

/** Why an artifact's classes and outputs do not fit its task (undefined when they do). */
function classesProblem(artifact: ModelArtifact): string | undefined {
  const { classes, signature } = artifact;
  if (artifact.task !== 'multiclass_classification') {
    if (classes) return 'only a multiclass model has classes';
    return signature.outputs.some((o) => o.datatype === 'BYTES') ? 'only a multiclass model answers a BYTES output (its label)' : undefined;
  }
  if (!classes || new Set(classes).size !== classes.length) return 'a multiclass model needs its distinct classes';
  const [probabilities, label, ...rest] = signature.outputs;
  if (rest.length || probabilities?.datatype === 'BYTES' || rowWidth(probabilities?.shape ?? []) !== classes.length) return `a multiclass model answers one probability per class (${classes.length}) first`;
  if (label && (label.datatype !== 'BYTES' || label.shape.length !== 1)) return 'the second output of a multiclass model is its label (BYTES, [-1])';
  return undefined;
}

/**
 * Checks a registry answer before anything is loaded: the sha256 over the canonical artifact JSON,
 * the artifact against its contract, that its inputs are its raw features (the only reading of a
 * request), and that preprocessing, signature and model agree on widths.
 */
export function verifyArtifact(mv: ModelVersionWithArtifact): ModelArtifact {
  const digest = createHash('sha256').update(mv.artifactJson).digest('hex');
  if (digest !== mv.sha256) throw corrupt(`artifact of ${mv.model} v${mv.version} fails its sha256 check`, [{ message: `expected ${mv.sha256}, got ${digest}` }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(mv.artifactJson);
  } catch (err) {
    throw corrupt(`artifact of ${mv.model} v${mv.version} is not JSON`, [{ message: String(err) }]);
  }
  const checked = ModelArtifact.validate(parsed);
  if (!checked.ok) throw corrupt(`artifact of ${mv.model} v${mv.version} does not match mlp-model/v1`, checked.violations);
  const artifact = checked.value;
  const widthProblem = checkPreprocessing(artifact.preprocessing);
  if (widthProblem) throw corrupt(widthProblem);
  const inputProblem = signatureProblem(artifact) ?? classesProblem(artifact);
  if (inputProblem) throw corrupt(`artifact of ${mv.model} v${mv.version}: ${inputProblem}`);
  for (const spec of [...artifact.signature.inputs, ...artifact.signature.outputs]) {
    if (spec.shape.length === 0 || spec.shape.slice(1).some((d) => d < 1)) throw corrupt(`tensor ${spec.name} needs a batch dimension and fixed row dimensions`);
  }
  return artifact;
}

export type ModelArm = 'champion' | 'challenger' | 'pinned';

const SLICE_ROWS = 512;

export interface LoadOptions {
  maxBatchSize: number;
  maxBatchDelayMs: number;
  /** Batches of at least this many rows of a TF.js model off the Dense fast path run on a worker thread; 0 = never. */
  workerMinRows?: number;
}

/**
 * One model version in memory: its predictor, its own batcher, and a count of requests using it so
 * that a swapped-out version is disposed only after its last in-flight request finished.
 */
export class LoadedModel {
  private inflight = 0;
  private retired = false;
  private disposed = false;
  readonly loadedAt = new Date();
  readonly batcher: AdaptiveBatcher;
  private worker?: InferenceWorker;
  /** Set for TF.js models that may use a worker thread for heavy batches. */
  private offload?: { payload: TfjsModelPayload; minRows: number };
  /** Batches that ran on the worker thread. */
  workerBatches = 0;
  /** The `{model, version}` labels of this version's metrics, built once rather than per request. */
  get metricLabels(): { model: string; version: string } {
    return (this.labels ??= { model: this.name, version: String(this.version) });
  }
  private labels?: { model: string; version: string };
  /** The raw features the model takes, in order (the columns of its model rows). */
  readonly featureNames: readonly string[];

  private constructor(
    readonly name: string,
    readonly version: number,
    readonly sha256: string,
    readonly artifact: ModelArtifact,
    readonly outWidth: number,
    private readonly model: Predictor,
    batching = { maxBatchSize: 32, maxBatchDelayMs: 1 },
    onBatch?: (rows: number) => void,
  ) {
    this.featureNames = artifact.preprocessing.features.map((t) => t.name);
    this.batcher = new AdaptiveBatcher((m, rows) => this.execute(m, rows), {
      inWidth: artifact.preprocessing.outputWidth,
      outWidth,
      ...batching,
      onBatch,
    });
  }

  /** How this version computes (`dense-js`, `tfjs`, `linear`): its kind's predictor. */
  get engine(): string {
    return this.model.engine;
  }

  get inWidth(): number {
    return this.artifact.preprocessing.outputWidth;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Verifies, loads and warms up a version; throws CORRUPT_ARTIFACT (422) for anything unusable. */
  static async load(mv: ModelVersionWithArtifact, options?: LoadOptions, onBatch?: (rows: number) => void): Promise<LoadedModel> {
    const batching = options ? { maxBatchSize: options.maxBatchSize, maxBatchDelayMs: options.maxBatchDelayMs } : undefined;
    const artifact = verifyArtifact(mv);
    const outWidth = modelOutputWidth(artifact);
    await tfReady();
    let predictor: Predictor;
    try {
      predictor = await loadPredictor(artifact);
    } catch (err) {
      throw corrupt(`${mv.model} v${mv.version} could not be loaded`, [{ message: String((err as Error)?.message ?? err) }]);
    }
    if (predictor.outWidth !== outWidth) {
      predictor.dispose();
      throw corrupt(`${mv.model} v${mv.version}: the model answers ${predictor.outWidth} values per row but its signature declares ${outWidth}`);
    }
    const model = new LoadedModel(mv.model, mv.version, mv.sha256, artifact, outWidth, predictor, batching, onBatch);
    if (predictor.engine === 'tfjs' && artifact.model.kind === 'tfjs-layers' && (options?.workerMinRows ?? 0) > 0) {
      const { modelTopology, weightSpecs, weightDataBase64 } = artifact.model;
      model.offload = { payload: { modelTopology, weightSpecs, weightDataBase64 }, minRows: options?.workerMinRows as number };
    }
    model.warmUp();
    return model;
  }

  /**
   * Runs two rows through the model once: the first real request does not pay for lazy setup, and a
   * model giving nothing usable is refused. The rows are the preprocessing's own (every feature
   * missing: the training fill values), not zeros: a model over raw values (a rule `r / g`) need
   * not answer a number for an all-zero row no client could send.
   */
  private warmUp(): void {
    const missing = this.artifact.preprocessing.features.map(() => [null, null]);
    const out = this.model.predict(preprocessColumns(this.artifact.preprocessing, missing, 2), 2);
    if (out.length !== 2 * this.outWidth || !Array.from(out).every(Number.isFinite)) {
      this.dispose();
      throw corrupt(`${this.name} v${this.version} answers ${out.length} values (or non-finite ones) for 2 rows x ${this.outWidth} outputs`);
    }
  }

  /**
   * Runs one batch: at once on this thread when it is small enough (synchronously: the answer is
   * not a promise), on the worker thread when it is heavy for a TF.js model off the Dense fast path,
   * and otherwise in slices with a turn of the event loop between them, so one big request (or
   * batch job chunk) does not hold up the small ones queued behind it for its whole duration.
   */
  private execute(matrix: Float32Array, rows: number): Float32Array | Promise<Float32Array> {
    if (this.offload && rows >= this.offload.minRows && !this.disposed) {
      this.worker ??= new InferenceWorker(this.offload.payload);
      this.workerBatches++;
      return this.worker.predict(matrix, rows, this.inWidth);
    }
    if (rows <= SLICE_ROWS) return this.model.predict(matrix, rows);
    return this.predictInSlices(matrix, rows);
  }

  private async predictInSlices(matrix: Float32Array, rows: number): Promise<Float32Array> {
    const out = new Float32Array(rows * this.outWidth);
    for (let start = 0; start < rows; start += SLICE_ROWS) {
      const n = Math.min(SLICE_ROWS, rows - start);
      out.set(this.model.predict(matrix.subarray(start * this.inWidth, (start + n) * this.inWidth), n), start * this.outWidth);
      if (start + n < rows) await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  }

  /**
   * Each row's answer as one number, as the prediction log and batch scores record it (row r at
   * `r * (length / rows)`): the model's output for single-output models; for a multiclass model the
   * index of the most probable class in `artifact.classes` (the `label` V2 answers).
   */
  rowAnswers(out: Float32Array, rows: number): Float32Array {
    if (!this.artifact.classes) return out;
    const answers = new Float32Array(rows);
    for (let r = 0; r < rows; r++) answers[r] = argmaxOf(out, r, this.outWidth);
    return answers;
  }

  /** Marks a request as using this version; returns false once it has been disposed. */
  acquire(): boolean {
    if (this.disposed) return false;
    this.inflight++;
    return true;
  }

  release(): void {
    this.inflight--;
    if (this.retired && this.inflight === 0) this.dispose();
  }

  /** Swapped out: free memory as soon as the last in-flight request is done. */
  retire(): void {
    this.retired = true;
    if (this.inflight === 0 && this.batcher.queueSize === 0 && this.batcher.inFlight === 0) this.dispose();
  }

  get inFlightRequests(): number {
    return this.inflight;
  }

  /**
   * The model's answer for `rows` rows, through this version's batcher: synchronously when the batch
   * runs at once on this thread (no coalescing wait, no worker thread, no slicing), else a promise.
   * The caller holds the version (`acquire`) until the answer is in.
   */
  predict(matrix: Float32Array, rows: number): Float32Array | Promise<Float32Array> {
    return this.batcher.run(matrix, rows);
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
