import { decodeResultsCursor, encodeResultsCursor, resultsLimit } from './batch-results-page';

describe('batch results paging', () => {
  it('gives back the entity key a cursor was made from, whatever its characters', () => {
    for (const key of ['u1', 'user 42', 'ü/ß?&=', 'k:k', '']) expect(decodeResultsCursor(encodeResultsCursor(key))).toBe(key);
  });

  it('refuses a cursor it did not make with 400 INVALID_CURSOR', () => {
    for (const bad of ['not-a-cursor', 'dTE', 'a+b/', encodeResultsCursor('u1') + '=']) {
      expect(() => decodeResultsCursor(bad)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_CURSOR' }));
    }
  });

  it('takes limits 1..1000, 100 by default', () => {
    expect([resultsLimit(undefined), resultsLimit('1'), resultsLimit('1000')]).toEqual([100, 1, 1000]);
    for (const bad of ['0', '1001', '9999']) expect(() => resultsLimit(bad)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_LIMIT' }));
  });
});
