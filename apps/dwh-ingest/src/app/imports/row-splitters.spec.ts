import { CsvRowSplitter, ImportFormatError, LineSplitter } from './row-splitters';

/** Feeds `text` in chunks of `size` characters and collects header and rows (with their raw text). */
function splitCsv(text: string, size: number) {
  const rows: Array<{ fields: string[]; raw: string }> = [];
  let header: string[] = [];
  const splitter = new CsvRowSplitter(
    (h) => (header = h),
    (fields, count, s, start, end) => rows.push({ fields: fields.slice(0, count), raw: s.slice(start, end) }),
  );
  for (let i = 0; i < text.length; i += size) splitter.push(text.slice(i, i + size));
  splitter.end();
  return { header, rows };
}

describe('CSV row splitting', () => {
  const csv = '\ufeffa,b,c\r\n1, x ,"q ""r"" s"\r\n\r\n  \n2,"line\nbreak",\n3,y,z';
  const expected = {
    header: ['a', 'b', 'c'],
    rows: [
      { fields: ['1', 'x', 'q "r" s'], raw: '1, x ,"q ""r"" s"' },
      { fields: ['2', 'line\nbreak', ''], raw: '2,"line\nbreak",' },
      { fields: ['3', 'y', 'z'], raw: '3,y,z' },
    ],
  };

  it('gives the same rows whatever the chunk boundaries (quotes, CRLF, BOM, blank lines, last row without newline)', () => {
    for (const size of [1, 2, 3, 5, 7, 11, csv.length]) expect(splitCsv(csv, size)).toEqual(expected);
  });

  it('refuses unterminated quotes, quotes inside unquoted fields, text after a closing quote, and endless rows', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as ImportFormatError).code;
      }
      return 'none';
    };
    expect(code(() => splitCsv('a\n"open,1\n', 4))).toBe('CSV_QUOTE_NOT_CLOSED');
    expect(code(() => splitCsv('a,b\n1,x"y\n', 4))).toBe('INVALID_OPENING_QUOTE');
    expect(code(() => splitCsv('a,b\n1,"x"y\n', 4))).toBe('CSV_INVALID_CLOSING_QUOTE');
    const long = new CsvRowSplitter(() => undefined, () => undefined, 100);
    expect(code(() => long.push(`a\n"${'x'.repeat(200)}`))).toBe('CSV_RECORD_TOO_LONG');
  });
});

describe('NDJSON line splitting', () => {
  it('splits on LF and CRLF across chunks and skips blank lines', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    const text = '{"a":1}\r\n\n  \n{"b":"x\\ny"}\n{"c":3}';
    for (let i = 0; i < text.length; i += 3) splitter.push(text.slice(i, i + 3));
    splitter.end();
    expect(lines).toEqual(['{"a":1}', '{"b":"x\\ny"}', '{"c":3}']);
  });
});
