import { retryAfterMs } from './backoff.js';
import { ClientErrorCode, PlatformApiError, type ErrorDetail } from './platform-api-error.js';

/** How to reach one platform service. */
export interface ServiceOptions {
  /** e.g. `http://dwh-ingest:3001`; paths are appended to it. */
  baseUrl: string;
  /** Bearer token, or a function giving the current one (called per request, so it may rotate). */
  token?: string | (() => string | Promise<string>);
  /** Per-request timeout in milliseconds (default 30 s); 0 turns it off. */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /** Makes the `x-request-id` of a request that was given none (default: a random UUID). */
  requestId?: () => string;
}

/** What every call accepts. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Sent as `x-request-id`; the platform logs it and returns it in errors. */
  requestId?: string;
  headers?: Record<string, string>;
}

export type Query = Record<string, string | number | boolean | undefined>;

interface RequestSpec extends CallOptions {
  method: string;
  path: string;
  query?: Query;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (a stream, Blob or string) with `contentType`. */
  body?: RequestInit['body'];
  contentType?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Path segments from user input are encoded, so a name can never reach another route. */
export const seg = (value: string | number): string => encodeURIComponent(String(value));

/** The one place requests are made: headers, timeouts, abort signals, and error answers turned into PlatformApiError. */
export class HttpTransport {
  private readonly baseUrl: string;

  constructor(readonly options: ServiceOptions) {
    if (!options.baseUrl) throw new TypeError('baseUrl is required');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** Sends a request and parses the JSON answer; non-2xx answers throw PlatformApiError. */
  async json<T>(spec: RequestSpec): Promise<T> {
    const { response, requestId, done } = await this.send(spec);
    try {
      const text = await response.text();
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new PlatformApiError({ status: response.status, code: ClientErrorCode.INVALID_RESPONSE, message: `${spec.method} ${spec.path}: the answer is not JSON`, requestId, retryable: false, cause: err });
      }
    } catch (err) {
      throw done.translate(err);
    } finally {
      done.clear();
    }
  }

  /**
   * Sends a request and returns the successful response unread, for streamed answers. The timeout
   * covers the wait for the answer's headers; the caller's signal still aborts the body.
   */
  async stream(spec: RequestSpec): Promise<{ response: Response; requestId: string }> {
    const { response, requestId, done } = await this.send(spec);
    // Only the timer ends here: the caller's signal keeps reaching the body being read.
    done.clearTimer();
    return { response, requestId };
  }

  private async send(spec: RequestSpec) {
    const requestId = spec.requestId ?? this.options.requestId?.() ?? randomId();
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers, ...spec.headers, 'x-request-id': requestId };
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    if (token) headers['authorization'] = `Bearer ${token}`;
    let body: RequestInit['body'] = spec.body;
    if (spec.json !== undefined) {
      body = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    } else if (spec.contentType) {
      headers['content-type'] = spec.contentType;
    }
    const done = deadline(spec.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, spec.signal, `${spec.method} ${spec.path}`, requestId);
    const init: RequestInit & { duplex?: 'half' } = { method: spec.method, headers, body, signal: done.signal };
    // A ReadableStream body must be sent half-duplex (fetch's rule for streamed uploads).
    if (body && typeof (body as ReadableStream).getReader === 'function') init.duplex = 'half';
    const fetchImpl = this.options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetchImpl(this.url(spec.path, spec.query), init);
    } catch (err) {
      done.clear();
      throw done.translate(err);
    }
    if (!response.ok) {
      try {
        throw await errorFrom(response, `${spec.method} ${spec.path}`, requestId);
      } catch (err) {
        throw done.translate(err);
      } finally {
        done.clear();
      }
    }
    return { response, requestId, done };
  }

  url(path: string, query?: Query): string {
    const params = Object.entries(query ?? {}).filter((e): e is [string, string | number | boolean] => e[1] !== undefined);
    const search = params.length ? `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}` : '';
    return `${this.baseUrl}${path}${search}`;
  }
}

/** A PlatformApiError from an error answer: the platform's `{error, code, details, requestId}` body when there is one. */
export async function errorFrom(response: Response, what: string, requestId: string): Promise<PlatformApiError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone still says what happened.
  }
  let parsed: { error?: unknown; message?: unknown; code?: unknown; details?: unknown; requestId?: unknown } | undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const message = typeof parsed?.error === 'string' ? parsed.error : typeof parsed?.message === 'string' ? parsed.message : `${what} answered ${response.status}`;
  return new PlatformApiError({
    status: response.status,
    code: typeof parsed?.code === 'string' ? parsed.code : `HTTP_${response.status}`,
    message,
    details: Array.isArray(parsed?.details) ? (parsed.details as ErrorDetail[]) : [],
    requestId: typeof parsed?.requestId === 'string' ? parsed.requestId : (response.headers.get('x-request-id') ?? requestId),
    retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
  });
}

/** One signal for a request: the caller's, plus the timeout; knows which of the two fired. */
function deadline(timeoutMs: number, outer: AbortSignal | undefined, what: string, requestId: string) {
  const controller = new AbortController();
  let timedOut = false;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    clearTimer() {
      if (timer !== undefined) clearTimeout(timer);
    },
    clear() {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
    translate(err: unknown): unknown {
      if (err instanceof PlatformApiError) return err;
      if (timedOut) return new PlatformApiError({ status: 0, code: ClientErrorCode.TIMEOUT, message: `${what} timed out after ${timeoutMs} ms`, requestId, cause: err });
      return transportError(err, outer, what, requestId);
    },
  };
}

/**
 * A failure with no answer (or a body that broke off): TIMEOUT when the caller's signal is a timeout
 * (`AbortSignal.timeout`), ABORTED when it was aborted otherwise, else NETWORK_ERROR.
 */
export function transportError(err: unknown, signal: AbortSignal | undefined, what: string, requestId: string): PlatformApiError {
  if (err instanceof PlatformApiError) return err;
  if (signal?.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    if (reason?.name === 'TimeoutError') return new PlatformApiError({ status: 0, code: ClientErrorCode.TIMEOUT, message: `${what} timed out (the caller's signal)`, requestId, cause: err });
    return new PlatformApiError({ status: 0, code: ClientErrorCode.ABORTED, message: `${what} was aborted`, requestId, retryable: false, cause: err });
  }
  return new PlatformApiError({ status: 0, code: ClientErrorCode.NETWORK_ERROR, message: `${what} failed: ${err instanceof Error ? err.message : String(err)}`, requestId, cause: err });
}

export function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  // Old browsers without randomUUID: a v4-shaped id from Math.random (request ids need not be secret).
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (ch) => {
    const r = (Math.random() * 16) | 0;
    return (ch === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}
