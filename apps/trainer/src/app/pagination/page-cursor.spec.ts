import { decodeCursor, encodeCursor, isRunKey, isVersionKey, pageLimit } from './page-cursor';

describe('page cursors', () => {
  it('give back the key they were made from', () => {
    const run: [string, string] = ['1796641200123456', '0b8e5c43-8a7e-4a43-9a52-0f5d8bbd6c11'];
    expect(decodeCursor(encodeCursor(run), isRunKey)).toEqual(run);
    expect(decodeCursor(encodeCursor([42]), isVersionKey)).toEqual([42]);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['not JSON', Buffer.from('{{').toString('base64url')],
    ['a version key for runs', encodeCursor([42])],
    ['a run id that is no UUID', encodeCursor(['1', "x' OR 1=1 --"])],
    ['a time that is no integer', encodeCursor(['1e99', '0b8e5c43-8a7e-4a43-9a52-0f5d8bbd6c11'])],
  ])('refuse %s with 400 INVALID_CURSOR', (_what, raw) => {
    expect(() => decodeCursor(raw, isRunKey)).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_CURSOR' }));
  });

  it('refuse a version key out of range', () => {
    for (const v of [0, -1, 1.5, 2 ** 31, '3']) expect(() => decodeCursor(encodeCursor([v as number]), isVersionKey)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });

  it('check limits', () => {
    expect(pageLimit(undefined, 50, 500)).toBe(50);
    expect(pageLimit('500', 50, 500)).toBe(500);
    for (const bad of ['0', '501', '1.5', '-1', 'ten', '']) expect(() => pageLimit(bad, 50, 500)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
