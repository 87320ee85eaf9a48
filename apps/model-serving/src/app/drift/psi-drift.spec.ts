import type { Preprocessing } from '@mlp/contracts';
import { baselineBins, baselineFromPreprocessing, breaches, psi, PsiMonitor } from './psi-drift';

// Deterministic standard-normal-ish samples (Box-Muller over a fixed LCG).
function normals(n: number, seed = 7): number[] {
  let s = seed;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

const prep: Preprocessing = {
  outputWidth: 2,
  features: [
    { kind: 'numeric', name: 'f:x', mean: 10, std: 2, fill: 10, missingIndicator: false },
    { kind: 'numeric', name: 'f:amount', mean: 2, std: 0.5, fill: 0, missingIndicator: false, log1p: true },
  ],
};
const options = { window: 2000, minObservations: 200, warnThreshold: 0.1, driftThreshold: 0.25 };

describe('PSI drift', () => {
  it('is 0 for identical distributions and grows with the shift', () => {
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.6, 0.4])).toBeLessThan(psi([0.5, 0.5], [0.9, 0.1]));
  });

  it('sees no drift when live data follows the training fit and drift when it shifts by one std', () => {
    const monitor = new PsiMonitor(baselineFromPreprocessing(prep), options);
    for (const z of normals(2000)) monitor.observe({ 'f:x': 10 + 2 * z, 'f:amount': Math.expm1(2 + 0.5 * z) });
    const calm = monitor.report();
    expect(calm.map((f) => f.status)).toEqual(['ok', 'ok']);
    // The sliding window forgets the calm period once 2000 shifted rows arrived.
    for (const z of normals(2000, 99)) monitor.observe({ 'f:x': 12 + 2 * z, 'f:amount': Math.expm1(2 + 0.5 * z) });
    const [x, amount] = monitor.report();
    expect(x.status).toBe('drift');
    expect(x.psi).toBeGreaterThan(0.25);
    expect(amount.status).toBe('ok');
  });

  it('reports insufficient data below the minimum and ignores missing values', () => {
    const monitor = new PsiMonitor(baselineFromPreprocessing(prep), options);
    for (let i = 0; i < 500; i++) monitor.observe({ 'f:x': null, 'f:amount': 3 });
    const [x, amount] = monitor.report();
    expect(x).toEqual({ feature: 'f:x', psi: null, observations: 0, status: 'insufficient_data' });
    expect(amount.observations).toBe(500);
  });

  it('measures categorical drift against an explicit baseline, unknown values counting as other', () => {
    const monitor = new PsiMonitor([{ feature: 'p:plan', kind: 'categorical', proportions: { free: 0.7, plus: 0.2, pro: 0.1, __other__: 0 } }], options);
    for (let i = 0; i < 1000; i++) monitor.observe({ 'p:plan': i % 10 < 7 ? 'free' : i % 10 < 9 ? 'plus' : 'pro' });
    expect(monitor.report()[0].status).toBe('ok');
    for (let i = 0; i < 2000; i++) monitor.observe({ 'p:plan': i % 2 ? 'enterprise' : 'free' });
    expect(monitor.report()[0].status).toBe('drift');
  });

  it('names the features in breach with their PSI, and only those', () => {
    expect(
      breaches([
        { feature: 'a', psi: 0.3, observations: 500, status: 'drift' },
        { feature: 'b', psi: 0.12, observations: 500, status: 'warn' },
        { feature: 'c', psi: null, observations: 3, status: 'insufficient_data' },
        { feature: 'd', psi: 1.5, observations: 500, status: 'drift' },
      ]),
    ).toEqual([
      { feature: 'a', psi: 0.3 },
      { feature: 'd', psi: 1.5 },
    ]);
    expect(breaches([{ feature: 'a', psi: 0.01, observations: 500, status: 'ok' }])).toEqual([]);
  });

  it('sizes the live counts of a baseline and refuses proportions that do not fit its edges', () => {
    expect(baselineBins({ feature: 'x', kind: 'numeric', edges: [0, 1], proportions: [0.2, 0.5, 0.3] })).toBe(3);
    expect(baselineBins({ feature: 'p', kind: 'categorical', proportions: { free: 0.5, pro: 0.5, __other__: 0 } })).toBe(4);
    expect(() => baselineBins({ feature: 'x', kind: 'numeric', edges: [0, 1], proportions: [0.5, 0.5] })).toThrow('baseline of x: 2 edges need 3 proportions');
    expect(() => new PsiMonitor([{ feature: 'x', kind: 'numeric', edges: [0], proportions: [1] }], options)).toThrow(/1 edges need 2 proportions/);
  });
});
