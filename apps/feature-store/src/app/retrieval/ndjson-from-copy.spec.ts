import { copyAsText, jsonKindOf, NdjsonFromCopyText, unescapeCopyText, type JsonColumn } from './ndjson-from-copy';

/** PostgreSQL's COPY text escaping of one value (CopyAttributeOutText with a tab delimiter). */
function copyEscape(s: string): string {
  const named: Record<string, string> = { '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't', '\v': 'v', '\\': '\\' };
  return [...s].map((c) => (named[c] !== undefined ? `\\${named[c]}` : c)).join('');
}

async function format(columns: JsonColumn[], chunks: Buffer[]): Promise<string> {
  const t = new NdjsonFromCopyText(columns);
  const out: Buffer[] = [];
  t.on('data', (b: Buffer) => out.push(b));
  const done = new Promise<void>((resolve, reject) => {
    t.on('end', resolve);
    t.on('error', reject);
  });
  for (const c of chunks) t.write(c);
  t.end();
  await done;
  return Buffer.concat(out).toString('utf8');
}

const COLUMNS: JsonColumn[] = [
  { name: 'user_id', kind: 'string' },
  { name: 'event_timestamp', kind: 'json' },
  { name: 'orders', kind: 'integer' },
  { name: 'revenue', kind: 'float' },
  { name: 'converted', kind: 'bool' },
];

describe('NDJSON from COPY text', () => {
  it('writes each kind as row_to_json does: raw numbers, quoted non-finite floats, booleans, strings, nulls, JSON verbatim', async () => {
    const input = [
      'u1\t"2026-01-02T12:00:00+00:00"\t3\t10.5\tt',
      'u2\t\\N\t-7\tNaN\tf',
      '\\N\t"2026-01-03T00:00:00.5+00:00"\t\\N\t-Infinity\t\\N',
      'u3\t\\N\t0\tInfinity\tt',
      'u4\t\\N\t1\t-0\tf',
      'u5\t\\N\t1\t1e+20\tf',
    ].join('\n') + '\n';
    expect((await format(COLUMNS, [Buffer.from(input)])).split('\n')).toEqual([
      '{"user_id":"u1","event_timestamp":"2026-01-02T12:00:00+00:00","orders":3,"revenue":10.5,"converted":true}',
      '{"user_id":"u2","event_timestamp":null,"orders":-7,"revenue":"NaN","converted":false}',
      '{"user_id":null,"event_timestamp":"2026-01-03T00:00:00.5+00:00","orders":null,"revenue":"-Infinity","converted":null}',
      '{"user_id":"u3","event_timestamp":null,"orders":0,"revenue":"Infinity","converted":true}',
      '{"user_id":"u4","event_timestamp":null,"orders":1,"revenue":-0,"converted":false}',
      '{"user_id":"u5","event_timestamp":null,"orders":1,"revenue":1e+20,"converted":false}',
      '',
    ]);
  });

  it('unescapes COPY text and escapes JSON strings the way JSON.stringify does, for any string', async () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const alphabet = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\r', '\b', '\f', '\v', '\u0001', '\u001f', '\u007f', 'é', '€', '😀', '\u2028', 'N', '/'];
    const values = Array.from({ length: 500 }, () => Array.from({ length: Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''));
    values.push('\\N', 'N', '');
    const cols: JsonColumn[] = [{ name: 's', kind: 'string' }, { name: 'j', kind: 'json' }];
    const input = values.map((v) => `${copyEscape(v)}\t${copyEscape(JSON.stringify({ v }))}\n`).join('');
    const lines = (await format(cols, [Buffer.from(input)])).trimEnd().split('\n');
    expect(lines).toEqual(values.map((v) => `{"s":${JSON.stringify(v)},"j":${JSON.stringify({ v })}}`));
  });

  it('gives the same bytes however the COPY stream is cut, inside multi-byte characters too', async () => {
    const input = Buffer.from('é€😀\t"x\\\\y"\t42\t1.25\tt\n\\N\t\\N\t\\N\t\\N\t\\N\nlast\t[1,2]\t-1\tNaN\tf\n');
    const whole = await format(COLUMNS, [input]);
    for (let a = 0; a <= input.length; a++) {
      for (let b = a; b <= input.length; b += 3) {
        expect(await format(COLUMNS, [input.subarray(0, a), input.subarray(a, b), input.subarray(b)])).toBe(whole);
      }
    }
    expect(whole.split('\n')[0]).toBe('{"user_id":"é€😀","event_timestamp":"x\\y","orders":42,"revenue":1.25,"converted":true}');
  });

  it('fails the stream on rows with the wrong number of columns or a cut-off last row', async () => {
    await expect(format(COLUMNS, [Buffer.from('u1\t\\N\t1\n')])).rejects.toThrow(/does not have 5 columns/);
    await expect(format(COLUMNS, [Buffer.from('u1\t\\N\t1\t2\tt\textra\n')])).rejects.toThrow(/does not have 5 columns/);
    await expect(format(COLUMNS, [Buffer.from('u1\t\\N\t1\t2\tt\nu2\t')])).rejects.toThrow(/ended inside a row/);
  });

  it('grows its output space for rows far longer than a chunk', async () => {
    const long = '\u0001'.repeat(3 << 20);
    const out = await format([{ name: 's', kind: 'string' }], [Buffer.from(`${long}\n`)]);
    expect(out).toBe(`{"s":${JSON.stringify(long)}}\n`);
  });

  it('formats a big chunk in slices and lets the event loop run between them', async () => {
    const input = Buffer.from('u1\t"2026-01-02T12:00:00+00:00"\t3\t10.5\tt\n'.repeat(10_000));
    const t = new NdjsonFromCopyText(COLUMNS);
    const events: string[] = [];
    const out: Buffer[] = [];
    t.on('data', (b: Buffer) => {
      events.push('data');
      out.push(b);
    });
    const ended = new Promise((resolve) => t.on('end', resolve));
    t.end(input);
    setImmediate(() => events.push('other work'));
    await ended;
    expect(events.filter((e) => e === 'data').length).toBeGreaterThan(10);
    const other = events.indexOf('other work');
    expect(other).toBeGreaterThan(0);
    expect(other).toBeLessThan(events.length - 1);
    expect(Buffer.concat(out).toString()).toBe(await format(COLUMNS, [input]));
  });

  it('undoes every COPY escape', () => {
    expect(unescapeCopyText('a\\\\b\\nc\\td\\re\\bf\\fg\\vh')).toBe('a\\b\nc\td\re\bf\fg\vh');
  });

  it('maps type OIDs to kinds and passes only the other types through to_json', () => {
    expect([20, 21, 23, 700, 701, 1700, 16, 25, 1043, 1042, 19, 1184, 3802, 2950].map(jsonKindOf)).toEqual([
      'integer', 'integer', 'integer', 'float', 'float', 'float', 'bool', 'string', 'string', 'string', 'string', 'json', 'json', 'json',
    ]);
    expect(copyAsText('SELECT 1', [{ name: 'a', kind: 'integer' }, { name: 'event_timestamp', kind: 'json' }])).toBe(
      'COPY (SELECT t."a", to_json(t."event_timestamp") FROM (SELECT 1) t) TO STDOUT',
    );
    expect(() => copyAsText('SELECT 1', [{ name: 'a"; drop', kind: 'integer' }])).toThrow(expect.objectContaining({ code: 'INVALID_COLUMN_NAME' }));
  });
});
