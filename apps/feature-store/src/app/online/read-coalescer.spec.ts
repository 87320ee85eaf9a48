import { ReadCoalescer } from './read-coalescer';

describe('read coalescer', () => {
  it('sends the reads of one event-loop turn as one call and hands each caller its own values', async () => {
    const calls: string[][] = [];
    const c = new ReadCoalescer<string>(async (keys) => {
      calls.push(keys);
      return keys.map((k) => `v:${k}`);
    });
    const [a, b, d] = await Promise.all([c.read(['a']), c.read(['b', 'c']), c.read([])]);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect([a, b, d]).toEqual([['v:a'], ['v:b', 'v:c'], []]);
    await c.read(['z']);
    expect(calls).toEqual([['a', 'b', 'c'], ['z']]);
  });

  it('flushes early at the key limit and fails every caller of a failed call', async () => {
    const calls: string[][] = [];
    const c = new ReadCoalescer<string>(async (keys) => {
      calls.push(keys);
      if (keys.includes('bad')) throw new Error('down');
      return keys;
    }, 3);
    const ok = c.read(['a', 'b', 'c']);
    const failing = [c.read(['bad']), c.read(['x'])];
    expect(await ok).toEqual(['a', 'b', 'c']);
    for (const f of failing) await expect(f).rejects.toThrow('down');
    expect(calls).toEqual([['a', 'b', 'c'], ['bad', 'x']]);
  });
});
