import type { ImportResult, ImportRunsPage } from './generated/contract-types.js';
import { HttpTransport, randomId, seg, type CallOptions, type ServiceOptions } from './http-transport.js';

export type ImportFormat = 'csv' | 'ndjson';

/**
 * What an import can read: a Blob or File (browser, Node 20's `fs.openAsBlob`), a web ReadableStream,
 * any async iterable of bytes (a Node `fs.createReadStream(...)` is one), or the text itself.
 */
export type ImportBody = Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | Uint8Array | string;

export interface ImportProgress {
  bytesSent: number;
  /** Known for Blobs, byte arrays and strings. */
  totalBytes: number | undefined;
}

export interface ImportOptions extends CallOptions {
  /** `text/csv` (with a header row) or `application/x-ndjson`; guessed from a File's name or a Blob's type when absent. */
  format?: ImportFormat;
  /** Sending the same key again replays the first import's result instead of loading twice (default: a new random key). */
  idempotencyKey?: string;
  onProgress?: (progress: ImportProgress) => void;
}

export type ImportRun = ImportResult & {
  /** The key it was sent with: pass it again to retry this import safely. */
  idempotencyKey: string;
};

const CONTENT_TYPE: Record<ImportFormat, string> = { csv: 'text/csv', ndjson: 'application/x-ndjson' };
const encoder = new TextEncoder();

/** dwh-ingest imports: stream a file into a declared source's table. */
export class ImportsClient {
  private readonly http: HttpTransport;

  constructor(options: ServiceOptions) {
    // An upload has no natural bound; the caller's timeoutMs or signal ends it.
    this.http = new HttpTransport({ timeoutMs: 0, ...options });
  }

  /** Streams `body` to `POST /v1/imports/{source}`; resolves with the import's result (replayed when the key was seen). */
  async upload(source: string, body: ImportBody, options: ImportOptions = {}): Promise<ImportRun> {
    const format = options.format ?? guessFormat(body);
    if (!format) throw new TypeError('give format: csv or ndjson (it cannot be guessed from this body)');
    const idempotencyKey = options.idempotencyKey ?? randomId();
    const { stream, totalBytes } = toStream(body);
    const counted = options.onProgress ? countBytes(stream, totalBytes, options.onProgress) : stream;
    const result = await this.http.json<ImportResult>({
      ...options,
      headers: { ...options.headers, 'idempotency-key': idempotencyKey },
      method: 'POST',
      path: `/v1/imports/${seg(source)}`,
      body: counted,
      contentType: CONTENT_TYPE[format],
    });
    return { ...result, idempotencyKey };
  }

  run(id: string, options: CallOptions = {}): Promise<ImportResult> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/imports/runs/${seg(id)}` });
  }

  /** Imports newest first with their row counts (one source, or all); pass `nextCursor` as `cursor` for the next page. */
  runs(page: { source?: string; cursor?: string; limit?: number } = {}, options: CallOptions = {}): Promise<ImportRunsPage> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/imports/runs', query: page });
  }

  /** One page of an import's rejected rows; pass the answer's cursor to get the next. */
  rejectedRows(id: string, page: { cursor?: number; limit?: number } = {}, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/imports/runs/${seg(id)}/rejected-rows`, query: page });
  }
}

function guessFormat(body: ImportBody): ImportFormat | undefined {
  const named = (body as { name?: unknown }).name;
  const name = typeof named === 'string' ? named : '';
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(name)) return 'ndjson';
  const type = typeof Blob !== 'undefined' && body instanceof Blob ? body.type.split(';')[0] : '';
  if (type === 'text/csv') return 'csv';
  if (type === 'application/x-ndjson' || type === 'application/ndjson') return 'ndjson';
  return undefined;
}

function toStream(body: ImportBody): { stream: ReadableStream<Uint8Array>; totalBytes: number | undefined } {
  if (typeof body === 'string') body = encoder.encode(body);
  if (body instanceof Uint8Array) {
    const bytes = body;
    return { stream: new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) }), totalBytes: bytes.byteLength };
  }
  if (typeof Blob !== 'undefined' && body instanceof Blob) return { stream: body.stream() as ReadableStream<Uint8Array>, totalBytes: body.size };
  if (typeof (body as ReadableStream).getReader === 'function') return { stream: body as ReadableStream<Uint8Array>, totalBytes: undefined };
  const iterator = (body as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  return {
    stream: new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : value);
      },
      async cancel(reason) {
        await iterator.return?.(reason);
      },
    }),
    totalBytes: undefined,
  };
}

function countBytes(stream: ReadableStream<Uint8Array>, totalBytes: number | undefined, onProgress: (p: ImportProgress) => void): ReadableStream<Uint8Array> {
  let bytesSent = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        bytesSent += chunk.byteLength;
        onProgress({ bytesSent, totalBytes });
      },
    }),
  );
}
