import type { PlatformConfig } from '@mlp/service-kit';
import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import type { BaselineHistogram } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import type { Pool } from 'pg';
import { migrateServingSchema, poolDatabase, testPool } from '../../testing/serving-database';
import type { LoadedModel } from '../models/loaded-model';
import { parseTrafficStatsQuery } from '../traffic-stats/traffic-stats-query';
import { DriftHistory } from './drift-history';
import type { DriftMonitor } from './drift-monitor';
import { PsiMonitor } from './psi-drift';

const quiet = { warn: () => undefined } as unknown as Logger;
const config = { env: { TRAFFIC_STATS_FLUSH_MS: 1000, TRAFFIC_STATS_RETENTION_HOURS: 720 } } as unknown as PlatformConfig;
const options = { window: 100, minObservations: 30, warnThreshold: 0.1, driftThreshold: 0.25 };
const BASELINES: BaselineHistogram[] = [
  { feature: 'v:amount', kind: 'numeric', edges: [0, 10, 20], proportions: [0.25, 0.25, 0.25, 0.25] },
  { feature: 'v:plan', kind: 'categorical', proportions: { free: 0.5, pro: 0.3, __other__: 0.2 } },
];
const model = { name: 'churn', version: 2 } as LoadedModel;

/** The same version's drift monitor on one replica: the real PSI monitor, behind the two calls DriftHistory makes. */
const replicaMonitor = (psi: PsiMonitor) =>
  ({ drainCounts: () => [{ model: 'churn', version: 2, features: psi.drainCounts() }], expectations: () => ({ features: psi.expectations(), options }) }) as unknown as DriftMonitor;

// Brute force, written apart from the monitor: each value's bin by counting edges at or below it, PSI by its formula.
const numericBin = (x: number) => [0, 10, 20].filter((e) => e <= x).length;
const categoryBin = (v: string) => (v === 'free' ? 0 : v === 'pro' ? 1 : 2);
function bruteOf(expected: number[], bins: number[]): number {
  const n = bins.length;
  return expected.reduce((sum, e, i) => {
    const a = Math.max(bins.filter((b) => b === i).length / n, 1e-4);
    const ee = Math.max(e, 1e-4);
    return sum + (a - ee) * Math.log(a / ee);
  }, 0);
}

// Two replicas watch one version's inputs minute by minute as the input shifts; the history's PSI
// per 2-minute bucket must be the brute-force PSI of every value both replicas saw in the bucket.
describe('input drift over time over several replicas on a real PostgreSQL', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const seen: Array<{ atMs: number; amount: number; plan: string }> = [];
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  let reader: DriftHistory;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateServingSchema(db.url);
    for (let i = 0; i < 3; i++) pools.push(testPool(db.url));
    const monitors = [new PsiMonitor(BASELINES, options), new PsiMonitor(BASELINES, options)];
    const replicas = monitors.map((m, i) => new DriftHistory(poolDatabase(pools[i]), replicaMonitor(m), config, quiet));
    reader = replicas[0];
    let seed = 3;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let minute = 0; minute < 6; minute++) {
      for (const [r, m] of monitors.entries()) {
        // The amounts drift upward and 'pro' grows minute by minute; minute 5 is quiet (too few for a PSI).
        const n = minute === 5 ? 5 : 40 + 10 * r;
        for (let k = 0; k < n; k++) {
          const amount = random() * 30 - 5 + minute * 4;
          const plan = random() < 0.2 + minute * 0.1 ? 'pro' : random() < 0.8 ? 'free' : `other-${k % 3}`;
          m.observe({ 'v:amount': amount, 'v:plan': plan });
          seen.push({ atMs: base + minute * 60_000, amount, plan });
        }
        expect(await replicas[r].flush(base + minute * 60_000 + 30_000)).toBe(2);
      }
    }
    // The same feature counted under other bins (a baseline since replaced) must not leak in.
    const old = new PsiMonitor([{ feature: 'v:amount', kind: 'numeric', edges: [5, 15, 25], proportions: [0.25, 0.25, 0.25, 0.25] }], options);
    for (let k = 0; k < 500; k++) old.observe({ 'v:amount': 100 });
    await new DriftHistory(poolDatabase(pools[2]), replicaMonitor(old), config, quiet).flush(base + 30_000);
  }, 60000);

  afterAll(async () => {
    for (const p of pools) await p.end();
    await db.drop();
  });

  it('answers PSI per feature and bucket as the brute force over every value both replicas saw', async () => {
    const range = parseTrafficStatsQuery({ from: new Date(base).toISOString(), to: new Date(base + 6 * 60_000).toISOString(), bucket: '120' }, Date.now());
    if ('code' in range) throw new Error(range.message);
    const history = await reader.series(model, range);
    expect(history.features.map((f) => f.feature)).toEqual(['v:amount', 'v:plan']);
    for (const f of history.features) {
      expect(f.points).toHaveLength(3);
      f.points.forEach((p, i) => {
        const inBucket = seen.filter((s) => s.atMs >= base + i * 120_000 && s.atMs < base + (i + 1) * 120_000);
        const bins = f.feature === 'v:amount' ? inBucket.map((s) => numericBin(s.amount)) : inBucket.map((s) => categoryBin(s.plan));
        expect(p.observations).toBe(bins.length);
        const expected = f.feature === 'v:amount' ? [0.25, 0.25, 0.25, 0.25] : [0.5, 0.3, 0.2];
        expect(p.psi).toBeCloseTo(bruteOf(expected, bins), 5);
      });
    }
    // The input moved: the last full bucket drifts more than the first.
    const amounts = history.features[0].points;
    expect(amounts[2].psi as number).toBeGreaterThan(amounts[0].psi as number);
  });

  it('gives a bucket with too few observations its count and no PSI', async () => {
    const range = parseTrafficStatsQuery({ from: new Date(base + 5 * 60_000).toISOString(), to: new Date(base + 6 * 60_000).toISOString() }, Date.now());
    if ('code' in range) throw new Error(range.message);
    const [point] = (await reader.series(model, range)).features[0].points;
    expect([point.observations, point.psi]).toEqual([10, undefined]);
  });
});
