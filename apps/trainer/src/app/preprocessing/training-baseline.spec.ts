import { fitPreprocessing } from '@mlp/model-runtime';
import { OTHER_CATEGORY, trainingBaseline } from './training-baseline';

/** Serving's binning: the number of edges <= x. */
const binOf = (edges: readonly number[], x: number) => edges.filter((e) => x >= e).length;

describe('trainingBaseline', () => {
  it('puts a tenth of uniformly spread training values in each numeric bin, binned the way serving bins them', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ x: i }));
    const [h] = trainingBaseline(rows, fitPreprocessing(rows, ['x']));
    if (h.kind !== 'numeric') throw new Error('numeric expected');
    expect(h.edges).toHaveLength(9);
    for (const p of h.proportions) expect(p).toBeCloseTo(0.1, 5);
    const counted = new Array(h.edges.length + 1).fill(0);
    for (const r of rows) counted[binOf(h.edges, r.x)]++;
    expect(counted.map((c) => c / rows.length)).toEqual(h.proportions);
  });

  it('counts the real shares of a skewed count feature instead of assuming equal bins', () => {
    // 70% zeros, then a tail: ties collapse the lower deciles into one bin holding 70%.
    const rows = [...Array.from({ length: 700 }, () => ({ n: 0 })), ...Array.from({ length: 300 }, (_, i) => ({ n: 1 + (i % 30) }))];
    const [h] = trainingBaseline(rows, fitPreprocessing(rows, ['n']));
    if (h.kind !== 'numeric') throw new Error('numeric expected');
    expect(h.proportions[0]).toBeCloseTo(0.7, 5);
    expect(h.proportions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(h.edges.every((e, i) => i === 0 || e > h.edges[i - 1])).toBe(true);
  });

  it('ignores missing values and keeps a usable baseline for a constant feature', () => {
    const rows = [{ c: 5 }, { c: null }, { c: 5 }, { c: undefined }];
    const [h] = trainingBaseline(rows, fitPreprocessing(rows, ['c']));
    expect(h).toEqual({ feature: 'c', kind: 'numeric', edges: [5], proportions: [0, 1] });
  });

  it('gives categorical shares over the vocabulary with the rest pooled as other', () => {
    const rows = [{ plan: 'free' }, { plan: 'free' }, { plan: 'pro' }, { plan: null }];
    const p = fitPreprocessing(rows, ['plan']);
    const [h] = trainingBaseline([...rows, { plan: 'enterprise' }], p);
    expect(h).toEqual({ feature: 'plan', kind: 'categorical', proportions: { free: 0.5, pro: 0.25, [OTHER_CATEGORY]: 0.25 } });
  });
});
