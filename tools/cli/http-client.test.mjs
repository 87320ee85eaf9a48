import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExitCode } from './exit-codes.mjs';
import { displayUrl, ServiceClient, ServiceRefused, ServiceUnreachable } from './http-client.mjs';

const answering = (status, body) => async () => new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('service client', () => {
  it('sorts answers into results, refusals (exit 1) and unreachable services (exit 3)', async () => {
    const ok = new ServiceClient({ name: 'trainer', baseUrl: 'http://t/', fetch: answering(200, { a: 1 }) });
    assert.deepEqual(await ok.get('/v1/x'), { a: 1 });
    const refused = new ServiceClient({ name: 'trainer', baseUrl: 'http://t', fetch: answering(409, { error: 'taken', code: 'NAME_OWNED_BY_ANOTHER_PROJECT', details: [{ path: '$.specs[0].name', message: 'owned by b' }] }) });
    const err = await refused.post('/v1/model-specs/apply', {}).catch((e) => e);
    assert.ok(err instanceof ServiceRefused);
    assert.equal(err.exitCode, ExitCode.FAILED);
    assert.equal(err.status, 409);
    assert.equal(err.code, 'NAME_OWNED_BY_ANOTHER_PROJECT');
    assert.deepEqual(err.details, [{ path: '$.specs[0].name', message: 'owned by b' }]);
    for (const status of [502, 503, 504]) {
      const down = new ServiceClient({ name: 'trainer', baseUrl: 'http://t', fetch: answering(status, { error: 'database down', code: 'DEPENDENCY_UNAVAILABLE' }) });
      const e = await down.get('/v1/x').catch((x) => x);
      assert.ok(e instanceof ServiceUnreachable, String(status));
      assert.equal(e.exitCode, ExitCode.UNREACHABLE);
    }
    const gone = new ServiceClient({ name: 'trainer', baseUrl: 'http://t', fetch: async () => { throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }); } });
    const e = await gone.get('/v1/x').catch((x) => x);
    assert.equal(e.exitCode, ExitCode.UNREACHABLE);
    assert.match(e.message, /trainer is unreachable at http:\/\/t: ECONNREFUSED/);
  });

  it('gives up after the timeout as unreachable', async () => {
    const slow = new ServiceClient({ name: 'dwh-ingest', baseUrl: 'http://d', timeoutMs: 30, fetch: (_url, init) => new Promise((_r, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason))) });
    // AbortSignal.timeout does not keep the process alive (a real socket would).
    const keepAlive = setInterval(() => {}, 1000);
    const e = await slow.get('/v1/x').catch((x) => x);
    clearInterval(keepAlive);
    assert.equal(e.exitCode, ExitCode.UNREACHABLE);
    assert.match(e.message, /dwh-ingest is unreachable at http:\/\/d: no answer within 0 s/);
  });

  it('an allowed 404 is null; the token travels only in the Authorization header', async () => {
    let seen;
    const c = new ServiceClient({ name: 'x', baseUrl: 'http://x', token: 's3cret', fetch: async (url, init) => ((seen = { url: String(url), init }), new Response('', { status: 404 })) });
    assert.equal(await c.get('/v1/models/m', { allow404: true, query: { a: 1, b: undefined } }), null);
    assert.equal(seen.url, 'http://x/v1/models/m?a=1');
    assert.equal(seen.init.headers.authorization, 'Bearer s3cret');
    const old = new ServiceClient({ name: 'dwh-ingest', baseUrl: 'http://x', fetch: answering(404, { error: 'Route GET:/v1/projects/p not found', code: 'ROUTE_NOT_FOUND', details: [] }) });
    const e = await old.get('/v1/projects/p', { allow404: true }).catch((x) => x);
    assert.ok(e instanceof ServiceRefused);
  });

  it('never prints user information of a URL', () => {
    assert.equal(displayUrl('https://user:pw@host:8443/base/'), 'https://host:8443/base');
  });
});
