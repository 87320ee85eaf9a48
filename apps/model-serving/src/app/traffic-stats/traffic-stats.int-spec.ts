import type { PlatformConfig } from '@mlp/service-kit';
import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import type { Logger } from '@mlp/runtime';
import type { Pool } from 'pg';
import { migrateServingSchema, poolDatabase, testPool } from '../../testing/serving-database';
import { LATENCY_MAX_RATIO } from './latency-histogram';
import { parseTrafficStatsQuery } from './traffic-stats-query';
import { TrafficStatsReader } from './traffic-stats-reader';
import { TrafficStatsRecorder } from './traffic-stats-recorder';

type Event = { atMs: number; version: number; outcome: 'ok' | 'error' | 'client'; seconds: number };

const quiet = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const config = { env: { TRAFFIC_STATS_FLUSH_MS: 1000, TRAFFIC_STATS_RETENTION_HOURS: 720 } } as unknown as PlatformConfig;

function exactPercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

// Two replicas (two recorders, each on its own pool) count requests of one model over 40 minutes
// and flush several times; the reader's series is compared with a brute-force computation over
// every request: counts and error rates exactly, percentiles within the histogram's stated ratio.
describe('traffic stats over several replicas on a real PostgreSQL', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  let replicas: TrafficStatsRecorder[];
  let reader: TrafficStatsReader;
  const events: Event[] = [];
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000; // two hours ago, on the hour

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateServingSchema(db.url);
    for (let i = 0; i < 3; i++) pools.push(testPool(db.url));
    replicas = [new TrafficStatsRecorder(poolDatabase(pools[0]), config, quiet), new TrafficStatsRecorder(poolDatabase(pools[1]), config, quiet)];
    reader = new TrafficStatsReader(poolDatabase(pools[2]));

    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 4; round++) {
      // Each round covers 10 minutes; a flush after each, so a minute can have rows from both replicas and several flushes.
      for (let k = 0; k < 3000; k++) {
        const atMs = base + round * 600_000 + Math.floor(random() * 600_000);
        const version = random() < 0.7 ? 1 : 2;
        const r = random();
        const outcome = r < 0.03 ? 'error' : r < 0.08 ? 'client' : 'ok';
        // Mostly fast, a slow tail: 0.05 ms .. 50 ms, log-uniform, and a few seconds-long.
        const seconds = random() < 0.01 ? 1 + random() * 3 : 5e-5 * 1000 ** random();
        events.push({ atMs, version, outcome, seconds });
        const counter = replicas[k % 2].counter('churn', version);
        if (outcome === 'ok') counter.success(seconds, atMs);
        else counter.failure(outcome === 'error', atMs);
      }
      expect((await Promise.all(replicas.map((r) => r.flush()))).every((rows) => rows > 0)).toBe(true);
    }
    // Another model's traffic in the same minutes must not leak into churn's answer.
    replicas[0].counter('other', 1).success(0.5, base + 60_000);
    replicas[0].counter('other', 1).failure(true, base + 60_000);
    await replicas[0].flush();
  }, 60000);

  afterAll(async () => {
    for (const p of pools) await p.end();
    await db.drop();
  });

  function bruteForce(fromMs: number, toMs: number, bucketMs: number, version?: number) {
    const out: Array<{ requests: number; errors: number; clientErrors: number; latencies: number[] }> = [];
    for (let start = fromMs; start < toMs; start += bucketMs) out.push({ requests: 0, errors: 0, clientErrors: 0, latencies: [] });
    for (const e of events) {
      if (e.atMs < fromMs || e.atMs >= toMs || (version !== undefined && e.version !== version)) continue;
      const b = out[Math.floor((e.atMs - fromMs) / bucketMs)];
      b.requests++;
      if (e.outcome === 'error') b.errors++;
      else if (e.outcome === 'client') b.clientErrors++;
      else b.latencies.push(e.seconds);
    }
    return out;
  }

  it.each([
    ['per minute, all versions', { from: new Date(base).toISOString(), to: new Date(base + 40 * 60_000).toISOString() }],
    ['5-minute buckets from an odd minute, one version', { from: new Date(base + 7 * 60_000 + 30_000).toISOString(), to: new Date(base + 52 * 60_000).toISOString(), bucket: '300', version: '2' }],
    ['one 40-minute bucket', { from: new Date(base).toISOString(), to: new Date(base + 40 * 60_000).toISOString(), bucket: '2400' }],
  ])('answers %s as the brute force over every request', async (_name, query) => {
    const range = parseTrafficStatsQuery(query, Date.now());
    if ('code' in range) throw new Error(range.message);
    const series = await reader.series('churn', range);
    const expected = bruteForce(range.fromMs, range.toMs, range.bucketSeconds * 1000, range.version);
    expect(series.points).toHaveLength(expected.length);
    expect(expected.reduce((n, b) => n + b.requests, 0)).toBeGreaterThan(1000);
    series.points.forEach((p, i) => {
      const b = expected[i];
      expect([p.requests, p.errors, p.clientErrors]).toEqual([b.requests, b.errors, b.clientErrors]);
      const seconds = (Math.min(range.fromMs + (i + 1) * range.bucketSeconds * 1000, range.toMs) - (range.fromMs + i * range.bucketSeconds * 1000)) / 1000;
      expect(p.ratePerSecond).toBeCloseTo(b.requests / seconds, 9);
      if (b.requests === 0) expect(p.errorRate).toBeUndefined();
      else expect(p.errorRate).toBeCloseTo(b.errors / b.requests, 12);
      if (b.latencies.length === 0) {
        expect(p.latencyMs).toBeUndefined();
        return;
      }
      for (const [q, key] of [[0.5, 'p50'], [0.95, 'p95'], [0.99, 'p99']] as const) {
        const ratio = (p.latencyMs as Record<string, number>)[key] / (exactPercentile(b.latencies, q) * 1000);
        expect(ratio).toBeLessThanOrEqual(LATENCY_MAX_RATIO * (1 + 1e-6));
        expect(ratio).toBeGreaterThanOrEqual((1 / LATENCY_MAX_RATIO) * (1 - 1e-6));
      }
    });
  });

  it('keeps what it counted while the database is away and writes it once it is back', async () => {
    const connected = { value: true };
    const pool = testPool(db.url);
    pools.push(pool);
    const replica = new TrafficStatsRecorder(poolDatabase(pool, connected), config, quiet);
    const at = base + 90 * 60_000;
    replica.counter('outage', 1).success(0.002, at);
    connected.value = false;
    expect(await replica.flush()).toBe(0);
    replica.counter('outage', 1).failure(true, at + 1000);
    connected.value = true;
    expect(await replica.flush()).toBe(2); // two deltas of the same minute, summed when read
    const range = parseTrafficStatsQuery({ from: new Date(at).toISOString(), to: new Date(at + 60_000).toISOString() }, Date.now());
    if ('code' in range) throw new Error(range.message);
    const [point] = (await reader.series('outage', range)).points;
    expect([point.requests, point.errors, point.errorRate]).toEqual([2, 1, 0.5]);
    expect(await replica.flush()).toBe(0); // nothing left to write twice
  });
});
