import type { BaselineHistogram, FeatureStats } from '@mlp/contracts';

/**
 * Turns the feature store's materialization statistics into baseline histograms. Numeric:
 * `edges` (n+1) and `counts` (n) become n+2 bins with the open ends below min and above max empty.
 * Strings: the top values with their shares, the rest of the non-null rows as `__other__`.
 * Features without a usable histogram are left out.
 */
export function baselineFromFeatureStats(ref: string, stats: FeatureStats): BaselineHistogram | undefined {
  const h = stats.histogram;
  if (!h) return undefined;
  if ('edges' in h) {
    const total = h.counts.reduce((a, b) => a + b, 0);
    if (total === 0 || h.edges.length !== h.counts.length + 1 || h.edges.some((e, i) => i > 0 && e <= h.edges[i - 1])) return undefined;
    return { feature: ref, kind: 'numeric', edges: h.edges, proportions: [0, ...h.counts.map((c) => c / total), 0] };
  }
  const nonNull = stats.count - stats.null_count;
  if (nonNull <= 0 || h.values.length !== h.counts.length) return undefined;
  const proportions: Record<string, number> = {};
  h.values.forEach((v, i) => (proportions[v] = h.counts[i] / nonNull));
  proportions['__other__'] = Math.max(0, nonNull - h.counts.reduce((a, b) => a + b, 0)) / nonNull;
  return { feature: ref, kind: 'categorical', proportions };
}

/** `view:feature` or `view@v2:feature` -> { view, version?, feature }. */
export function parseFeatureRef(ref: string): { view: string; version?: number; feature: string } | undefined {
  const m = /^([a-z][a-z0-9_]{0,62})(?:@v([0-9]+))?:([a-z][a-z0-9_]{0,62})$/.exec(ref);
  return m ? { view: m[1], version: m[2] ? Number(m[2]) : undefined, feature: m[3] } : undefined;
}

/** One statistics request of the feature store (`/v1/feature-views/{path}`) and the model features it answers. */
export interface StatsRequest {
  path: string;
  refs: Array<{ ref: string; feature: string }>;
}

/**
 * The statistics requests for a model's features: one per feature view (and pinned view version),
 * naming which of the model's features it holds. Features that are not `view:feature` refs are left out.
 */
export function statsRequests(features: readonly string[]): StatsRequest[] {
  const byPath = new Map<string, StatsRequest>();
  for (const ref of features) {
    const parsed = parseFeatureRef(ref);
    if (!parsed) continue;
    const path = `${parsed.view}/stats${parsed.version ? `?version=${parsed.version}` : ''}`;
    const request = byPath.get(path) ?? { path, refs: [] };
    request.refs.push({ ref, feature: parsed.feature });
    byPath.set(path, request);
  }
  return [...byPath.values()];
}

/** The baselines one view's statistics give for the requested features (those with a usable histogram). */
export function baselinesFromStats(request: StatsRequest, stats: { features: readonly FeatureStats[] }): BaselineHistogram[] {
  const found: BaselineHistogram[] = [];
  for (const { ref, feature } of request.refs) {
    const s = stats.features.find((f) => f.feature === feature);
    const b = s && baselineFromFeatureStats(ref, s);
    if (b) found.push(b);
  }
  return found;
}
