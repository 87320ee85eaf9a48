import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SERVICE_CLIENTS } from './commands/context.mjs';
import { ExitCode } from './exit-codes.mjs';
import { displayUrl, ServiceClient, ServiceRefused, ServiceUnreachable } from './http-client.mjs';

const answering = (status, body) => async () => new Response(body === undefined ? '' : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const trainer = (fetch, more = {}) => new ServiceClient({ name: 'trainer', baseUrl: 'http://t/', fetch, create: SERVICE_CLIENTS.trainer, ...more });

describe('service client (over @mlp/client)', () => {
  it('sorts answers into results, refusals (exit 1) and unreachable services (exit 3)', async () => {
    assert.deepEqual(await trainer(answering(200, { name: 'churn' })).call((api, o) => api.model('churn', o)), { name: 'churn' });
    const refused = trainer(answering(409, { error: 'taken', code: 'NAME_OWNED_BY_ANOTHER_PROJECT', details: [{ path: '$.specs[0].name', message: 'owned by b' }], requestId: 'req-1' }));
    const err = await refused.call((api, o) => api.applySpecs({ project: 'p', specs: [] }, o)).catch((e) => e);
    assert.ok(err instanceof ServiceRefused);
    assert.equal(err.exitCode, ExitCode.FAILED);
    assert.equal(err.status, 409);
    assert.equal(err.code, 'NAME_OWNED_BY_ANOTHER_PROJECT');
    assert.equal(err.requestId, 'req-1');
    assert.equal(err.message, 'trainer refused (HTTP 409 NAME_OWNED_BY_ANOTHER_PROJECT): taken');
    assert.deepEqual(err.details, [{ path: '$.specs[0].name', message: 'owned by b' }]);
    for (const status of [502, 503, 504]) {
      const e = await trainer(answering(status, { error: 'database down', code: 'DEPENDENCY_UNAVAILABLE' })).call((api, o) => api.models(o)).catch((x) => x);
      assert.ok(e instanceof ServiceUnreachable, String(status));
      assert.equal(e.exitCode, ExitCode.UNREACHABLE);
      assert.equal(e.message, `trainer is unreachable at http://t: HTTP ${status} DEPENDENCY_UNAVAILABLE: database down`);
    }
    // An answer without the platform's body (a proxy's page): no code is made up.
    const bare = await trainer(async () => new Response('<html>bad gateway</html>', { status: 502 })).call((api, o) => api.models(o)).catch((x) => x);
    assert.equal(bare.message, 'trainer is unreachable at http://t: HTTP 502');
    const teapot = await trainer(async () => new Response('', { status: 418 })).call((api, o) => api.models(o)).catch((x) => x);
    assert.ok(teapot instanceof ServiceRefused);
    assert.equal(teapot.code, undefined);
    const gone = trainer(async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    });
    const e = await gone.call((api, o) => api.models(o)).catch((x) => x);
    assert.equal(e.exitCode, ExitCode.UNREACHABLE);
    assert.match(e.message, /trainer is unreachable at http:\/\/t: ECONNREFUSED/);
  });

  it('gives up after the timeout as unreachable, also for calls the client leaves unbounded', async () => {
    const hang = (_url, init) => new Promise((_r, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
    const dwh = new ServiceClient({ name: 'dwh-ingest', baseUrl: 'http://d', timeoutMs: 30, fetch: hang, create: SERVICE_CLIENTS.dwh });
    for (const call of [(api, o) => api.warehouse.sla(o), (api, o) => api.warehouse.runTransformations({}, o)]) {
      const e = await dwh.call(call).catch((x) => x);
      assert.equal(e.exitCode, ExitCode.UNREACHABLE);
      assert.match(e.message, /dwh-ingest is unreachable at http:\/\/d: no answer within 0 s/);
    }
  });

  it('an allowed 404 is null, a missing route is not; the token travels only in the Authorization header', async () => {
    let seen;
    const c = trainer(async (url, init) => ((seen = { url: String(url), init }), new Response('', { status: 404 })), { token: 's3cret' });
    assert.equal(await c.call((api, o) => api.model('m', o), { allow404: true }), null);
    assert.equal(seen.url, 'http://t/v1/models/m');
    assert.equal(seen.init.headers.authorization, 'Bearer s3cret');
    assert.ok(!seen.url.includes('s3cret'));
    const old = new ServiceClient({ name: 'dwh-ingest', baseUrl: 'http://x', create: SERVICE_CLIENTS.dwh, fetch: answering(404, { error: 'Route GET:/v1/projects/p not found', code: 'ROUTE_NOT_FOUND', details: [] }) });
    const e = await old.call((api, o) => api.warehouse.project('p', o), { allow404: true }).catch((x) => x);
    assert.ok(e instanceof ServiceRefused);
    assert.equal(e.code, 'ROUTE_NOT_FOUND');
  });

  it('never prints user information of a URL', () => {
    assert.equal(displayUrl('https://user:pw@host:8443/base/'), 'https://host:8443/base');
  });
});
