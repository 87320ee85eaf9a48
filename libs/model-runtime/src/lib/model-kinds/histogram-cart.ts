/**
 * A histogram-based CART tree learner (framework-free). Each column's values are cut into at most
 * MAX_BINS bins once per forest (quantile edges of the training rows; a column with at most
 * MAX_BINS distinct values gets one bin per value), every row's bin is kept in a Uint8Array, and a
 * node's split search is one pass over its rows per candidate column (a count and a sum of y per bin)
 * and a scan of the bins: O(rows x columns) per tree level instead of a re-partition per threshold.
 *
 * Trees come out flat, in preorder: `feature` is the split column (-1 for a leaf) and `value` the
 * float32 threshold (a row goes left when x < threshold) or the leaf's value.
 */

/** Most bins per column (bin indexes fit a byte). */
export const MAX_BINS = 64;

/** The smallest float32 strictly above the float32 `f` (finite): for a float32 x, `x < float32Above(f)` exactly when `x <= f`. */
export function float32Above(f: number): number {
  if (f === 0) return 2 ** -149;
  const buf = new Float32Array([f]);
  const bits = new Int32Array(buf.buffer);
  bits[0] += f > 0 ? 1 : -1;
  return buf[0];
}

/** The rows' bins, column by column, with each column's bin edges and split thresholds. */
export interface BinnedColumns {
  rows: number;
  width: number;
  /** Column-major: `bins[c * rows + r]` is row r's bin in column c. */
  bins: Uint8Array;
  /** Per column, the upper edge of each bin but the last: bin k holds edges[k-1] < x <= edges[k]. */
  edges: Float32Array[];
  /** Per column, the stored threshold of the split "bin <= k goes left": the smallest float32 above edges[k]. */
  thresholds: Float32Array[];
}

/** The upper bin edges of one column's sorted (non-NaN) values: its distinct values when few, else quantiles. */
function columnEdges(sorted: Float32Array, maxBins: number): Float32Array {
  const n = sorted.length;
  if (n === 0) return new Float32Array(0);
  const max = sorted[n - 1];
  const distinct: number[] = [];
  for (let i = 0; i < n && distinct.length <= maxBins; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  if (distinct.length <= maxBins) return Float32Array.from(distinct.slice(0, -1));
  const edges: number[] = [];
  for (let q = 1; q < maxBins; q++) {
    const v = sorted[Math.ceil((q * n) / maxBins) - 1];
    if (v < max && (edges.length === 0 || v > edges[edges.length - 1])) edges.push(v);
  }
  return Float32Array.from(edges);
}

/** The bin of x: the first k with x <= edges[k], else the last bin (NaN lands there, and goes right when served). */
export function binOf(edges: Float32Array, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bins every column of a row-major float32 matrix. */
export function binColumns(x: Float32Array, rows: number, width: number, maxBins = MAX_BINS): BinnedColumns {
  if (maxBins < 2 || maxBins > 256) throw new Error(`maxBins must be in [2, 256], not ${maxBins}`);
  const bins = new Uint8Array(rows * width);
  const edges: Float32Array[] = [];
  const thresholds: Float32Array[] = [];
  const column = new Float32Array(rows);
  for (let c = 0; c < width; c++) {
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const v = x[r * width + c];
      if (!Number.isNaN(v)) column[n++] = v;
    }
    const e = columnEdges(column.subarray(0, n).sort(), maxBins);
    edges.push(e);
    thresholds.push(e.map(float32Above));
    for (let r = 0; r < rows; r++) bins[c * rows + r] = binOf(e, x[r * width + c]);
  }
  return { rows, width, bins, edges, thresholds };
}

/**
 * The best split "bin <= k goes left" of a node from its per-bin row counts and y sums, by the
 * reduction in the sum of squared errors: sL²/nL + sR²/nR − s²/n. For 0/1 labels this is half the
 * decrease of the weighted Gini impurity (n·2p(1−p)), so it ranks splits as Gini does. Both children
 * must have rows; on ties the lowest bin wins. Undefined when no bin boundary separates the rows.
 */
export function bestSplit(count: Float64Array, sum: Float64Array, bins: number): { bin: number; gain: number } | undefined {
  let n = 0;
  let s = 0;
  for (let k = 0; k < bins; k++) {
    n += count[k];
    s += sum[k];
  }
  let best: { bin: number; gain: number } | undefined;
  let nL = 0;
  let sL = 0;
  for (let k = 0; k < bins - 1; k++) {
    nL += count[k];
    sL += sum[k];
    const nR = n - nL;
    if (nL === 0 || nR === 0 || count[k] === 0) continue;
    const sR = s - sL;
    const gain = (sL * sL) / nL + (sR * sR) / nR - (s * s) / n;
    if (!best || gain > best.gain) best = { bin: k, gain };
  }
  return best;
}

export interface TreeOptions {
  /** Depth of the deepest split: a node at this depth (the root is depth 0) is a leaf. */
  maxDepth: number;
  /** A node with fewer rows than this is a leaf. */
  minSamplesSplit: number;
}

/**
 * Grows one tree on the rows listed in `sample` (indexes into the binned rows, repeats allowed: a
 * bootstrap sample), splitting only on `columns`, and appends it in preorder to `out`. `sample` is
 * partitioned in place. A node splits while it is impure, has at least minSamplesSplit rows, is
 * above maxDepth and some column separates its rows; it takes the best split even at zero gain
 * (the first split of an XOR has none). A leaf's value is the mean of its rows' y (the class-1
 * share for 0/1 labels).
 */
export function growTree(
  binned: BinnedColumns,
  y: ArrayLike<number>,
  sample: Int32Array,
  columns: readonly number[],
  options: TreeOptions,
  out: { feature: number[]; value: number[] },
): void {
  if (sample.length === 0) throw new Error('a tree needs at least one training row');
  const { bins, rows, thresholds } = binned;
  const count = new Float64Array(MAX_BINS * 4);
  const sum = new Float64Array(MAX_BINS * 4);
  const grow = (start: number, end: number, depth: number): void => {
    const n = end - start;
    let s = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end; i++) {
      const v = y[sample[i]];
      s += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    let split: { column: number; bin: number; gain: number } | undefined;
    if (depth < options.maxDepth && n >= options.minSamplesSplit && lo !== hi) {
      for (const c of columns) {
        const nBins = thresholds[c].length + 1;
        if (nBins < 2) continue;
        count.fill(0, 0, nBins);
        sum.fill(0, 0, nBins);
        const base = c * rows;
        for (let i = start; i < end; i++) {
          const r = sample[i];
          const b = bins[base + r];
          count[b]++;
          sum[b] += y[r];
        }
        const best = bestSplit(count, sum, nBins);
        if (best && (!split || best.gain > split.gain)) split = { column: c, ...best };
      }
    }
    if (!split) {
      out.feature.push(-1);
      out.value.push(Math.fround(s / n));
      return;
    }
    // Partition the node's rows in place: bin <= k to the front.
    const base = split.column * rows;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (bins[base + sample[i]] <= split.bin) i++;
      else {
        const t = sample[i];
        sample[i] = sample[j];
        sample[j--] = t;
      }
    }
    out.feature.push(split.column);
    out.value.push(thresholds[split.column][split.bin]);
    grow(start, i, depth + 1);
    grow(i, end, depth + 1);
  };
  grow(0, sample.length, 0);
}
