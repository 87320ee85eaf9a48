import type { FeatureTransform, Preprocessing } from '@mlp/contracts';

/** A raw feature value as it comes from the feature store (offline NDJSON or online lookup). */
export type RawValue = number | string | boolean | null | undefined;
export type RawRecord = Record<string, RawValue>;

export interface FitOptions {
  /** Categorical vocabularies keep the most frequent values up to this size; the rest go to OOV. */
  maxCategories?: number;
  /** Values seen fewer times than this in training go to OOV (rare values do not get their own input). */
  minCategoryCount?: number;
}

/** A finite number from a feature value: numbers, booleans and numeric strings (pg numeric arrives as text). */
export function numericValue(value: RawValue): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function isNumericColumn(rows: readonly RawRecord[], name: string): boolean {
  let seen = 0;
  for (const row of rows) {
    const v = row[name];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string' && numericValue(v) === null) return false;
    seen++;
  }
  return seen > 0 || rows.length === 0;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Fits the transform of each feature on the training rows only (the held-out window must not leak
 * into normalisation or vocabularies). Numeric: z-score with the median as fill and a missing
 * indicator when training saw gaps. Anything else: one-hot over the frequent values plus an
 * out-of-vocabulary slot.
 */
export function fitPreprocessing(rows: readonly RawRecord[], features: readonly string[], options: FitOptions = {}): Preprocessing {
  const maxCategories = options.maxCategories ?? 50;
  const minCount = options.minCategoryCount ?? 1;
  const transforms: FeatureTransform[] = [];
  for (const name of features) {
    if (isNumericColumn(rows, name)) {
      const values: number[] = [];
      let missing = 0;
      for (const row of rows) {
        const v = numericValue(row[name]);
        if (v === null) missing++;
        else values.push(v);
      }
      const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
      const variance = values.length ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length : 0;
      const std = Math.sqrt(variance);
      transforms.push({ kind: 'numeric', name, mean, std: std > 1e-12 ? std : 1, fill: median(values), missingIndicator: missing > 0 });
    } else {
      const counts = new Map<string, number>();
      for (const row of rows) {
        const v = row[name];
        if (v === null || v === undefined) continue;
        const key = String(v);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const categories = [...counts.entries()]
        .filter(([, c]) => c >= minCount)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, maxCategories)
        .map(([k]) => k);
      transforms.push({ kind: 'categorical', name, categories, oov: true });
    }
  }
  return { features: transforms, outputWidth: Math.max(1, transforms.reduce((w, t) => w + widthOf(t), 0)) };
}

export function widthOf(t: FeatureTransform): number {
  return t.kind === 'numeric' ? 1 + (t.missingIndicator ? 1 : 0) : t.categories.length + (t.oov ? 1 : 0);
}

/** Input names of the model vector, in order (for the signature and for explaining weights). */
export function outputNames(p: Preprocessing): string[] {
  const names: string[] = [];
  for (const t of p.features) {
    if (t.kind === 'numeric') {
      names.push(t.name);
      if (t.missingIndicator) names.push(`${t.name}#missing`);
    } else {
      for (const c of t.categories) names.push(`${t.name}=${c}`);
      if (t.oov) names.push(`${t.name}#oov`);
    }
  }
  return names;
}

/** A number as serving accepts it: finite numbers and booleans; anything else is missing. */
function usableNumber(value: RawValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/**
 * Turns numeric strings into numbers in the columns the transforms treat as numeric (PostgreSQL
 * numeric arrives as text in NDJSON), so training sees what serving sees: online features are JSON
 * numbers. Mutates and returns the rows.
 */
export function coerceNumericColumns<R extends RawRecord>(rows: R[], p: Preprocessing): R[] {
  const numeric = p.features.filter((t) => t.kind === 'numeric').map((t) => t.name);
  for (const row of rows) {
    for (const name of numeric) {
      const v = row[name];
      if (typeof v === 'string') (row as RawRecord)[name] = numericValue(v);
    }
  }
  return rows;
}

/**
 * Writes one record's model input into `out` at `offset`, with model-serving's semantics
 * (apps/model-serving preprocessing applies the same artifact the same way): a missing, null or
 * non-numeric value takes `fill` (and sets the indicator), then clip, then log1p (of the
 * non-negative part), then (x - mean) / std. A categorical value outside the vocabulary sets the
 * OOV slot; a missing one leaves all its inputs at zero.
 */
export function applyPreprocessing(p: Preprocessing, record: RawRecord, out: Float32Array = new Float32Array(p.outputWidth), offset = 0): Float32Array {
  let i = offset;
  for (const t of p.features) {
    const raw = record[t.name];
    if (t.kind === 'numeric') {
      const parsed = usableNumber(raw);
      let v = parsed ?? t.fill;
      if (t.clip) v = Math.min(t.clip[1], Math.max(t.clip[0], v));
      if (t.log1p) v = Math.log1p(Math.max(v, 0));
      out[i++] = (v - t.mean) / t.std;
      if (t.missingIndicator) out[i++] = parsed === null ? 1 : 0;
    } else {
      const missing = raw === null || raw === undefined;
      const at = missing ? -1 : t.categories.indexOf(String(raw));
      for (let k = 0; k < t.categories.length; k++) out[i + k] = k === at ? 1 : 0;
      i += t.categories.length;
      if (t.oov) out[i++] = !missing && at === -1 ? 1 : 0;
    }
  }
  return out;
}

/** The model input matrix of many records, row-major. */
export function applyToRows(p: Preprocessing, records: readonly RawRecord[]): Float32Array {
  const out = new Float32Array(records.length * p.outputWidth);
  records.forEach((r, row) => applyPreprocessing(p, r, out, row * p.outputWidth));
  return out;
}
