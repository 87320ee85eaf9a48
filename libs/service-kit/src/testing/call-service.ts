import type { TestService } from './test-service';

/** A JSON object as a test reads it before narrowing any field. */
export type JsonObject = Record<string, unknown>;

/** A service under test (anything with its base URL, e.g. a `TestService`) or a base URL itself. */
export type CallTarget = Pick<TestService, 'url'> | string;

/** The answer of `callService`. */
export interface ServiceResponse<T extends object = JsonObject> {
  status: number;
  /**
   * The body parsed as JSON, or `{ text }` when it is not a JSON object or array (Prometheus text,
   * an empty body, NDJSON): `T` is the shape the test expects, not checked at run time.
   */
  json: T;
  /** The body as received. */
  text: string;
  headers: Headers;
}

/** The parsed body when it is a JSON object or array, otherwise `{ text }`. */
function parseBody(text: string): object {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // not JSON: answered as { text } below
  }
  return { text };
}

/**
 * One HTTP request against a service under test, the way the integration tests of every app send
 * them. A string body is sent as it is (malformed JSON, CSV, NDJSON); any other defined body is
 * JSON-encoded. A request with a body says `content-type: application/json` unless `headers`
 * names another content type; a request without one sends neither body nor content type.
 *
 * `T` names the body a test expects (e.g. a contract type such as `IngestResponse`) so it reads
 * fields without casts; it is a claim of the test, not a check: assert the status first. Errors
 * of the transport (connection refused) reject, as `fetch` does.
 */
export async function callService<T extends object = JsonObject>(
  target: CallTarget,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ServiceResponse<T>> {
  const base = typeof target === 'string' ? target : target.url;
  const sent = new Headers();
  if (body !== undefined) sent.set('content-type', 'application/json');
  for (const [name, value] of Object.entries(headers)) sent.set(name, value);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: sent,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: parseBody(text) as T, text, headers: res.headers };
}
