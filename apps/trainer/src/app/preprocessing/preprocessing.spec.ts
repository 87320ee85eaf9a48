import { applyPreprocessing, applyToRows, coerceNumericColumns, fitPreprocessing, outputNames } from './preprocessing';

describe('preprocessing fitted on the training split', () => {
  const train = [
    { 'u:age': 20, 'u:plan': 'free', 'u:revenue': '10.50' },
    { 'u:age': 40, 'u:plan': 'pro', 'u:revenue': null },
    { 'u:age': null, 'u:plan': 'free', 'u:revenue': '30.50' },
  ];

  it('z-scores numeric features with training statistics and fills gaps with the training median', () => {
    const p = fitPreprocessing(train, ['u:age']);
    expect(p.features[0]).toEqual({ kind: 'numeric', name: 'u:age', mean: 30, std: 10, fill: 30, missingIndicator: true });
    expect(Array.from(applyPreprocessing(p, { 'u:age': 50 }))).toEqual([2, 0]);
    expect(Array.from(applyPreprocessing(p, { 'u:age': null }))).toEqual([0, 1]);
    expect(Array.from(applyPreprocessing(p, {}))).toEqual([0, 1]);
  });

  it('fits numeric strings (PostgreSQL numeric) as numbers and coerces them before training', () => {
    const p = fitPreprocessing(train, ['u:revenue']);
    expect(p.features[0]).toMatchObject({ kind: 'numeric', mean: 20.5, std: 10, fill: 20.5 });
    const rows = coerceNumericColumns([{ 'u:revenue': '30.50' }, { 'u:revenue': 'n/a' }], p);
    expect(rows).toEqual([{ 'u:revenue': 30.5 }, { 'u:revenue': null }]);
    expect(Array.from(applyPreprocessing(p, rows[0]))).toEqual([1, 0]);
  });

  it('does not let held-out rows influence the statistics', () => {
    const p = fitPreprocessing(train, ['u:age']);
    const withFuture = fitPreprocessing([...train, { 'u:age': 1000, 'u:plan': 'plus', 'u:revenue': null }], ['u:age']);
    expect(withFuture.features[0]).not.toEqual(p.features[0]);
    // The held-out value is transformed with the training statistics only.
    expect(applyPreprocessing(p, { 'u:age': 1000 })[0]).toBeCloseTo(97, 6);
  });

  it('one-hot encodes categories by frequency and maps unseen values to the out-of-vocabulary slot', () => {
    const p = fitPreprocessing(train, ['u:plan']);
    expect(p.features[0]).toEqual({ kind: 'categorical', name: 'u:plan', categories: ['free', 'pro'], oov: true });
    expect(Array.from(applyPreprocessing(p, { 'u:plan': 'pro' }))).toEqual([0, 1, 0]);
    expect(Array.from(applyPreprocessing(p, { 'u:plan': 'enterprise' }))).toEqual([0, 0, 1]);
    // A missing category sets nothing, as model-serving does.
    expect(Array.from(applyPreprocessing(p, { 'u:plan': null }))).toEqual([0, 0, 0]);
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
    // Serving sees online features as JSON numbers; a numeric string there is treated as missing.
    expect(Array.from(applyPreprocessing(p, { 'u:age': '50' as unknown as number, 'u:plan': 'free' }))).toEqual([0, 1, 1, 0, 0]);
  });

  it('applies clip and log1p before normalising when the transform asks for them', () => {
    const p = { features: [{ kind: 'numeric' as const, name: 'x', mean: 0, std: 1, fill: 0, missingIndicator: false, clip: [0, 9] as [number, number], log1p: true }], outputWidth: 1 };
    expect(applyPreprocessing(p, { x: 100 })[0]).toBeCloseTo(Math.log(10), 6);
  });
});
