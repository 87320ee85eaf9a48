import { seededRandom } from '../seeded-random';
import { bestSplit, binColumns, binOf, float32Above, growTree, MAX_BINS } from './histogram-cart';

/** Weighted Gini impurity n·2p(1−p) of `ones` class-1 rows among `n`, by its definition. */
const gini = (ones: number, n: number) => (n ? n * 2 * (ones / n) * (1 - ones / n) : 0);

/** Evaluates one preorder tree recursively on a raw row (left when x < threshold); the leaf's index and value. */
function walk(feature: number[], value: number[], row: ArrayLike<number>): { leaf: number; value: number } {
  // Index of the node after the subtree starting at i.
  const skip = (i: number): number => (feature[i] < 0 ? i + 1 : skip(skip(i + 1)));
  let i = 0;
  while (feature[i] >= 0) i = row[feature[i]] < value[i] ? i + 1 : skip(i + 1);
  return { leaf: i, value: value[i] };
}

describe('histogram CART', () => {
  it('finds the hand-computed best split: six rows, Gini decrease 4/3 at x <= 3, leaves 1/3 and 1', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const y = [0, 1, 0, 1, 1, 1];
    // Weighted Gini of the root: 6·2·(4/6)(2/6) = 8/3. Left of x<=1: 0 + 5·2·(4/5)(1/5) = 1.6;
    // x<=2: 1 + 1.5 = 2.5; x<=3: 4/3 + 0; x<=4: 2 + 0; x<=5: 2.4 + 0. Best: x <= 3, decrease 8/3 − 4/3.
    const binned = binColumns(x, 6, 1);
    expect(Array.from(binned.edges[0])).toEqual([1, 2, 3, 4, 5]);
    const count = new Float64Array(6).fill(1);
    const sum = Float64Array.from(y);
    const split = bestSplit(count, sum, 6);
    expect(split?.bin).toBe(2);
    // The squared-error reduction is half the Gini decrease for 0/1 labels.
    expect(split?.gain).toBeCloseTo((gini(4, 6) - gini(1, 3) - gini(3, 3)) / 2, 12);
    expect(gini(4, 6) - gini(1, 3) - gini(3, 3)).toBeCloseTo(4 / 3, 12);

    const out = { feature: [] as number[], value: [] as number[] };
    growTree(binned, y, Int32Array.from([0, 1, 2, 3, 4, 5]), [0], { maxDepth: 1, minSamplesSplit: 2 }, out);
    expect(out.feature).toEqual([0, -1, -1]);
    // The threshold is the smallest float32 above 3 (ulp 2^-22 in [2, 4)); left 1/3 as float32, right 1.
    expect(out.value).toEqual([3 + 2 ** -22, Math.fround(1 / 3), 1]);
  });

  it('routes raw float32 values by the stored thresholds exactly as their bins: x < threshold[k] iff bin(x) <= k', () => {
    const random = seededRandom(31);
    const wrong: number[][] = [];
    for (const [rows, spread] of [
      [5000, 1],
      [3000, 1e-6],
      [2000, 1e6],
      [500, 1],
    ] as const) {
      // Mixed: continuous values, repeated values and both signs around 0, so quantile and distinct-value bins both occur.
      const x = new Float32Array(rows * 2).map((_, i) => (i % 2 ? Math.round(random() * 20) - 10 : (random() - 0.5) * spread));
      const binned = binColumns(x, rows, 2);
      for (let c = 0; c < 2; c++) {
        const { edges, thresholds } = { edges: binned.edges[c], thresholds: binned.thresholds[c] };
        expect(edges.length + 1).toBeLessThanOrEqual(MAX_BINS);
        // The training rows and random float32 values near the edges (the edges themselves, their neighbours).
        const probes: number[] = Array.from(x.filter((_, i) => i % 2 === c));
        edges.forEach((e) => probes.push(e, float32Above(e), -float32Above(-e), Math.fround(e + (random() - 0.5) * spread * 1e-3)));
        for (const v of probes) {
          const b = binOf(edges, v);
          for (let k = 0; k < thresholds.length; k++) if (v < thresholds[k] !== b <= k) wrong.push([c, v, k, b]);
        }
        for (let r = 0; r < rows; r++) if (binned.bins[c * rows + r] !== binOf(edges, x[r * 2 + c])) wrong.push([c, r]);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('uses each distinct value as a bin when a column has at most 64, quantile edges otherwise', () => {
    const rows = 1000;
    const random = seededRandom(5);
    const x = new Float32Array(rows * 2).map((_, i) => (i % 2 ? Math.floor(random() * 64) : random()));
    const binned = binColumns(x, rows, 2);
    expect(Array.from(binned.edges[1])).toEqual(Array.from({ length: 63 }, (_, k) => k));
    expect(binned.edges[0].length).toBe(63);
    // Quantile bins hold about rows / 64 rows each.
    const counts = new Array(64).fill(0);
    for (let r = 0; r < rows; r++) counts[binned.bins[r]]++;
    counts.forEach((n) => expect(Math.abs(n - rows / 64)).toBeLessThanOrEqual(2));
  });

  it('grows leaves holding the mean of the sample rows that reach them (regression), by brute-force routing of the raw rows', () => {
    const rows = 400;
    const width = 3;
    const random = seededRandom(12);
    const x = new Float32Array(rows * width).map(() => random() * 4 - 2);
    const y = Array.from({ length: rows }, (_, r) => Math.fround(x[r * width] * x[r * width + 1] + random() * 0.1));
    const binned = binColumns(x, rows, width);
    const sample = Int32Array.from({ length: rows }, () => Math.floor(random() * rows));
    const rowsInSample = Array.from(sample);
    const out = { feature: [] as number[], value: [] as number[] };
    growTree(binned, y, sample, [0, 1, 2], { maxDepth: 6, minSamplesSplit: 5 }, out);
    const byLeaf = new Map<number, number[]>();
    for (const r of rowsInSample) {
      const { leaf } = walk(out.feature, out.value, x.subarray(r * width, (r + 1) * width));
      byLeaf.set(leaf, [...(byLeaf.get(leaf) ?? []), y[r]]);
    }
    const leaves = out.feature.filter((f) => f < 0).length;
    expect(byLeaf.size).toBe(leaves);
    expect(leaves).toBeGreaterThan(20);
    for (const [leaf, ys] of byLeaf) {
      expect(out.value[leaf]).toBe(Math.fround(ys.reduce((a, b) => a + b, 0) / ys.length));
    }
    // Depth at most 6: no root-to-leaf path has more than 6 splits.
    const depth = (i: number): [number, number] => {
      if (out.feature[i] < 0) return [0, i + 1];
      const [l, next] = depth(i + 1);
      const [r, end] = depth(next);
      return [1 + Math.max(l, r), end];
    };
    expect(depth(0)).toEqual([6, out.feature.length]);
  });

  it('makes the zero-gain first split of an XOR and then separates it (binary)', () => {
    // Four corners, each repeated: no single split lowers the Gini impurity, two levels make it pure.
    const corners = [
      [0, 0, 0],
      [0, 1, 1],
      [1, 0, 1],
      [1, 1, 0],
    ];
    const rows = 40;
    const x = Float32Array.from({ length: rows * 2 }, (_, i) => corners[Math.floor(i / 2) % 4][i % 2]);
    const y = Array.from({ length: rows }, (_, r) => corners[r % 4][2]);
    const out = { feature: [] as number[], value: [] as number[] };
    growTree(binColumns(x, rows, 2), y, Int32Array.from({ length: rows }, (_, r) => r), [0, 1], { maxDepth: 4, minSamplesSplit: 2 }, out);
    expect(out.feature.filter((f) => f < 0)).toHaveLength(4);
    for (const [a, b, label] of corners) expect(walk(out.feature, out.value, [a, b]).value).toBe(label);
  });

  it('stops at minSamplesSplit and on pure nodes', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const y = [0, 0, 0, 0, 1, 0, 1, 1];
    const grow = (minSamplesSplit: number) => {
      const out = { feature: [] as number[], value: [] as number[] };
      growTree(binColumns(x, 8, 1), y, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), [0], { maxDepth: 8, minSamplesSplit }, out);
      return out;
    };
    expect(grow(9).feature).toEqual([-1]);
    expect(grow(9).value).toEqual([3 / 8]);
    // With every split allowed, the tree is pure: each leaf's value 0 or 1.
    const full = grow(2);
    full.value.forEach((v, i) => full.feature[i] < 0 && expect([0, 1]).toContain(v));
    // The pure left part (x <= 4) is one leaf, not split further.
    expect(full.feature[0]).toBe(0);
    expect(full.value[0]).toBe(float32Above(4));
    expect(full.feature[1]).toBe(-1);
  });
});
