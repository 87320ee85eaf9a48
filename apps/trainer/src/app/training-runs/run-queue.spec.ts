import type { ModelSpec } from '@mlp/contracts';
import { dataEnd } from './run-queue';

const at = Date.parse('2026-12-07T09:50:31.250Z');
const withSplit = (split: ModelSpec['split']) => ({ split }) as ModelSpec;

describe('the end of a run\'s data', () => {
  it('rounds a time split down to the settled minute', () => {
    expect(dataEnd(withSplit({ lookbackDays: 30, holdoutDays: 7 }), at).toISOString()).toBe('2026-12-07T09:50:00.000Z');
  });

  it('rounds a random split up, so rows loaded seconds ago are in the run', () => {
    expect(dataEnd(withSplit({ kind: 'random', testFraction: 0.25 }), at).toISOString()).toBe('2026-12-07T09:51:00.000Z');
  });

  it('keeps a whole minute as it is', () => {
    expect(dataEnd(withSplit({ kind: 'random', testFraction: 0.25 }), Date.parse('2026-12-07T09:50:00.000Z')).toISOString()).toBe('2026-12-07T09:50:00.000Z');
  });
});
