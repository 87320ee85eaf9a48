import type { DriftHistory } from '@mlp/contracts';
import type { TrafficStatsRange } from '../traffic-stats/traffic-stats-query';
import { psi } from './psi-drift';

/** Summed bin counts: bucket index (0 = the one starting at from) -> feature -> counts per bin. */
export type BucketCounts = Map<number, Map<string, number[]>>;

export interface DriftHistoryInput {
  model: string;
  version: number;
  range: TrafficStatsRange;
  expectations: Array<{ feature: string; expected: number[] }>;
  options: { minObservations: number; warnThreshold: number; driftThreshold: number };
}

/**
 * PSI per feature per bucket from summed bin counts: the bucket's observed proportions against the
 * baseline's expected ones (the same formula as the live window's). Every bucket is present; one
 * with fewer than minObservations of a feature has its count and no PSI.
 */
export function driftSeries(input: DriftHistoryInput, counts: BucketCounts): DriftHistory {
  const { range } = input;
  const bucketMs = range.bucketSeconds * 1000;
  const features = input.expectations.map(({ feature, expected }) => {
    const points: DriftHistory['features'][number]['points'] = [];
    for (let i = 0, start = range.fromMs; start < range.toMs; i++, start += bucketMs) {
      const bins = counts.get(i)?.get(feature);
      const observations = bins ? bins.reduce((a, b) => a + b, 0) : 0;
      const point: (typeof points)[number] = { start: new Date(start).toISOString(), observations };
      if (bins && observations >= input.options.minObservations) {
        point.psi = Number(psi(expected, bins.map((c) => c / observations)).toFixed(6));
      }
      points.push(point);
    }
    return { feature, points };
  });
  return {
    model: input.model,
    version: input.version,
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    bucketSeconds: range.bucketSeconds,
    ...input.options,
    features,
  };
}
