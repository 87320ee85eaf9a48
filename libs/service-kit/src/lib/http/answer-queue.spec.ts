import { AnswerQueue } from './answer-queue';

describe('AnswerQueue', () => {
  it('writes nothing during the turn and everything queued in it, in order, once the turn ends', async () => {
    const written: number[] = [];
    const queue = new AnswerQueue<number>((n) => written.push(n), () => undefined);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(written).toEqual([]);
    expect(queue.size).toBe(3);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([1, 2, 3]);
    expect(queue.size).toBe(0);
  });

  it('schedules one flush per turn, and a new one for answers queued after it', () => {
    const flushes: Array<() => void> = [];
    const written: string[] = [];
    const queue = new AnswerQueue<string>((s) => written.push(s), () => undefined, (flush) => flushes.push(flush));
    queue.push('a');
    queue.push('b');
    expect(flushes).toHaveLength(1);
    flushes[0]();
    expect(written).toEqual(['a', 'b']);
    queue.push('c');
    expect(flushes).toHaveLength(2);
    flushes[1]();
    expect(written).toEqual(['a', 'b', 'c']);
  });

  it('writes the other answers when one write throws, and reports the one that failed', async () => {
    const written: string[] = [];
    const failures: Array<[string, string]> = [];
    const queue = new AnswerQueue<string>(
      (s) => {
        if (s === 'broken') throw new Error('socket gone');
        written.push(s);
      },
      (s, err) => failures.push([s, (err as Error).message]),
    );
    for (const s of ['first', 'broken', 'last']) queue.push(s);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['first', 'last']);
    expect(failures).toEqual([['broken', 'socket gone']]);
  });

  it('takes answers queued while it writes into the next turn, not the current one', async () => {
    const written: string[] = [];
    const queue: AnswerQueue<string> = new AnswerQueue<string>(
      (s) => {
        written.push(s);
        if (s === 'a') queue.push('late');
      },
      () => undefined,
    );
    queue.push('a');
    queue.push('b');
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['a', 'b']);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['a', 'b', 'late']);
  });
});
