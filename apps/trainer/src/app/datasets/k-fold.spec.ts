import { kFoldAssignment } from './k-fold';

// 103 rows, 31 positives: sizes that do not divide by the fold count.
const rows = Array.from({ length: 103 }, (_, i) => ({ id: `r${i}`, label: i % 10 < 3 ? 1 : 0 }));
const assign = (from = rows, folds = 5, seed = 11, stratify = true) => kFoldAssignment(from, (r) => r.id, (r) => r.label, { folds, stratify, seed });
const foldsById = (from: typeof rows, folds: number[]) => new Map(from.map((r, i) => [r.id, folds[i]]));

describe('k-fold assignment', () => {
  it('puts every row in exactly one fold, fold sizes differing by at most one', () => {
    const folds = assign();
    expect(folds).toHaveLength(103);
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((x) => x === f).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(103);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('keeps each class count per fold within one of an equal share when stratified (31 positives over 5 folds: 6 or 7 each)', () => {
    const folds = assign();
    for (const label of [0, 1]) {
      const total = rows.filter((r) => r.label === label).length;
      for (let f = 0; f < 5; f++) {
        const n = rows.filter((r, i) => r.label === label && folds[i] === f).length;
        expect([Math.floor(total / 5), Math.ceil(total / 5)]).toContain(n);
      }
    }
  });

  it('gives the same folds for the same seed whatever order the rows come in, and other folds for another seed', () => {
    const a = foldsById(rows, assign());
    const reversed = [...rows].reverse();
    expect(foldsById(reversed, assign(reversed))).toEqual(a);
    const other = foldsById(rows, assign(rows, 5, 12));
    expect([...other.entries()].filter(([id, f]) => a.get(id) !== f).length).toBeGreaterThan(20);
  });

  it('refuses fewer than two folds', () => {
    expect(() => assign(rows, 1)).toThrow(/at least 2 folds/);
  });
});
