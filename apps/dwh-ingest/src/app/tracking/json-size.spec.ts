import { jsonBytesUpperBound } from './json-size';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('jsonBytesUpperBound', () => {
  it('never underestimates the UTF-8 size of JSON.stringify, whatever the characters', () => {
    const samples: unknown[] = [
      { type: 'track', messageId: 'm-1', userId: 'u', properties: { path: '/a', price: 12.5, tags: ['x', 'y'], ok: true, none: null } },
      { text: '\u0001\u0002"\\\n\t' },
      { text: 'ä€𝄞 日本語'.repeat(50) },
      { ['k"\u0007ey']: ['\u001f'.repeat(100)] },
      [1e21, -0.000001234, Number.MAX_SAFE_INTEGER],
      { deep: { deeper: { deepest: [{ a: 'b' }] } } },
    ];
    for (const s of samples) expect(jsonBytesUpperBound(s)).toBeGreaterThanOrEqual(bytes(s));
  });

  it('clears a typical event far below 32 KB and flags one carrying a long text', () => {
    const event = { type: 'track', messageId: 'ab'.repeat(18), event: 'product_viewed', userId: 'user_00001', timestamp: '2026-11-24T10:00:00.000Z', properties: { product_id: 'p_0001', price: 29.99 }, context: { library: { name: 'x', version: '1.0.0' } } };
    expect(jsonBytesUpperBound(event)).toBeLessThan(4096);
    const big = { ...event, properties: { note: 'x'.repeat(40_000) } };
    expect(jsonBytesUpperBound(big, 32_768)).toBeGreaterThan(32_768);
  });

  it('measures a value nested 100,000 deep without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(jsonBytesUpperBound(deep)).toBeGreaterThan(100_000 * 7);
    expect(jsonBytesUpperBound(deep, 1000)).toBeGreaterThan(1000);
  });
});
