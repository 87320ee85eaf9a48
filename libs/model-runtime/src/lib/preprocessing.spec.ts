import type { Preprocessing } from '@mlp/contracts';
import { applyToRows, checkPreprocessing, coerceNumericColumns, fitPreprocessing, outputNames, preprocessColumns, type RawRecord } from './preprocessing';

const one = (p: Preprocessing, record: RawRecord) => Array.from(applyToRows(p, [record]));

describe('preprocessing fitted on the training split', () => {
  const train = [
    { 'u:age': 20, 'u:plan': 'free', 'u:revenue': '10.50' },
    { 'u:age': 40, 'u:plan': 'pro', 'u:revenue': null },
    { 'u:age': null, 'u:plan': 'free', 'u:revenue': '30.50' },
  ];

  it('z-scores numeric features with training statistics and fills gaps with the training median', () => {
    const p = fitPreprocessing(train, ['u:age']);
    expect(p.features[0]).toEqual({ kind: 'numeric', name: 'u:age', mean: 30, std: 10, fill: 30, missingIndicator: true });
    expect(one(p, { 'u:age': 50 })).toEqual([2, 0]);
    expect(one(p, { 'u:age': null })).toEqual([0, 1]);
    expect(one(p, {})).toEqual([0, 1]);
  });

  it('keeps numeric features raw for kinds that read them as they are (standardise: false), still filling gaps with the median', () => {
    const p = fitPreprocessing(train, ['u:age', 'u:plan'], { standardise: false });
    expect(p.features[0]).toEqual({ kind: 'numeric', name: 'u:age', mean: 0, std: 1, fill: 30, missingIndicator: true });
    expect(one(p, { 'u:age': 37, 'u:plan': 'pro' })).toEqual([37, 0, 0, 1, 0]);
    expect(one(p, { 'u:age': null, 'u:plan': 'free' })).toEqual([30, 1, 1, 0, 0]);
  });

  it('reads numeric strings (PostgreSQL numeric) as numbers when fitting and applying, and coerces them for statistics', () => {
    const p = fitPreprocessing(train, ['u:revenue']);
    expect(p.features[0]).toMatchObject({ kind: 'numeric', mean: 20.5, std: 10, fill: 20.5 });
    const rows = coerceNumericColumns([{ 'u:revenue': '30.50' }, { 'u:revenue': 'n/a' }], p);
    expect(rows).toEqual([{ 'u:revenue': 30.5 }, { 'u:revenue': null }]);
    expect(one(p, rows[0])).toEqual([1, 0]);
    // The same value as text gives the same input: one rule for training and for serving.
    expect(one(p, { 'u:revenue': '30.50' })).toEqual([1, 0]);
    expect(one(p, { 'u:revenue': 'many' })).toEqual([0, 1]);
  });

  it('does not let held-out rows influence the statistics', () => {
    const p = fitPreprocessing(train, ['u:age']);
    const withFuture = fitPreprocessing([...train, { 'u:age': 1000, 'u:plan': 'plus', 'u:revenue': null }], ['u:age']);
    expect(withFuture.features[0]).not.toEqual(p.features[0]);
    // The held-out value is transformed with the training statistics only.
    expect(one(p, { 'u:age': 1000 })[0]).toBeCloseTo(97, 6);
  });

  it('one-hot encodes categories by frequency and maps unseen values to the out-of-vocabulary slot', () => {
    const p = fitPreprocessing(train, ['u:plan']);
    expect(p.features[0]).toEqual({ kind: 'categorical', name: 'u:plan', categories: ['free', 'pro'], oov: true });
    expect(one(p, { 'u:plan': 'pro' })).toEqual([0, 1, 0]);
    expect(one(p, { 'u:plan': 'enterprise' })).toEqual([0, 0, 1]);
    // A missing category sets nothing.
    expect(one(p, { 'u:plan': null })).toEqual([0, 0, 0]);
  });

  it('sends rare categories to OOV and caps the vocabulary', () => {
    const rows = ['a', 'a', 'b', 'b', 'c'].map((v) => ({ x: v }));
    expect(fitPreprocessing(rows, ['x'], { minCategoryCount: 2 }).features[0]).toMatchObject({ categories: ['a', 'b'] });
    expect(fitPreprocessing(rows, ['x'], { maxCategories: 1 }).features[0]).toMatchObject({ categories: ['a'] });
  });

  it('lays out the model vector in feature order with a stable width and names', () => {
    const p = fitPreprocessing(train, ['u:age', 'u:plan']);
    expect(p.outputWidth).toBe(5);
    expect(outputNames(p)).toEqual(['u:age', 'u:age#missing', 'u:plan=free', 'u:plan=pro', 'u:plan#oov']);
    expect(Array.from(applyToRows(p, train))).toEqual([-1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0]);
  });
});

describe('preprocessColumns', () => {
  const prep: Preprocessing = {
    outputWidth: 7,
    features: [
      { kind: 'numeric', name: 'activity:orders_7d', mean: 1, std: 2, fill: 3, missingIndicator: true, clip: [0, 10] },
      { kind: 'numeric', name: 'activity:revenue_7d', mean: Math.log1p(9), std: 1, fill: 0, missingIndicator: false, log1p: true },
      { kind: 'categorical', name: 'profile:plan', categories: ['free', 'plus', 'pro'], oov: true },
    ],
  };

  it('standardises, clips, log-transforms and one-hot encodes, column by column', () => {
    const m = preprocessColumns(prep, [[25, 7], [9, true], ['plus', 'enterprise']], 2);
    // 25 clipped to 10 -> (10 - 1) / 2; log1p(9) - mean = 0; one-hot plus. Row 2: true reads as 1; OOV slot.
    expect(Array.from(m.slice(0, 7))).toEqual([4.5, 0, 0, 0, 1, 0, 0]);
    expect(m[7]).toBe(3);
    expect(m[9]).toBeCloseTo(Math.log1p(1) - Math.log1p(9), 6);
    expect(Array.from(m.slice(10))).toEqual([0, 0, 0, 1]);
  });

  it('fills missing values as training did: the fill for numbers (with the indicator), all zeros for categories', () => {
    const m = preprocessColumns(prep, [[null], [undefined], [null]], 1);
    expect(Array.from(m.slice(0, 2))).toEqual([1, 1]);
    expect(m[2]).toBeCloseTo(-Math.log1p(9), 6);
    expect(Array.from(m.slice(3))).toEqual([0, 0, 0, 0]);
  });

  it('gives the matrix applyToRows gives for the same records', () => {
    const records = [
      { 'activity:orders_7d': 4, 'activity:revenue_7d': 120.5, 'profile:plan': 'pro' },
      { 'activity:orders_7d': null, 'activity:revenue_7d': 0, 'profile:plan': 'gold' },
    ];
    const columns = prep.features.map((t) => records.map((r) => r[t.name as keyof (typeof records)[0]]));
    expect(Array.from(preprocessColumns(prep, columns, 2))).toEqual(Array.from(applyToRows(prep, records)));
  });

  it('rejects a preprocessing whose declared width does not match its transforms', () => {
    expect(checkPreprocessing(prep)).toBeUndefined();
    expect(checkPreprocessing({ ...prep, outputWidth: 6 })).toMatch(/outputWidth 6 .* produce 7/);
  });
});
