/**
 * Splitters that turn decoded text chunks of an upload into rows, synchronously and with bounded
 * memory: only the incomplete row at the end of a chunk is kept, and it may not grow beyond
 * `maxRowChars`. Framework-free; the import pipeline feeds them one request chunk at a time.
 */

export class ImportFormatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_ROW_CHARS = 1024 * 1024;

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Called for each data row: `fields[0..count)` are its values (unquoted, trimmed; the array is
 * reused for the next row), `text.slice(start, end)` is the row as sent (for rejected rows only).
 */
export type CsvRowHandler = (fields: readonly string[], count: number, text: string, start: number, end: number) => void;

/**
 * RFC 4180 CSV with a header row: quoted fields (with "" escapes and line breaks), fields trimmed
 * outside quotes, LF or CRLF line ends, a leading BOM, blank lines skipped. A quote inside an
 * unquoted field or text after a closing quote is malformed (the whole upload is refused, like an
 * unterminated quote at the end).
 */
export class CsvRowSplitter {
  private pending = '';
  private first = true;
  private header = true;
  private readonly fields: string[] = [];

  constructor(
    private readonly onHeader: (names: string[]) => void,
    private readonly onRow: CsvRowHandler,
    private readonly maxRowChars = MAX_ROW_CHARS,
  ) {}

  push(chunk: string): void {
    let s = this.pending ? this.pending + chunk : chunk;
    if (this.first && s.length) {
      this.first = false;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    const rest = this.rows(s, false);
    this.pending = rest < s.length ? s.slice(rest) : '';
    if (this.pending.length > this.maxRowChars) throw new ImportFormatError('CSV_RECORD_TOO_LONG', `a row is longer than ${this.maxRowChars} characters`);
  }

  end(): void {
    if (this.pending) this.rows(this.pending, true);
    this.pending = '';
  }

  /** Emits every complete row of `s`; returns where the incomplete rest starts. */
  private rows(s: string, final: boolean): number {
    const n = s.length;
    const fields = this.fields;
    let i = 0;
    let rowStart = 0;
    while (i < n) {
      rowStart = i;
      let count = 0;
      let quotedAny = false;
      let rowEnd = -1; // end of the row's text (before its line break)
      let next = -1; // start of the next row
      for (;;) {
        let j = i;
        let c = 0;
        while (j < n && ((c = s.charCodeAt(j)) === SPACE || c === TAB)) j++;
        let value: string;
        let after: number; // index of the delimiter after this field (or n)
        if (j < n && c === QUOTE) {
          quotedAny = true;
          let k = j + 1;
          let escaped = false;
          let close: number;
          for (;;) {
            close = s.indexOf('"', k);
            if (close < 0 || (close + 1 >= n && !final)) {
              if (final) throw new ImportFormatError('CSV_QUOTE_NOT_CLOSED', `a quoted field starting at row text "${s.slice(rowStart, rowStart + 40)}" is never closed`);
              return rowStart; // the row ends in a later chunk
            }
            if (close + 1 < n && s.charCodeAt(close + 1) === QUOTE) {
              escaped = true;
              k = close + 2;
              continue;
            }
            break;
          }
          value = s.slice(j + 1, close);
          if (escaped) value = value.replace(/""/g, '"');
          after = close + 1;
          while (after < n && ((c = s.charCodeAt(after)) === SPACE || c === TAB)) after++;
          if (after < n && c !== COMMA && c !== LF && c !== CR) {
            throw new ImportFormatError('CSV_INVALID_CLOSING_QUOTE', `text after a closing quote in "${s.slice(rowStart, Math.min(n, after + 10))}"`);
          }
        } else {
          let k = j;
          while (k < n && (c = s.charCodeAt(k)) !== COMMA && c !== LF && c !== CR) {
            if (c === QUOTE) throw new ImportFormatError('INVALID_OPENING_QUOTE', `a quote inside an unquoted field in "${s.slice(rowStart, Math.min(n, k + 10))}"`);
            k++;
          }
          after = k;
          let e = k;
          while (e > j && ((c = s.charCodeAt(e - 1)) === SPACE || c === TAB)) e--;
          value = e > j ? s.slice(j, e) : '';
        }
        if (after >= n && !final) return rowStart; // the row ends in a later chunk
        fields[count++] = value;
        if (after >= n) {
          rowEnd = n;
          next = n;
          break;
        }
        const d = s.charCodeAt(after);
        if (d === COMMA) {
          i = after + 1;
          continue;
        }
        rowEnd = after;
        if (d === CR) {
          if (after + 1 >= n && !final) return rowStart; // the row ends in a later chunk
          next = after + 1 < n && s.charCodeAt(after + 1) === LF ? after + 2 : after + 1;
        } else {
          next = after + 1;
        }
        break;
      }
      i = next;
      // A blank (or whitespace-only) line is no row.
      if (count === 1 && !quotedAny && fields[0] === '') continue;
      if (this.header) {
        this.header = false;
        this.onHeader(fields.slice(0, count));
      } else {
        this.onRow(fields, count, s, rowStart, rowEnd);
      }
    }
    return n;
  }
}

/** NDJSON lines: LF or CRLF, blank lines skipped, the same bound on one line as CSV rows. */
export class LineSplitter {
  private pending = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxRowChars = MAX_ROW_CHARS,
  ) {}

  push(chunk: string): void {
    const s = this.pending ? this.pending + chunk : chunk;
    let i = 0;
    for (let lf = s.indexOf('\n'); lf >= 0; lf = s.indexOf('\n', i)) {
      this.emit(s, i, lf);
      i = lf + 1;
    }
    this.pending = i < s.length ? s.slice(i) : '';
    if (this.pending.length > this.maxRowChars) throw new ImportFormatError('LINE_TOO_LONG', `a line is longer than ${this.maxRowChars} characters`);
  }

  end(): void {
    if (this.pending) this.emit(this.pending, 0, this.pending.length);
    this.pending = '';
  }

  private emit(s: string, start: number, end: number): void {
    if (end > start && s.charCodeAt(end - 1) === CR) end--;
    let k = start;
    while (k < end && ((s.charCodeAt(k) === SPACE || s.charCodeAt(k) === TAB))) k++;
    if (k === end) return;
    this.onLine(s.slice(start, end));
  }
}
