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
      return batcher.run(m, rows).then((out) => ({ i, rows, out: Array.from(out) }));
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

  it('refuses a matrix that does not match its row count', async () => {
    const batcher = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 8, maxBatchDelayMs: 1 });
    await expect(batcher.run(new Float32Array(4), 1)).rejects.toThrow(/expects 1 x 3/);
  });

  it('answers at once, without a promise, only when the request would not be coalesced anyway', async () => {
    const sizes: number[] = [];
    const m = new Float32Array([1, 2, 3]);
    const off = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 16, maxBatchDelayMs: 0, onBatch: (n) => sizes.push(n) });
    expect(Array.from(off.runNow(m, 1, model) as Float32Array)).toEqual(Array.from(await off.run(m, 1)));
    expect(sizes).toEqual([1, 1]); // both counted as executed batches
    const coalescing = new AdaptiveBatcher(model, { inWidth: 3, outWidth: 2, maxBatchSize: 2, maxBatchDelayMs: 5 });
    expect(coalescing.runNow(m, 1, model)).toBeUndefined(); // it would wait for company: queue instead
    expect(coalescing.runNow(new Float32Array(6), 2, model)).toHaveLength(4); // a full batch runs alone anyway
    expect(() => off.runNow(new Float32Array(4), 1, model)).toThrow(/expects 1 x 3/);
  });
});
