import type { BaselineHistogram } from '@mlp/contracts';
import { checkExplicitBaseline, composeBaseline, overallSource, versionKey } from './baseline-sources';

const numeric = (feature: string, edges: number[]): BaselineHistogram => ({ feature, kind: 'numeric', edges, proportions: new Array(edges.length + 1).fill(1 / (edges.length + 1)) });
const categorical = (feature: string): BaselineHistogram => ({ feature, kind: 'categorical', proportions: { a: 0.5, b: 0.5, __other__: 0 } });

describe('drift baseline sources', () => {
  const pre = [numeric('v:x', [0]), numeric('v:y', [0]), numeric('v:z', [0])];
  const store = [numeric('v:y', [1]), numeric('v:z', [1])];
  const training = [numeric('v:z', [2])];

  it('takes per feature the training histogram, else the feature store, else the preprocessing', () => {
    const { histograms, sources } = composeBaseline({ preprocessing: pre, featureStore: store, training });
    expect(Object.fromEntries(sources)).toEqual({ 'v:x': 'preprocessing', 'v:y': 'feature_store', 'v:z': 'training' });
    expect(histograms.map((b) => [b.feature, b.kind === 'numeric' ? b.edges : null])).toEqual([
      ['v:x', [0]],
      ['v:y', [1]],
      ['v:z', [2]],
    ]);
    expect(overallSource(sources)).toBe('training');
  });

  it('lets an explicit baseline replace every other source, features it leaves out included', () => {
    const explicit = [categorical('v:plan')];
    const { histograms, sources } = composeBaseline({ explicit, preprocessing: pre, featureStore: store, training });
    expect(histograms).toEqual(explicit);
    expect(Object.fromEntries(sources)).toEqual({ 'v:plan': 'explicit' });
    expect(overallSource(sources)).toBe('explicit');
  });

  it('names the strongest source present for the whole version', () => {
    expect(overallSource(composeBaseline({ preprocessing: pre, featureStore: store }).sources)).toBe('feature_store');
    expect(overallSource(composeBaseline({ preprocessing: pre }).sources)).toBe('preprocessing');
    expect(overallSource(new Map())).toBe('preprocessing');
  });

  it('refuses an explicit baseline naming features the model does not use, each named', () => {
    const features = new Set(['v:x', 'v:plan']);
    expect(() => checkExplicitBaseline(features, [numeric('v:x', [0]), categorical('v:plan')])).not.toThrow();
    expect(() => checkExplicitBaseline(features, [categorical('o:thing'), numeric('v:x', [0]), numeric('o:other', [0])])).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'VALIDATION_FAILED',
        details: [
          { path: 'o:thing', code: 'UNKNOWN_FEATURE', message: 'o:thing' },
          { path: 'o:other', code: 'UNKNOWN_FEATURE', message: 'o:other' },
        ],
      }),
    );
  });

  it('refuses a numeric histogram whose proportions do not fit its edges', () => {
    const bad: BaselineHistogram = { feature: 'v:x', kind: 'numeric', edges: [0, 1], proportions: [0.5, 0.5] };
    expect(() => checkExplicitBaseline(new Set(['v:x']), [bad])).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_BASELINE', message: 'baseline of v:x: 2 edges need 3 proportions' }));
  });

  it('keys baselines by model and version', () => {
    expect(versionKey('churn', 2)).toBe('churn@2');
    expect(versionKey('churn', 2)).not.toBe(versionKey('churn', 12));
  });
});
