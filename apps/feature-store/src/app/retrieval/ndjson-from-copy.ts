import { Transform, type TransformCallback } from 'node:stream';
import { INT_OIDS, TEXT_OIDS } from '../registry/source-sql';
import { quoteAlias } from './point-in-time-query';

/**
 * Training sets as NDJSON, formatted in the service from PostgreSQL's text COPY instead of by
 * `row_to_json` in the database: the backend that runs the point-in-time join then only writes the
 * column values, and the JSON is produced on the service's core while the join goes on (about 2 s of
 * a 1M-row set measured, see docs/benchmarks.md). The bytes are the ones `row_to_json(t)::text`
 * writes, per type:
 *  - integers: the text as is;
 *  - float4/float8/numeric: the text as is, except NaN and +-Infinity, which are quoted (PostgreSQL
 *    writes non-JSON numbers as strings);
 *  - bool: true/false;
 *  - text, varchar, bpchar, name: the unescaped text as a JSON string (PostgreSQL's escape_json and
 *    JSON.stringify escape the same characters, in the same spelling);
 *  - every other type: `to_json(column)` runs in the query and its text goes out verbatim, so
 *    timestamps, dates, json, arrays, composites and domains keep exactly PostgreSQL's JSON; but a
 *    json value's raw line breaks (whitespace: JSON strings cannot hold one) become spaces, where
 *    row_to_json's would have split the NDJSON line.
 * An int-spec compares both on a real PostgreSQL over every kind and edge value.
 */
export type JsonKind = 'integer' | 'float' | 'bool' | 'string' | 'json';

const INTEGER_OIDS = new Set(INT_OIDS);
const FLOAT_OIDS = new Set([700, 701, 1700]);
const STRING_OIDS = new Set(TEXT_OIDS);
const BOOL_OID = 16;

export function jsonKindOf(typeOid: number): JsonKind {
  if (INTEGER_OIDS.has(typeOid)) return 'integer';
  if (FLOAT_OIDS.has(typeOid)) return 'float';
  if (STRING_OIDS.has(typeOid)) return 'string';
  if (typeOid === BOOL_OID) return 'bool';
  return 'json';
}

export interface JsonColumn {
  name: string;
  kind: JsonKind;
}

/** COPY of `select` in text format, with the columns that are not formatted by the service passed through to_json. */
export function copyAsText(select: string, columns: JsonColumn[]): string {
  const projection = columns.map((c) => (c.kind === 'json' ? `to_json(t.${quoteAlias(c.name)})` : `t.${quoteAlias(c.name)}`));
  return `COPY (SELECT ${projection.join(', ')} FROM (${select}) t) TO STDOUT`;
}

const K_INTEGER = 0;
const K_FLOAT = 1;
const K_BOOL = 2;
const K_STRING = 3;
const K_JSON = 4;
const KIND_CODES: Record<JsonKind, number> = { integer: K_INTEGER, float: K_FLOAT, bool: K_BOOL, string: K_STRING, json: K_JSON };
const TAB = 9;
const NEWLINE = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const NULL_BYTES = Buffer.from('null');
const TRUE_BYTES = Buffer.from('true');
const FALSE_BYTES = Buffer.from('false');
const LINE_BREAKS = /[\n\r]/g;
/** Input formatted between two yields to the event loop (~0.25 ms of work). */
const SLICE_BYTES = 16 * 1024;
/** A COPY text byte becomes at most 6 JSON bytes (a raw control character as \u00XX). */
const MAX_EXPANSION = 6;

/** Undoes COPY's text-format escaping (backslash before b f n r t v, the delimiter and itself). */
export function unescapeCopyText(s: string): string {
  let out = '';
  let from = 0;
  for (let i = s.indexOf('\\'); i !== -1; i = s.indexOf('\\', from)) {
    out += s.slice(from, i);
    const c = s[i + 1];
    out += c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === 'b' ? '\b' : c === 'f' ? '\f' : c === 'v' ? '\v' : c;
    from = i + 2;
  }
  return out + s.slice(from);
}

/**
 * Turns COPY text rows (one per line, tab-separated, `\N` for null) of the given columns into NDJSON
 * objects keyed by the column names. Works on bytes: a chunk is cut at its last newline (which never
 * occurs inside a UTF-8 sequence), and plain fields are copied without decoding.
 */
export class NdjsonFromCopyText extends Transform {
  private readonly prefixes: Buffer[];
  private readonly kinds: number[];
  private readonly fixedBytes: number;
  private rest: Buffer | undefined;
  /** Reused output space; each chunk's result is copied out of it at its exact size. */
  private scratch = Buffer.allocUnsafe(1 << 20);

