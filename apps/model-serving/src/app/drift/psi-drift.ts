import type { BaselineHistogram, Preprocessing } from '@mlp/contracts';
import { numericValue, type RawColumn, type RawValue } from '@mlp/model-runtime';
import { createHash } from 'node:crypto';

/** Standard normal deciles: a preprocessing-derived baseline has 10% of training rows per bin. */
const NORMAL_DECILES = [-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816];
const EPSILON = 1e-4;

export function psi(expected: readonly number[], actual: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], EPSILON);
    const a = Math.max(actual[i], EPSILON);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/**
 * A baseline from the preprocessing alone (mean/std fitted on the training split): the bins are the
 * normal deciles of the transformed value mapped back to raw space, each expected to hold 10%. It
 * is an approximation (it assumes the transformed feature is roughly normal); an explicit baseline
 * with real training histograms replaces it. Categorical features need an explicit baseline.
 */
export function baselineFromPreprocessing(p: Preprocessing): BaselineHistogram[] {
  const out: BaselineHistogram[] = [];
  for (const t of p.features) {
    if (t.kind !== 'numeric') continue;
    const edges = NORMAL_DECILES.map((z) => {
      const v = t.mean + z * t.std;
      return t.log1p ? Math.expm1(v) : v;
    });
    // A degenerate fit (edges not strictly ascending in float) gives no usable baseline.
    if (edges.some((e, i) => i > 0 && e <= edges[i - 1])) continue;
    out.push({ feature: t.name, kind: 'numeric', edges, proportions: new Array(edges.length + 1).fill(1 / (edges.length + 1)) });
  }
  return out;
}

function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * How many bins a baseline's live counts need: numeric edges + 1, or its categories plus one for
 * unseen values. Throws when a numeric baseline's proportions do not fit its edges.
 */
export function baselineBins(b: BaselineHistogram): number {
  const bins = b.kind === 'numeric' ? b.edges.length + 1 : Object.keys(b.proportions).length + 1;
  if (b.kind === 'numeric' && b.proportions.length !== bins) throw new Error(`baseline of ${b.feature}: ${b.edges.length} edges need ${bins} proportions`);
  return bins;
}

export interface FeatureDrift {
  feature: string;
  psi: number | null;
  observations: number;
  status: 'ok' | 'warn' | 'drift' | 'insufficient_data';
}

interface Track {
  baseline: BaselineHistogram;
  /** Identifies the baseline's bins: counts kept over time only add up under the same bins. */
  fingerprint: string;
  /** Bin counts observed since the last `drainCounts` (the history's deltas; the window does not touch them). */
  pending: Float64Array;
  /** Ring buffer of bin indices of the last `window` observations. */
  ring: Int32Array;
  next: number;
  size: number;
  counts: Float64Array;
  categories?: Map<string, number>;
}

export interface PsiMonitorOptions {
  window: number;
  minObservations: number;
  warnThreshold: number;
  driftThreshold: number;
}

/**
 * PSI of live inputs against baseline histograms, over a sliding window of the last `window`
 * observations per feature (missing values are not observations: they show up as fills instead).
 */
export class PsiMonitor {
  private readonly tracks = new Map<string, Track>();

  constructor(
    baselines: BaselineHistogram[],
    readonly options: PsiMonitorOptions,
  ) {
    for (const b of baselines) {
      const bins = baselineBins(b);
      const categories = b.kind === 'categorical' ? new Map(Object.keys(b.proportions).filter((c) => c !== '__other__').map((c, i) => [c, i])) : undefined;
      const fingerprint = createHash('sha256').update(JSON.stringify(b)).digest('hex').slice(0, 16);
      this.tracks.set(b.feature, { baseline: b, fingerprint, pending: new Float64Array(bins), ring: new Int32Array(options.window), next: 0, size: 0, counts: new Float64Array(bins), categories });
    }
  }

  /** Observes a batch given as raw columns named by `names` (the model's features, in order). */
  observeColumns(names: readonly string[], columns: readonly RawColumn[], rows: number): void {
    for (let j = 0; j < names.length; j++) {
      const t = this.tracks.get(names[j]);
      if (!t) continue;
      const column = columns[j];
      for (let r = 0; r < rows; r++) this.observeValue(t, column[r]);
    }
  }

  /** Observes one row given as an object by feature name. */
  observe(row: Readonly<Record<string, RawValue>>): void {
    for (const [feature, t] of this.tracks) this.observeValue(t, row[feature]);
  }

  private observeValue(t: Track, v: RawValue): void {
    if (v === null || v === undefined) return;
    let bin: number;
    if (t.baseline.kind === 'numeric') {
      const x = numericValue(v);
      if (x === null) return;
      bin = binOf(t.baseline.edges, x);
    } else {
      bin = t.categories?.get(String(v)) ?? t.counts.length - 1;
    }
    if (t.size === t.ring.length) t.counts[t.ring[t.next]]--;
    else t.size++;
    t.ring[t.next] = bin;
    t.counts[bin]++;
    t.pending[bin]++;
    t.next = (t.next + 1) % t.ring.length;
  }

  /** The bin counts observed per feature since the last call (features with none are left out), and starts afresh. */
  drainCounts(): Array<{ feature: string; fingerprint: string; counts: number[] }> {
    const out: Array<{ feature: string; fingerprint: string; counts: number[] }> = [];
    for (const [feature, t] of this.tracks) {
      if (!t.pending.some((c) => c > 0)) continue;
      out.push({ feature, fingerprint: t.fingerprint, counts: Array.from(t.pending) });
      t.pending.fill(0);
    }
    return out;
  }

  /** Each feature's baseline bins: their fingerprint and expected proportions (what PSI compares counts with). */
  expectations(): Array<{ feature: string; fingerprint: string; expected: number[] }> {
    return [...this.tracks.entries()].map(([feature, t]) => ({ feature, fingerprint: t.fingerprint, expected: expectedOf(t) }));
  }

  report(): FeatureDrift[] {
    const { minObservations, warnThreshold, driftThreshold } = this.options;
    return [...this.tracks.entries()].map(([feature, t]) => {
      if (t.size < minObservations) return { feature, psi: null, observations: t.size, status: 'insufficient_data' as const };
      const expected = expectedOf(t);
      const actual = Array.from(t.counts, (c) => c / t.size);
      const value = psi(expected, actual);
      return { feature, psi: value, observations: t.size, status: value >= driftThreshold ? 'drift' : value >= warnThreshold ? 'warn' : 'ok' };
    });
  }
}

/** The features of a report in breach (status `drift`), with their PSI: what a drift alert names. */
export function breaches(report: readonly FeatureDrift[]): Array<{ feature: string; psi: number }> {
  return report.filter((f) => f.status === 'drift').map((f) => ({ feature: f.feature, psi: f.psi as number }));
}

function expectedOf(t: Track): number[] {
  return t.baseline.kind === 'numeric' ? t.baseline.proportions : categoricalExpected(t);
}

function categoricalExpected(t: Track): number[] {
  const p = t.baseline.kind === 'categorical' ? t.baseline.proportions : {};
  const out = new Array(t.counts.length).fill(0);
  for (const [c, i] of t.categories ?? []) out[i] = p[c] ?? 0;
  out[out.length - 1] = p['__other__'] ?? 0;
  const total = out.reduce((a, b) => a + b, 0) || 1;
  return out.map((x) => x / total);
}
