import { timeSplit } from './time-split';

const day = (d: number) => Date.UTC(2026, 0, d);

describe('time-based split', () => {
  const rows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((d) => ({ d, ts: day(d) }));

  it('holds out the most recent window and trains on what came before', () => {
    const s = timeSplit(rows, (r) => r.ts, { end: new Date(day(11)), holdoutDays: 3 });
    expect(s.holdout.map((r) => r.d)).toEqual([8, 9, 10]);
    expect(s.train.map((r) => r.d)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.holdoutStart.toISOString()).toBe('2026-01-08T00:00:00.000Z');
  });

  it('takes validation rows from the most recent part of the training window, not at random', () => {
    const shuffled = [...rows].reverse();
    const s = timeSplit(shuffled, (r) => r.ts, { end: new Date(day(11)), holdoutDays: 3, validationFraction: 0.3 });
    expect(s.validation.map((r) => r.d)).toEqual([6, 7]);
    expect(s.train.map((r) => r.d)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops rows at or after the end (labels not final yet) and rows without a timestamp', () => {
    const s = timeSplit([...rows, { d: 0, ts: Number.NaN }], (r) => r.ts, { end: new Date(day(9)), holdoutDays: 2 });
    expect([...s.train, ...s.holdout].map((r) => r.d).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.holdout.map((r) => r.d)).toEqual([7, 8]);
  });
});
