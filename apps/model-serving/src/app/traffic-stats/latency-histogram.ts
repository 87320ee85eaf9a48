/**
 * Latencies as counts in log-scale buckets, so that minutes of many replicas add up exactly and any
 * percentile of the sum can be read back with a bounded error. Bucket i holds
 * [MIN * G^i, MIN * G^(i+1)) seconds with G = 2^(1/16); bucket 0 also holds anything faster, the
 * last one anything slower. A percentile is answered as its bucket's geometric midpoint, within a
 * factor 2^(1/32) (2.2 %) of the exact value for latencies between 1 us and ~17 minutes.
 */
export const LATENCY_MIN_SECONDS = 1e-6;
const STEPS_PER_DOUBLING = 16;
export const LATENCY_BUCKETS = 480; // 1 us * 2^30 ≈ 1074 s
/** Largest ratio between an answered percentile and the exact one, either way. */
export const LATENCY_MAX_RATIO = 2 ** (1 / (2 * STEPS_PER_DOUBLING));

export function latencyBucket(seconds: number): number {
  if (!(seconds > LATENCY_MIN_SECONDS)) return 0;
  const i = Math.floor(Math.log2(seconds / LATENCY_MIN_SECONDS) * STEPS_PER_DOUBLING);
  return i >= LATENCY_BUCKETS ? LATENCY_BUCKETS - 1 : i;
}

/** The geometric midpoint of a bucket, in seconds. */
export function bucketMidpoint(bucket: number): number {
  return LATENCY_MIN_SECONDS * 2 ** ((bucket + 0.5) / STEPS_PER_DOUBLING);
}

/**
 * The nearest-rank percentile (the smallest latency with at least q of all at or below it) of
 * bucket counts, in seconds. `counts` maps bucket -> count; the total must be positive.
 */
export function percentileOf(counts: ReadonlyMap<number, number>, q: number): number {
  let total = 0;
  for (const c of counts.values()) total += c;
  if (total <= 0) throw new Error('no latencies to take a percentile of');
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket) as number;
    if (seen >= rank) return bucketMidpoint(bucket);
  }
  throw new Error('unreachable: the ranks add up to the total');
}
