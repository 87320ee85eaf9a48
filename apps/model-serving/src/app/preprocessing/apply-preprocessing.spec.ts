import type { Preprocessing } from '@mlp/contracts';
import { applyPreprocessing, checkPreprocessing } from './apply-preprocessing';

const prep: Preprocessing = {
  outputWidth: 7,
  features: [
    { kind: 'numeric', name: 'activity:orders_7d', mean: 1, std: 2, fill: 3, missingIndicator: true, clip: [0, 10] },
    { kind: 'numeric', name: 'activity:revenue_7d', mean: Math.log1p(9), std: 1, fill: 0, missingIndicator: false, log1p: true },
    { kind: 'categorical', name: 'profile:plan', categories: ['free', 'plus', 'pro'], oov: true },
  ],
};

describe('applyPreprocessing', () => {
  it('standardises, clips, log-transforms and one-hot encodes a complete row', () => {
    const { matrix, reports } = applyPreprocessing(prep, [{ 'activity:orders_7d': 25, 'activity:revenue_7d': 9, 'profile:plan': 'plus' }]);
    // 25 clipped to 10 -> (10 - 1) / 2; log1p(9) - mean = 0; one-hot plus.
    expect(Array.from(matrix)).toEqual([4.5, 0, 0, 0, 1, 0, 0]);
    expect(reports[0]).toEqual({ statuses: { 'activity:orders_7d': 'PRESENT', 'activity:revenue_7d': 'PRESENT', 'profile:plan': 'PRESENT' }, filled: [] });
  });

  it('fills missing and stale values, sets the missing indicator and reports them', () => {
    const { matrix, reports } = applyPreprocessing(
      prep,
      [{ 'activity:orders_7d': 7, 'activity:revenue_7d': null, 'profile:plan': 'enterprise' }],
      [{ 'activity:orders_7d': 'OUTSIDE_MAX_AGE', 'activity:revenue_7d': 'NOT_FOUND', 'profile:plan': 'PRESENT' }],
    );
    // stale 7 is ignored: fill 3 -> (3-1)/2 = 1, indicator 1; revenue fill 0 -> log1p(0) - log1p(9); OOV slot.
    expect(matrix[0]).toBe(1);
    expect(matrix[1]).toBe(1);
    expect(matrix[2]).toBeCloseTo(-Math.log1p(9), 5);
    expect(Array.from(matrix.slice(3))).toEqual([0, 0, 0, 1]);
    expect(reports[0].filled).toEqual(['activity:orders_7d', 'activity:revenue_7d']);
    expect(reports[0].statuses['activity:orders_7d']).toBe('OUTSIDE_MAX_AGE');
  });

  it('treats non-numeric values of numeric features as missing and absent categories as all zeros', () => {
    const { matrix, reports } = applyPreprocessing(prep, [{ 'activity:orders_7d': 'many' }]);
    expect(matrix[1]).toBe(1);
    expect(Array.from(matrix.slice(3))).toEqual([0, 0, 0, 0]);
    expect(reports[0].filled).toEqual(['activity:orders_7d', 'activity:revenue_7d', 'profile:plan']);
    expect(reports[0].statuses['profile:plan']).toBe('NOT_FOUND');
  });

  it('rejects a preprocessing whose declared width does not match its transforms', () => {
    expect(checkPreprocessing(prep)).toBeUndefined();
    expect(checkPreprocessing({ ...prep, outputWidth: 6 })).toMatch(/outputWidth 6 .* produce 7/);
  });
});
