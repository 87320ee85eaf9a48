import { AnswerQueue } from './answer-queue';

// A clock that never moves: only the end of the turn writes (the hold bound has its own test).
const stoppedClock = () => 0;

describe('AnswerQueue', () => {
  it('writes nothing during the turn and everything queued in it, in order, once the turn ends', async () => {
    const written: number[] = [];
    const queue = new AnswerQueue<number>((n) => written.push(n), () => undefined, { now: stoppedClock });
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
    const queue = new AnswerQueue<string>((s) => written.push(s), () => undefined, { now: stoppedClock, schedule: (flush) => flushes.push(flush) });
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

  it('writes at once, with all those waiting, an answer queued when the oldest waiting one has been held maxHoldMs', () => {
    let clock = 100;
    const flushes: Array<() => void> = [];
    const written: string[] = [];
    const queue = new AnswerQueue<string>((s) => written.push(s), () => undefined, { maxHoldMs: 0.5, now: () => clock, schedule: (f) => flushes.push(f) });
    queue.push('a');
    clock += 0.3;
    queue.push('b');
    expect(written).toEqual([]);
    clock += 0.2; // 'a' has now waited 0.5 ms
    queue.push('c');
    expect(written).toEqual(['a', 'b', 'c']);
    queue.push('d'); // a new batch: held again, written at the end of the turn
    expect(written).toEqual(['a', 'b', 'c']);
    flushes.forEach((f) => f());
    expect(written).toEqual(['a', 'b', 'c', 'd']);
    expect(flushes).toHaveLength(1); // one end-of-turn flush was enough
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
      { now: stoppedClock },
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
      { now: stoppedClock },
    );
    queue.push('a');
    queue.push('b');
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['a', 'b']);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['a', 'b', 'late']);
  });
});
