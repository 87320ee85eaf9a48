// Seeded randomness for the demo data: every draw comes from a PRNG keyed by (seed, purpose), so the
// same seed gives the same product history on every machine, and one user's day can be regenerated
// without replaying everyone before it.
import { createHash } from 'node:crypto';

/** 32-bit hash of a string (FNV-1a followed by a murmur3 finaliser for avalanche). */
export function hash32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: small, fast, good enough statistically for simulation; returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random source for one purpose, e.g. `rngFor(42, 'user', 17, 'day', 3)`. */
export function rngFor(seed, ...key) {
  const rand = mulberry32(hash32(`${seed}|${key.join('|')}`));
  // Discard a few outputs so nearby seeds do not start with correlated first draws.
  rand();
  rand();
  return new RandomSource(rand);
}

export class RandomSource {
  constructor(next) {
    this.next = next;
  }

  uniform(lo = 0, hi = 1) {
    return lo + (hi - lo) * this.next();
  }

  int(lo, hiInclusive) {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }

  bernoulli(p) {
    return this.next() < p;
  }

  normal() {
    // Box-Muller; 1 - u keeps the log argument in (0, 1].
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  exponential(rate) {
    return -Math.log(1 - this.next()) / rate;
  }

  /** Knuth's multiplication method, split into chunks so large means neither underflow nor loop forever. */
  poisson(mean) {
    if (!(mean > 0)) return 0;
    let total = 0;
    let rest = mean;
    while (rest > 0) {
      const m = Math.min(rest, 30);
      rest -= m;
      const limit = Math.exp(-m);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      total += k;
    }
    return total;
  }

  /** Picks a key of `weights` ({key: weight}) with probability proportional to its weight. */
  weighted(weights) {
    const entries = Object.entries(weights);
    const sum = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * sum;
    for (const [key, w] of entries) {
      x -= w;
      if (x < 0) return key;
    }
    return entries[entries.length - 1][0];
  }
}

/** A deterministic UUID-shaped id (sha1 of the key), so re-sending a history re-sends the same messageIds. */
export function deterministicUuid(key) {
  const h = createHash('sha1').update(key).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
