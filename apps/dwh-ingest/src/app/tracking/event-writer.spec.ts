import { copyText } from '../warehouse/copy-text';
import { eventsCopyText } from './event-writer';
import type { EventRow } from './message-validation';

/** The COPY text as it was built before (one string per request), encoded as UTF-8. */
function reference(rows: EventRow[]): Buffer {
  const nullable = (s: string | null) => (s === null ? '\\N' : copyText(s));
  let out = '';
  for (const r of rows) {
    out +=
      `${copyText(r.messageId)}\t${r.type}\t${copyText(r.event)}\t${copyText(r.schemaVersion)}\t${nullable(r.userId)}\t${nullable(r.anonymousId)}\t` +
      `${copyText(JSON.stringify(r.properties))}\t${r.context ? copyText(JSON.stringify(r.context)) : '\\N'}\t` +
      `${r.deviceCreatedAt}\t${r.deviceSentAt ?? '\\N'}\t${r.receivedAt}\t${r.derivedAt}\t` +
      `${nullable(r.schemaName)}\t${nullable(r.category)}\t${nullable(r.groupId)}\t${nullable(r.previousId)}\n`;
  }
  return Buffer.from(out);
}

const row = (i: number, over: Partial<EventRow> = {}): EventRow => ({
  messageId: `m-${i}`,
  type: 'track',
  event: 'product_viewed',
  schemaName: null,
  schemaVersion: '1-0-0',
  category: null,
  groupId: null,
  previousId: null,
  userId: `u${i}`,
  anonymousId: null,
  properties: { product_id: `p${i}`, price: i + 0.5 },
  context: { library: { name: 'test' } },
  deviceCreatedAt: '2026-11-20T10:00:00.000Z',
  deviceSentAt: null,
  receivedAt: '2026-11-20T10:00:01.000Z',
  derivedAt: '2026-11-20T10:00:00.000Z',
  ...over,
});

describe('COPY text of accepted events', () => {
  it('is byte for byte the text built as one string, escapes and non-ASCII included', () => {
    const rows = [
      row(1),
      row(2, { userId: null, anonymousId: 'a\tb\\c\nd\re', context: null, deviceSentAt: '2026-11-20T09:59:00.000Z' }),
      row(3, { messageId: 'é-😀-\u2028', properties: { text: 'tab\there', path: 'C:\\dir\\file', nl: 'a\nb', emoji: '😀', cjk: '漢字' } }),
      row(4, { type: 'identify', event: 'identify', schemaName: null, properties: { nested: [[['[', ']'], { '}{': '"' }]] } }),
      row(5, { type: 'page', event: 'Product\tDetail', schemaName: 'page_product_detail', category: 'Shop\\Docs' }),
      row(6, { type: 'group', event: 'group', schemaName: null, groupId: 'g\n1', properties: { plan: 'x' } }),
      row(7, { type: 'alias', event: 'alias', schemaName: null, schemaVersion: '', previousId: 'anon-1', properties: {} }),
    ];
    expect(eventsCopyText(rows).equals(reference(rows))).toBe(true);
  });

  it('grows past its first estimate for large and multi-byte events', () => {
    const rows = Array.from({ length: 60 }, (_, i) => row(i, { properties: { blob: (i % 2 ? '漢' : 'x').repeat(i * 300) } }));
    const text = eventsCopyText(rows);
    expect(text.length).toBeGreaterThan(60 * 256);
    expect(text.equals(reference(rows))).toBe(true);
    expect(eventsCopyText([]).length).toBe(0);
  });
});
