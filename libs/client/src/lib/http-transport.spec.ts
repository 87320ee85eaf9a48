import { standInServer, type StandIn } from './testing/stand-in-server';
import { HttpTransport } from './http-transport';
import { PlatformApiError } from './platform-api-error';
import { backoffDelay, retryAfterMs } from './backoff';

describe('HttpTransport', () => {
  let server: StandIn;
  afterEach(() => server?.close());

  it('turns the platform error body into a PlatformApiError with its code, status, details and request id', async () => {
    server = await standInServer(() => ({ status: 404, json: { error: 'model churn not found', code: 'MODEL_NOT_FOUND', details: [{ path: '$.model', message: 'unknown' }], requestId: 'r-from-server' } }));
    const http = new HttpTransport({ baseUrl: `${server.url}/` });
    const err = await http.json({ method: 'GET', path: '/v1/models/churn' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformApiError);
    expect(err).toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND', message: 'model churn not found', details: [{ path: '$.model', message: 'unknown' }], requestId: 'r-from-server', retryable: false });
    expect(server.received[0].url).toBe('/v1/models/churn');
  });

  it('sends the caller x-request-id and a token function current value, and uses it when the error body has none', async () => {
    server = await standInServer(() => ({ status: 502, text: 'Bad Gateway' }));
    let n = 0;
    const http = new HttpTransport({ baseUrl: server.url, token: async () => `t${++n}`, headers: { 'x-team': 'shop' } });
    const err = (await http.json({ method: 'POST', path: '/x', json: { a: 1 }, requestId: 'req-1', query: { limit: 5, skip: undefined, q: 'a b' } }).catch((e: unknown) => e)) as PlatformApiError;
    expect(err).toMatchObject({ status: 502, code: 'HTTP_502', requestId: 'req-1', retryable: true });
    const [req] = server.received;
    expect(req.url).toBe('/x?limit=5&q=a%20b');
    expect(req.headers['x-request-id']).toBe('req-1');
    expect(req.headers['authorization']).toBe('Bearer t1');
    expect(req.headers['x-team']).toBe('shop');
    expect(req.body).toBe('{"a":1}');
  });

  it('fails with TIMEOUT after timeoutMs and with ABORTED when the caller signal fires', async () => {
    server = await standInServer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { json: {} };
    });
    const http = new HttpTransport({ baseUrl: server.url, timeoutMs: 50 });
    await expect(http.json({ method: 'GET', path: '/slow' })).rejects.toMatchObject({ status: 0, code: 'TIMEOUT', retryable: true });
    const controller = new AbortController();
    const pending = http.json({ method: 'GET', path: '/slow', timeoutMs: 0, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ status: 0, code: 'ABORTED', retryable: false });
  });

  it('fails with NETWORK_ERROR when nothing listens', async () => {
    const http = new HttpTransport({ baseUrl: 'http://127.0.0.1:9' });
    await expect(http.json({ method: 'GET', path: '/' })).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR', retryable: true });
  });

  it('encodes path segments so a name cannot reach another route', async () => {
    server = await standInServer(() => ({ json: {} }));
    const { seg } = await import('./http-transport');
    await new HttpTransport({ baseUrl: server.url }).json({ method: 'GET', path: `/v1/models/${seg('../admin?x=1')}` });
    expect(server.received[0].url).toBe('/v1/models/..%2Fadmin%3Fx%3D1');
  });
});

describe('backoff', () => {
  it('doubles from baseMs up to maxMs, with the jitter share random', () => {
    const opts = { baseMs: 100, maxMs: 1000, jitter: 0.5 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, opts, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, opts, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
