import { GroupCommit, type GroupCommitClock, type GroupCommitOptions, type GroupOutcome } from './group-commit';

/** A clock the test drives: nothing runs until the test ends the turn or lets the wait expire. */
function manualClock() {
  const deferred: Array<() => void> = [];
  const timers: Array<{ ms: number; fn: () => void; cancelled: boolean }> = [];
  const clock: GroupCommitClock = {
    defer: (fn) => void deferred.push(fn),
    after: (ms, fn) => {
      const t = { ms, fn, cancelled: false };
      timers.push(t);
      return () => void (t.cancelled = true);
    },
  };
  return {
    clock,
    endTurn: () => deferred.splice(0).forEach((fn) => fn()),
    expireWait: () => timers.splice(0).forEach((t) => !t.cancelled && t.fn()),
    armedWaits: () => timers.filter((t) => !t.cancelled).map((t) => t.ms),
  };
}

/** A group write the test completes by hand, recording each group it was given. */
function manualWrite() {
  const calls: Array<{ items: string[]; finish(outcomes?: Array<GroupOutcome<string>>): void; fail(err: unknown): void }> = [];
  const write = (items: string[]) =>
    new Promise<Array<GroupOutcome<string>>>((resolve, reject) => {
      calls.push({ items, finish: (outcomes) => resolve(outcomes ?? items.map((i) => ({ ok: true, value: `stored ${i}` }))), fail: reject });
    });
  return { calls, write };
}

const flush = () => new Promise((r) => setImmediate(r));
const options: GroupCommitOptions = { maxRows: 1000, maxBytes: 1_000_000, maxWaitMs: 20, maxConcurrentWrites: 2 };

describe('group commit of concurrent requests', () => {
  it('writes requests of one turn together, and those that arrive during a write as the next group, in arrival order', async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, options, t.clock);
    const a = gc.submit('a', 10, 10);
    const b = gc.submit('b', 10, 10);
    expect(w.calls).toHaveLength(0);
    t.endTurn();
    expect(w.calls.map((c) => c.items)).toEqual([['a', 'b']]);

    const c = gc.submit('c', 10, 10);
    const d = gc.submit('d', 10, 10);
    t.endTurn();
    expect(w.calls).toHaveLength(1);
    w.calls[0].finish();
    await expect(Promise.all([a, b])).resolves.toEqual(['stored a', 'stored b']);
    await flush();
    expect(w.calls.map((x) => x.items)).toEqual([['a', 'b'], ['c', 'd']]);
    w.calls[1].finish();
    await expect(Promise.all([c, d])).resolves.toEqual(['stored c', 'stored d']);
    expect(gc.pending).toBe(0);
  });

  it('answers no request before the write holding it has finished', async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, options, t.clock);
    let answered = false;
    const a = gc.submit('a', 1, 1).then(() => (answered = true));
    t.endTurn();
    await flush();
    expect(answered).toBe(false);
    w.calls[0].finish();
    await a;
    expect(answered).toBe(true);
  });

  it('keeps each group within the row and byte caps, and writes a request larger than a cap alone', async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, { ...options, maxRows: 100, maxBytes: 1000, maxConcurrentWrites: 1 }, t.clock);
    gc.submit('first', 1, 1);
    t.endTurn();
    for (const [id, rows, bytes] of [
      ['r60', 60, 10],
      ['r50', 50, 10],
      ['b900', 1, 900],
      ['b200', 1, 200],
      ['huge', 500, 10],
      ['last', 1, 1],
    ] as const) {
      gc.submit(id, rows, bytes);
    }
    const done: string[][] = [];
    for (let i = 0; i < 5; i++) {
      const call = w.calls[i];
      done.push(call.items);
      call.finish();
      await flush();
    }
    expect(done).toEqual([['first'], ['r60'], ['r50', 'b900'], ['b200'], ['huge']]);
    expect(w.calls[5].items).toEqual(['last']);
  });

  it('starts a full group on a free writer at once, without waiting for the busy one', () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, { ...options, maxRows: 100 }, t.clock);
    gc.submit('a', 1, 1);
    t.endTurn();
    gc.submit('b', 60, 1);
    expect(w.calls).toHaveLength(1);
    gc.submit('c', 40, 1);
    expect(w.calls.map((c) => c.items)).toEqual([['a'], ['b', 'c']]);
  });

  it('starts a further writer for requests that waited the maximum wait behind a busy write, up to the writer limit', async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, options, t.clock);
    gc.submit('a', 1, 1);
    t.endTurn();
    gc.submit('b', 1, 1);
    gc.submit('c', 1, 1);
    expect(t.armedWaits()).toEqual([20]);
    t.expireWait();
    expect(w.calls.map((c) => c.items)).toEqual([['a'], ['b', 'c']]);
    gc.submit('d', 1, 1);
    // Both writers are busy: d waits for one of them, with no further timer.
    expect(t.armedWaits()).toEqual([]);
    w.calls[1].finish();
    await flush();
    expect(w.calls.map((c) => c.items)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it("fails only the request whose outcome is an error: one request's bad data never fails another", async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, options, t.clock);
    const good = gc.submit('good', 1, 1);
    const bad = gc.submit('bad', 1, 1);
    const alsoGood = gc.submit('also good', 1, 1);
    t.endTurn();
    const refused = new Error('invalid byte sequence');
    w.calls[0].finish([
      { ok: true, value: 'stored good' },
      { ok: false, error: refused },
      { ok: true, value: 'stored also good' },
    ]);
    await expect(good).resolves.toBe('stored good');
    await expect(bad).rejects.toBe(refused);
    await expect(alsoGood).resolves.toBe('stored also good');
  });

  it('fails every request of a group whose write throws (database down) and writes the next group normally', async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, { ...options, maxConcurrentWrites: 1 }, t.clock);
    const a = gc.submit('a', 1, 1);
    const b = gc.submit('b', 1, 1);
    t.endTurn();
    const c = gc.submit('c', 1, 1);
    const down = new Error('connection refused');
    w.calls[0].fail(down);
    await expect(a).rejects.toBe(down);
    await expect(b).rejects.toBe(down);
    await flush();
    expect(w.calls[1].items).toEqual(['c']);
    w.calls[1].finish();
    await expect(c).resolves.toBe('stored c');
  });

  it('fails the group when the write returns the wrong number of outcomes, instead of answering a request with another one', async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, options, t.clock);
    const a = gc.submit('a', 1, 1);
    const b = gc.submit('b', 1, 1);
    t.endTurn();
    w.calls[0].finish([{ ok: true, value: 'stored a' }]);
    await expect(a).rejects.toThrow('1 outcomes for 2 requests');
    await expect(b).rejects.toThrow('1 outcomes for 2 requests');
  });

  it('drains: resolves once every queued and running request has been written', async () => {
    const t = manualClock();
    const w = manualWrite();
    const gc = new GroupCommit(w.write, { ...options, maxConcurrentWrites: 1 }, t.clock);
    gc.submit('a', 1, 1);
    t.endTurn();
    gc.submit('b', 1, 1);
    let drained = false;
    const wait = gc.drained().then(() => (drained = true));
    w.calls[0].finish();
    await flush();
    expect(drained).toBe(false);
    w.calls[1].finish();
    await wait;
    expect(gc.pending).toBe(0);
  });

  it('refuses options that would never write a group', () => {
    expect(() => new GroupCommit(manualWrite().write, { ...options, maxRows: 0 })).toThrow('invalid group commit options');
    expect(() => new GroupCommit(manualWrite().write, { ...options, maxConcurrentWrites: 0 })).toThrow('invalid group commit options');
  });
});
