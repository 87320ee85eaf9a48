/** Runs a model on `rows` rows of `inWidth` values; answers `rows * outWidth` values. */
export type BatchExecutor = (matrix: Float32Array, rows: number) => Float32Array | Promise<Float32Array>;

export interface BatcherOptions {
  inWidth: number;
  outWidth: number;
  maxBatchSize: number;
  /** How long the first request of a batch waits for others; 0 turns coalescing off. */
  maxBatchDelayMs: number;
  /** Called with the rows of every executed batch (for the batch-size histogram). */
  onBatch?: (rows: number) => void;
}

interface Pending {
  matrix: Float32Array;
  rows: number;
  resolve: (out: Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Coalesces concurrent requests for one model into batches of up to `maxBatchSize` rows, waiting
 * at most `maxBatchDelayMs` after the first one. Each caller gets back exactly its own rows (slices
 * of the batch output, in order). A request larger than the batch size runs on its own.
 */
export class AdaptiveBatcher {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private timer?: NodeJS.Timeout;
  private running = 0;

  constructor(
    private readonly execute: BatchExecutor,
    private options: BatcherOptions,
  ) {}

  /** Rows waiting for a batch. */
  get queueSize(): number {
    return this.queuedRows;
  }

  /** Batches executing right now. */
  get inFlight(): number {
    return this.running;
  }

  configure(next: Pick<BatcherOptions, 'maxBatchSize' | 'maxBatchDelayMs'>): void {
    this.options = { ...this.options, ...next };
    if (this.queue.length) this.flush();
  }

  /**
   * Answers a request's rows. When it would not wait for company (coalescing off, or the request
   * alone fills a batch) it runs at once, and with a synchronous executor the answer comes back
   * synchronously: no promise on that path. Otherwise it joins the queue and the answer is a promise.
   */
  run(matrix: Float32Array, rows: number): Float32Array | Promise<Float32Array> {
    if (matrix.length !== rows * this.options.inWidth) throw new Error(`batcher expects ${rows} x ${this.options.inWidth} values, got ${matrix.length}`);
    const { maxBatchSize, maxBatchDelayMs } = this.options;
    if (maxBatchDelayMs <= 0 || rows >= maxBatchSize) {
      const outs = this.runBatch([{ matrix, rows }]);
      return outs instanceof Promise ? outs.then((o) => o[0]) : outs[0];
    }
    return new Promise<Float32Array>((resolve, reject) => {
      if (this.queuedRows + rows > maxBatchSize) this.flush();
      this.queue.push({ matrix, rows, resolve, reject });
      this.queuedRows += rows;
      if (this.queuedRows >= maxBatchSize) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), maxBatchDelayMs);
    });
  }

  /** Executes whatever is queued now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.queuedRows = 0;
    const answer = (outs: Float32Array[]) => batch.forEach((p, i) => p.resolve(outs[i]));
    const fail = (err: unknown) => batch.forEach((p) => p.reject(err));
    try {
      const outs = this.runBatch(batch);
      if (outs instanceof Promise) outs.then(answer, fail);
      else answer(outs);
    } catch (err) {
      fail(err);
    }
  }

  /** Executes parts as one batch; synchronously when the executor is. */
  private runBatch(parts: Array<Pick<Pending, 'matrix' | 'rows'>>): Float32Array[] | Promise<Float32Array[]> {
    const { inWidth } = this.options;
    const rows = parts.reduce((n, p) => n + p.rows, 0);
    let matrix: Float32Array;
    if (parts.length === 1) matrix = parts[0].matrix;
    else {
      matrix = new Float32Array(rows * inWidth);
      let offset = 0;
      for (const p of parts) {
        matrix.set(p.matrix, offset);
        offset += p.matrix.length;
      }
    }
    this.options.onBatch?.(rows);
    this.running++;
    let out: Float32Array | Promise<Float32Array>;
    try {
      out = this.execute(matrix, rows);
    } catch (err) {
      this.running--;
      throw err;
    }
    if (!(out instanceof Promise)) {
      this.running--;
      return this.split(parts, rows, out);
    }
    return out.then(
      (o) => {
        this.running--;
        return this.split(parts, rows, o);
      },
      (err: unknown) => {
        this.running--;
        throw err;
      },
    );
  }

  /** Each part's own rows of the batch's answer. */
  private split(parts: Array<Pick<Pending, 'rows'>>, rows: number, out: Float32Array): Float32Array[] {
    const { outWidth } = this.options;
    if (out.length !== rows * outWidth) throw new Error(`model answered ${out.length} values for ${rows} rows x ${outWidth}`);
    if (parts.length === 1) return [out]; // the predictor's output is fresh: no copy needed
    const slices: Float32Array[] = [];
    let offset = 0;
    for (const p of parts) {
      slices.push(out.slice(offset, offset + p.rows * outWidth));
      offset += p.rows * outWidth;
    }
    return slices;
  }
}
