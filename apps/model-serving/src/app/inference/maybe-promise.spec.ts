import { always, andThen, onFailure } from './maybe-promise';

describe('maybe-promise', () => {
  it('chains synchronously when the value is here, and through the promise when it is not', async () => {
    expect(andThen(2, (x) => x * 3)).toBe(6);
    const later = andThen(Promise.resolve(2), (x) => x * 3);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe(6);
  });

  it('runs the clean-up once whether the work answers, throws or rejects, now or later', async () => {
    let done = 0;
    expect(always(() => 1, () => done++)).toBe(1);
    expect(() => always(() => { throw new Error('now'); }, () => done++)).toThrow('now');
    expect(done).toBe(2);
    const later = always(() => Promise.resolve(1), () => done++);
    expect(done).toBe(2); // not before the answer
    expect(await later).toBe(1);
    await expect(always(() => Promise.reject(new Error('later')), () => done++)).rejects.toThrow('later');
    expect(done).toBe(4);
  });

  it('shows every failure, thrown or rejected, once, and passes it on', async () => {
    const seen: unknown[] = [];
    expect(onFailure(() => 5, (e) => seen.push(e))).toBe(5);
    expect(() => onFailure(() => { throw new Error('now'); }, (e) => seen.push(e))).toThrow('now');
    await expect(onFailure(() => Promise.reject(new Error('later')), (e) => seen.push(e))).rejects.toThrow('later');
    await expect(onFailure(() => Promise.resolve(7), (e) => seen.push(e))).resolves.toBe(7);
    expect(seen.map((e) => (e as Error).message)).toEqual(['now', 'later']);
  });
});
