import { AdaptiveBatcher } from './adaptive-batcher';

// A "model" whose output identifies the row: 2 outputs per row, (sum, first value * 10).
const model = (matrix: Float32Array, rows: number) => {
  const out = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    out[r * 2] = matrix[r * 3] + matrix[r * 3 + 1] + matrix[r * 3 + 2];
    out[r * 2 + 1] = matrix[r * 3] * 10;
  }
  return out;
};

describe('AdaptiveBatcher', () => {
  it('gives every concurrent caller exactly its own rows back while coalescing them', async () => {
    const sizes: number[] = [];
    const batcher = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 16, maxBatchDelayMs: 2, onBatch: (n) => sizes.push(n) });
    const calls = Array.from({ length: 200 }, (_, i) => {
      const rows = 1 + (i % 3);
      const m = new Float32Array(rows * 3);
      for (let r = 0; r < rows; r++) m.set([i, r, 1], r * 3);
      return Promise.resolve(batcher.run(m, rows)).then((out) => ({ i, rows, out: Array.from(out) }));
    });
    for (const { i, rows, out } of await Promise.all(calls)) {
      const expected: number[] = [];
      for (let r = 0; r < rows; r++) expected.push(i + r + 1, i * 10);
      expect(out).toEqual(expected);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(16);
    expect(sizes.length).toBeLessThan(200); // coalesced
    const totalRows = Array.from({ length: 200 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(totalRows);
  });

  it('runs each request alone when the delay is 0', async () => {
    const sizes: number[] = [];
    const batcher = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 16, maxBatchDelayMs: 0, onBatch: (n) => sizes.push(n) });
    await Promise.all([1, 2, 3].map((v) => batcher.run(new Float32Array([v, 0, 0]), 1)));
    expect(sizes).toEqual([1, 1, 1]);
  });

  it('never exceeds the batch size and runs an oversized request on its own', async () => {
    const sizes: number[] = [];
    const batcher = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 4, maxBatchDelayMs: 50, onBatch: (n) => sizes.push(n) });
    const big = batcher.run(new Float32Array(6 * 3), 6);
    const smalls = [3, 3].map(() => batcher.run(new Float32Array(3), 1));
    const three = batcher.run(new Float32Array(9), 3); // 2 queued + 3 > 4: flushes the 2 first
    await Promise.all([big, ...smalls, three]);
    expect(sizes).toEqual([6, 2, 3]);
  });

  it('fails every caller of a batch when the model fails, and keeps serving afterwards', async () => {
    let fail = true;
    const batcher = new AdaptiveBatcher(
      (m, rows) => {
        if (fail) throw new Error('model exploded');
        return model(m, rows);
      },
      { inWidth: 3, outWidth: 2, maxBatchSize: 8, maxBatchDelayMs: 1 },
    );
    const results = await Promise.allSettled([batcher.run(new Float32Array(3), 1), batcher.run(new Float32Array(3), 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(Array.from(await batcher.run(new Float32Array([1, 2, 3]), 1))).toEqual([6, 10]);
  });

  it('refuses a matrix that does not match its row count', () => {
    const batcher = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 8, maxBatchDelayMs: 1 });
    expect(() => batcher.run(new Float32Array(4), 1)).toThrow(/expects 1 x 3/);
  });

  it('answers at once, without a promise, when the request would not wait and the model answers synchronously', async () => {
    const sizes: number[] = [];
    const m = new Float32Array([1, 2, 3]);
    const off = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 16, maxBatchDelayMs: 0, onBatch: (n) => sizes.push(n) });
    const now = off.run(m, 1);
    expect(now).toBeInstanceOf(Float32Array);
    expect(Array.from(now as Float32Array)).toEqual([6, 10]);
    expect(sizes).toEqual([1]); // counted as an executed batch like any other
    expect(off.inFlight).toBe(0);
    const coalescing = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 2, maxBatchDelayMs: 5 });
    const waiting = coalescing.run(m, 1);
    expect(waiting).toBeInstanceOf(Promise); // it waits for company
    expect(coalescing.run(new Float32Array(6), 2)).toBeInstanceOf(Float32Array); // a full batch runs alone at once
    expect(Array.from(await waiting)).toEqual([6, 10]);
    const slow = new AdaptiveBatcher(async (x, rows) => model(x, rows), { inWidth: 3, outWidth: 2, maxBatchSize: 16, maxBatchDelayMs: 0 });
    const later = slow.run(m, 1);
    expect(later).toBeInstanceOf(Promise); // an asynchronous model answers later, through the same call
    expect(slow.inFlight).toBe(1);
    expect(Array.from(await later)).toEqual([6, 10]);
    expect(slow.inFlight).toBe(0);
  });

  it('throws at once when a model fails synchronously on the direct path, and counts nothing in flight', () => {
    const batcher = new AdaptiveBatcher(
      () => {
        throw new Error('model exploded');
      },
      { inWidth: 3, outWidth: 2, maxBatchSize: 8, maxBatchDelayMs: 0 },
    );
    expect(() => batcher.run(new Float32Array(3), 1)).toThrow('model exploded');
    expect(batcher.inFlight).toBe(0);
    const wrongWidth = new AdaptiveBatcher((_x, rows) => new Float32Array(rows), { inWidth: 3, outWidth: 2, maxBatchSize: 8, maxBatchDelayMs: 0 });
    expect(() => wrongWidth.run(new Float32Array(3), 1)).toThrow(/answered 1 values for 1 rows x 2/);
  });
});
