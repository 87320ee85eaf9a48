import type { FeatureTransform, Preprocessing } from '@mlp/contracts';

/** A raw feature value as the feature store, a training set or a client gives it. */
export type RawValue = number | string | boolean | null | undefined;
export type RawRecord = Record<string, RawValue>;
/** One model input's raw values, one per row. */
export type RawColumn = ArrayLike<RawValue>;
type NumericTransform = Extract<FeatureTransform, { kind: 'numeric' }>;

export interface FitOptions {
  /** Categorical vocabularies keep the most frequent values up to this size; the rest go to OOV. */
  maxCategories?: number;
  /** Values seen fewer times than this in training go to OOV (rare values do not get their own input). */
  minCategoryCount?: number;
  /**
   * false: numeric features keep their raw values (mean 0, std 1), for kinds that read them as they
   * are (`ModelKind.rawNumericInputs`). Default true: z-scored.
   */
  standardise?: boolean;
}

/**
 * The number a raw value stands for, or null when it is missing: finite numbers, booleans (1/0) and
 * numeric strings (PostgreSQL numeric arrives as text). The one rule training and serving share.
 */
export function numericValue(value: RawValue): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Whether a raw value is missing for a transform, i.e. filled the way training filled it. */
export function isMissing(t: FeatureTransform, value: RawValue): boolean {
  return t.kind === 'numeric' ? numericValue(value) === null : value === null || value === undefined;
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
      const scale = options.standardise === false ? { mean: 0, std: 1 } : { mean, std: std > 1e-12 ? std : 1 };
      transforms.push({ kind: 'numeric', name, ...scale, fill: median(values), missingIndicator: missing > 0 });
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

/** Width one transform contributes to the model vector. */
export function widthOf(t: FeatureTransform): number {
  return t.kind === 'numeric' ? 1 + (t.missingIndicator ? 1 : 0) : t.categories.length + (t.oov ? 1 : 0);
}

/** A preprocessing whose declared width differs from what its transforms produce cannot be served. */
export function checkPreprocessing(p: Preprocessing): string | undefined {
  const width = p.features.reduce((w, t) => w + widthOf(t), 0);
  if (width !== p.outputWidth) return `preprocessing declares outputWidth ${p.outputWidth} but its transforms produce ${width}`;
  return undefined;
}

/** Names of the model vector's columns, in order (for explaining weights). */
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

/**
 * The numeric value before standardisation: clip, then log1p of the non-negative part (log1p is
 * meant for counts and amounts). Drift baselines are expressed in raw space and inverted through this.
 */
export function numericStage(t: NumericTransform, x: number): number {
  let v = x;
  if (t.clip) v = Math.min(Math.max(v, t.clip[0]), t.clip[1]);
  if (t.log1p) v = Math.log1p(Math.max(v, 0));
  return v;
}

// A transform never changes once recorded: its category slots are looked up, not rebuilt per batch.
const slotsOf = new WeakMap<object, ReadonlyMap<string, number>>();
function categorySlots(t: { categories: readonly string[] }): ReadonlyMap<string, number> {
  let slots = slotsOf.get(t);
  if (!slots) {
    slots = new Map(t.categories.map((c, k) => [c, k] as const));
    slotsOf.set(t, slots);
  }
  return slots;
}

/**
 * The model matrix (row-major, `p.outputWidth` per row) of raw columns given in the preprocessing's
 * feature order: the one implementation training and every serving route run. Numeric: the value
 * (`fill` when missing) -> clip -> log1p -> (x - mean) / std, plus a 0/1 missing indicator when
 * fitted with one. Categorical: one-hot over the vocabulary, any other value in the
 * out-of-vocabulary slot (all zeros without one), a missing value all zeros.
 */
export function preprocessColumns(p: Preprocessing, columns: readonly RawColumn[], rows: number): Float32Array {
  const width = p.outputWidth;
  const matrix = new Float32Array(rows * width);
  let offset = 0;
  p.features.forEach((t, i) => {
    const column = columns[i];
    if (t.kind === 'numeric') {
      const fill = (numericStage(t, t.fill) - t.mean) / t.std;
      for (let r = 0, at = offset; r < rows; r++, at += width) {
        const x = numericValue(column[r]);
        matrix[at] = x === null ? fill : (numericStage(t, x) - t.mean) / t.std;
        if (t.missingIndicator) matrix[at + 1] = x === null ? 1 : 0;
      }
    } else {
      const slot = categorySlots(t);
      const oov = t.oov ? t.categories.length : -1;
      for (let r = 0, at = offset; r < rows; r++, at += width) {
        const v = column[r];
        if (v === null || v === undefined) continue;
        const k = slot.get(String(v)) ?? oov;
        if (k >= 0) matrix[at + k] = 1;
      }
    }
    offset += widthOf(t);
  });
  return matrix;
}

/** Records (row objects keyed by feature name) as columns in the preprocessing's feature order. */
export function columnsOf(p: Preprocessing, records: readonly RawRecord[]): RawValue[][] {
  return p.features.map((t) => records.map((r) => r[t.name]));
}

/** The model matrix of many records, row-major. */
export function applyToRows(p: Preprocessing, records: readonly RawRecord[]): Float32Array {
  return preprocessColumns(p, columnsOf(p, records), records.length);
}

/**
 * Turns numeric strings into numbers in the columns the transforms treat as numeric (PostgreSQL
 * numeric arrives as text in NDJSON), so statistics over training rows see numbers. Mutates and
 * returns the rows.
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
