import type { FeatureStatus, FeatureTransform, Preprocessing } from '@mlp/contracts';

export type RawValue = number | string | boolean | null | undefined;

/** What happened to each feature of a row: anything but PRESENT was filled. */
export interface RowReport {
  statuses: Record<string, FeatureStatus>;
  /** Features that were missing (null, absent or not usable) or stale, i.e. filled. */
  filled: string[];
}

/** Width one transform contributes to the model vector. */
export function transformWidth(t: FeatureTransform): number {
  return t.kind === 'numeric' ? 1 + (t.missingIndicator ? 1 : 0) : t.categories.length + (t.oov ? 1 : 0);
}

/** A preprocessing whose declared width differs from what its transforms produce cannot be served. */
export function checkPreprocessing(p: Preprocessing): string | undefined {
  const width = p.features.reduce((w, t) => w + transformWidth(t), 0);
  if (width !== p.outputWidth) return `preprocessing declares outputWidth ${p.outputWidth} but its transforms produce ${width}`;
  return undefined;
}

/**
 * The numeric value before standardisation: the fill for a missing value, then clip, then log1p
 * (of the non-negative part: log1p is meant for counts and amounts). Drift baselines are expressed
 * in raw space and inverted through this.
 */
export function numericStage(t: Extract<FeatureTransform, { kind: 'numeric' }>, x: number): number {
  let v = x;
  if (t.clip) v = Math.min(Math.max(v, t.clip[0]), t.clip[1]);
  if (t.log1p) v = Math.log1p(Math.max(v, 0));
  return v;
}

const usableNumber = (v: RawValue): number | undefined => {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
};

/**
 * Applies the artifact's preprocessing, exactly as the trainer fitted it on the training split:
 * numeric: value (or `fill` when missing/stale) -> clip -> log1p -> (x - mean) / std, plus a 0/1
 * missing indicator when configured; categorical: one-hot over the vocabulary, unknown values in
 * the out-of-vocabulary slot (all zeros without one), a missing value all zeros.
 * `statuses` (from the feature store) marks values as NOT_FOUND or OUTSIDE_MAX_AGE: both are filled.
 */
export function applyPreprocessing(
  p: Preprocessing,
  rows: ReadonlyArray<Readonly<Record<string, RawValue>>>,
  statuses?: ReadonlyArray<Readonly<Record<string, FeatureStatus>>>,
): { matrix: Float32Array; width: number; reports: RowReport[] } {
  const width = p.outputWidth;
  const matrix = new Float32Array(rows.length * width);
  const reports: RowReport[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const given = statuses?.[r];
    const report: RowReport = { statuses: {}, filled: [] };
    let col = r * width;
    for (const t of p.features) {
      const raw = row[t.name];
      let status: FeatureStatus = given?.[t.name] ?? (raw === null || raw === undefined ? 'NOT_FOUND' : 'PRESENT');
      if (t.kind === 'numeric') {
        let x = status === 'PRESENT' ? usableNumber(raw) : undefined;
        if (x === undefined && status === 'PRESENT') status = 'NOT_FOUND';
        const missing = x === undefined;
        if (missing) x = t.fill;
        matrix[col++] = (numericStage(t, x as number) - t.mean) / t.std;
        if (t.missingIndicator) matrix[col++] = missing ? 1 : 0;
        if (missing) report.filled.push(t.name);
      } else {
        const usable = status === 'PRESENT' && raw !== null && raw !== undefined;
        if (!usable) {
          if (status === 'PRESENT') status = 'NOT_FOUND';
          report.filled.push(t.name);
        } else {
          const idx = t.categories.indexOf(String(raw));
          if (idx >= 0) matrix[col + idx] = 1;
          else if (t.oov) matrix[col + t.categories.length] = 1;
        }
        col += t.categories.length + (t.oov ? 1 : 0);
      }
      report.statuses[t.name] = status;
    }
    reports.push(report);
  }
  return { matrix, width, reports };
}
