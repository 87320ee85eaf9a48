import type { Registry } from 'prom-client';

interface Series {
  labels: Record<string, string>;
  counts: Float64Array;
  sum: number;
  count: number;
  /** False after a reset until the next observation: a reset series is not exposed, as in prom-client. */
  exposed: boolean;
}

/**
 * A Prometheus histogram whose hot-path update is a bucket search and three additions. prom-client's
 * `Histogram.observe` validates and hashes the label object and indexes its buckets by the bound as a
 * property key (a number-to-string conversion) on every call; per request that costs more than the
 * model. Here a caller binds a label set once (`bind`) and keeps the returned function. The exposition
 * (`get`, read by the registry at scrape time) is the same as prom-client's: cumulative `_bucket`
 * series with `le`, `+Inf`, `_sum` and `_count`.
 */
export class BoundHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
    readonly buckets: readonly number[],
    registers: Registry[],
  ) {
    for (let i = 1; i < buckets.length; i++) if (!(buckets[i] > buckets[i - 1])) throw new Error(`${name}: buckets must increase`);
    for (const r of registers) r.registerMetric(this as never);
  }

  /** A recorder for one label set (kept by the caller, e.g. per model version). */
  bind(labels: Readonly<Record<L, string>>): (value: number) => void {
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: Object.fromEntries(this.labelNames.map((n) => [n, labels[n]])), counts: new Float64Array(this.buckets.length), sum: 0, count: 0, exposed: true };
      this.series.set(key, s);
    }
    const series = s;
    const bounds = this.buckets;
    return (value: number) => {
      if (!Number.isFinite(value)) return;
      series.exposed = true;
      series.sum += value;
      series.count++;
      for (let i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          series.counts[i]++;
          return;
        }
      }
    };
  }

  observe(labels: Readonly<Record<L, string>>, value: number): void {
    this.bind(labels)(value);
  }

  /** Forgets every observation. Recorders bound earlier stay valid (they are kept by callers). */
  reset(): void {
    for (const s of this.series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
      s.exposed = false;
    }
  }

  get() {
    const name = this.name;
    // As prom-client does: the series labels go in `sharedLabels`, so the registry writes its default
    // labels (e.g. service) before them, and `le` first on buckets.
    const values: Array<{ labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string }> = [];
    for (const s of this.series.values()) {
      if (!s.exposed) continue;
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += s.counts[i];
        values.push({ labels: { le }, sharedLabels: { ...s.labels }, value: acc, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: '+Inf' }, sharedLabels: { ...s.labels }, value: s.count, metricName: `${name}_bucket` });
      values.push({ labels: {}, sharedLabels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` });
      values.push({ labels: {}, sharedLabels: { ...s.labels }, value: s.count, metricName: `${name}_count` });
    }
    return { name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
