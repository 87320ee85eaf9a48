import { bucketMidpoint, LATENCY_MAX_RATIO, latencyBucket, percentileOf } from './latency-histogram';

/** Nearest rank, from the sorted values themselves. */
function exactPercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

function histogram(values: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(latencyBucket(v), (counts.get(latencyBucket(v)) ?? 0) + 1);
  return counts;
}

describe('latency histogram', () => {
  it('answers every percentile within its stated ratio of the exact nearest-rank value', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const n of [1, 2, 5, 100, 4321]) {
      // Log-uniform from 10 us to 2 s: many decades, so every part of the scale is exercised.
      const values = Array.from({ length: n }, () => 1e-5 * 2e5 ** random());
      const counts = histogram(values);
      for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 1]) {
        const ratio = percentileOf(counts, q) / exactPercentile(values, q);
        expect(ratio).toBeLessThanOrEqual(LATENCY_MAX_RATIO + 1e-12);
        expect(ratio).toBeGreaterThanOrEqual(1 / LATENCY_MAX_RATIO - 1e-12);
      }
    }
  });

  it('puts a value in the bucket whose bounds hold it, and clamps the ends', () => {
    for (const v of [1.5e-6, 3.3e-5, 0.00042, 0.0123, 1, 42.5]) {
      const b = latencyBucket(v);
      expect(bucketMidpoint(b) / LATENCY_MAX_RATIO).toBeLessThanOrEqual(v * (1 + 1e-12));
      expect(bucketMidpoint(b) * LATENCY_MAX_RATIO).toBeGreaterThan(v);
    }
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(-1)).toBe(0);
    expect(latencyBucket(Number.NaN)).toBe(0);
    expect(latencyBucket(1e9)).toBe(479);
  });

  it('refuses a percentile of nothing instead of inventing one', () => {
    expect(() => percentileOf(new Map(), 0.5)).toThrow('no latencies');
  });
});
