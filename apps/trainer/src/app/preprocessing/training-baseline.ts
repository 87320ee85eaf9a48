import type { BaselineHistogram, Preprocessing } from '@mlp/contracts';
import { numericValue, type RawRecord } from '@mlp/model-runtime';

/** Category proportions outside the model's vocabulary are pooled under this key (serving reads the same). */
export const OTHER_CATEGORY = '__other__';

/**
 * The distribution of every model input over the training split, stored in the artifact as the
 * baseline serving measures live-input drift against. It has to be the training data's own
 * distribution: the feature store's latest statistics move with the data, so after a behaviour
 * change they would describe the drifted inputs and hide the drift from the model that never saw it.
 *
 * Numeric: up to `bins` bins with edges at the training quantiles (ties merge bins, so the
 * proportions are counted, not assumed); a value falls in the bin of the number of edges <= it, as
 * serving bins it. Missing values are not observations. Categorical: the share of each vocabulary
 * value, the rest under `__other__`.
 */
export function trainingBaseline(records: readonly RawRecord[], preprocessing: Preprocessing, bins = 10): BaselineHistogram[] {
  const out: BaselineHistogram[] = [];
  for (const t of preprocessing.features) {
    if (t.kind === 'numeric') {
      const values: number[] = [];
      for (const r of records) {
        const v = numericValue(r[t.name]);
        if (v !== null) values.push(v);
      }
      if (values.length === 0) continue;
      values.sort((a, b) => a - b);
      const edges: number[] = [];
      for (let i = 1; i < bins; i++) {
        const q = values[Math.min(values.length - 1, Math.floor((i * values.length) / bins))];
        // Edges strictly ascending; the minimum as an edge would leave the lowest bin always empty.
        if (q > values[0] && (edges.length === 0 || q > edges[edges.length - 1])) edges.push(q);
      }
      if (edges.length === 0) edges.push(values[0]);
      const counts = new Array(edges.length + 1).fill(0);
      let bin = 0;
      for (const v of values) {
        while (bin < edges.length && v >= edges[bin]) bin++;
        counts[bin]++;
      }
      out.push({ feature: t.name, kind: 'numeric', edges, proportions: counts.map((c) => c / values.length) });
    } else {
      const known = new Set(t.categories);
      const counts = new Map<string, number>();
      let total = 0;
      for (const r of records) {
        const v = r[t.name];
        if (v === null || v === undefined) continue;
        const key = known.has(String(v)) ? String(v) : OTHER_CATEGORY;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        total++;
      }
      if (total === 0) continue;
      const proportions: Record<string, number> = {};
      for (const c of [...t.categories, OTHER_CATEGORY]) proportions[c] = (counts.get(c) ?? 0) / total;
      out.push({ feature: t.name, kind: 'categorical', proportions });
    }
  }
  return out;
}