  constructor(columns: JsonColumn[]) {
    super();
    if (columns.length === 0) throw new Error('no columns');
    this.prefixes = columns.map((c, i) => Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`));
    this.kinds = columns.map((c) => KIND_CODES[c.kind]);
    this.fixedBytes = this.prefixes.reduce((n, p) => n + p.length, 2) + columns.length * FALSE_BYTES.length;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.rest = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
      done();
      return;
    }
    const lines = this.rest ? Buffer.concat([this.rest, chunk.subarray(0, last + 1)]) : chunk.subarray(0, last + 1);
    this.rest = last + 1 < chunk.length ? chunk.subarray(last + 1) : undefined;
    this.formatInSlices(lines, done);
  }

  /**
   * Formats whole lines a slice at a time, yielding to the event loop between slices: a 64 KB
   * chunk takes about a millisecond, which online reads served by the same process would
   * otherwise wait behind while a training set streams.
   */
  private formatInSlices(lines: Buffer, done: TransformCallback): void {
    let from = 0;
    const step = (): void => {
      try {
        const cut = from + SLICE_BYTES < lines.length ? lines.indexOf(NEWLINE, from + SLICE_BYTES) + 1 : 0;
        const to = cut > from ? cut : lines.length;
        this.push(this.format(lines.subarray(from, to)));
        from = to;
      } catch (err) {
        done(err as Error);
        return;
      }
      if (from < lines.length) setImmediate(step);
      else done();
    };
    step();
  }

  override _flush(done: TransformCallback): void {
    if (!this.rest?.length) {
      done();
      return;
    }
    // COPY ends every row with a newline; a missing one means the stream was cut short.
    done(new Error('COPY text ended inside a row'));
  }

  /** Formats whole lines. */
  private format(buf: Buffer): Buffer {
    const n = this.kinds.length;
    let out = this.scratch;
    let o = 0;
    let p = 0;
    const end = buf.length;
    while (p < end) {
      const eol = buf.indexOf(NEWLINE, p);
      const need = o + (eol - p + 1) * MAX_EXPANSION + this.fixedBytes;
      if (need > out.length) {
        const bigger = Buffer.allocUnsafe(Math.max(need, out.length * 2));
        out.copy(bigger, 0, 0, o);
        out = this.scratch = bigger;
      }
      for (let i = 0; i < n; i++) {
        const prefix = this.prefixes[i];
        for (let j = 0; j < prefix.length; j++) out[o++] = prefix[j];
        const s = p;
        let q = p;
        let plain = true;
        for (let b = buf[q]; b !== TAB && b !== NEWLINE; b = buf[++q]) {
          if (b === BACKSLASH || b === QUOTE || b < 32) plain = false;
        }
        if (q >= end || (i < n - 1) !== (buf[q] === TAB)) throw new Error(`COPY text row does not have ${n} columns`);
        p = q + 1;
        if (q - s === 2 && buf[s] === BACKSLASH && buf[s + 1] === 78 /* N */) {
          for (let j = 0; j < NULL_BYTES.length; j++) out[o++] = NULL_BYTES[j];
          continue;
        }
        const kind = this.kinds[i];
        if (kind === K_INTEGER || (kind === K_JSON && plain)) {
          for (let j = s; j < q; j++) out[o++] = buf[j];
        } else if (kind === K_FLOAT) {
          const c = buf[s];
          // NaN, Infinity, -Infinity: the only float/numeric outputs that are not JSON numbers.
          const quoted = c === 78 || c === 73 || (c === 45 && buf[s + 1] === 73);
          if (quoted) out[o++] = QUOTE;
          for (let j = s; j < q; j++) out[o++] = buf[j];
          if (quoted) out[o++] = QUOTE;
        } else if (kind === K_BOOL) {
          const word = buf[s] === 116 /* t */ ? TRUE_BYTES : FALSE_BYTES;
          for (let j = 0; j < word.length; j++) out[o++] = word[j];
        } else if (kind === K_STRING && plain) {
          out[o++] = QUOTE;
          for (let j = s; j < q; j++) out[o++] = buf[j];
          out[o++] = QUOTE;
        } else {
          const text = unescapeCopyText(buf.toString('utf8', s, q));
          // A raw line break in JSON text is whitespace (strings cannot hold one): a space keeps the value and the line.
          o += out.write(kind === K_STRING ? JSON.stringify(text) : text.replace(LINE_BREAKS, ' '), o, 'utf8');
        }
      }
      out[o++] = 125; // }
      out[o++] = NEWLINE;
    }
    return Buffer.from(out.subarray(0, o));
  }
}
