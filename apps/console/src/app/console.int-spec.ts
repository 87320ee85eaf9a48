// The console's server as it runs: started by the kit on a real PostgreSQL, in front of real HTTP
// servers standing where the four services listen (each records what it was sent and answers like
// the service). The browser tests (tools/e2e/console.test.mjs) run the real services.
import { startTestService, type TestService } from '@mlp/service-kit/testing';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { service } from '../service';
import { AppModule } from './app.module';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in for one service: answers from a table of routes and records every request. */
async function fakeService(routes: Record<string, (req: Seen) => { status: number; body: unknown }>) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      const handler = routes[`${req.method} ${(req.url ?? '').split('?')[0]}`];
      const answer = handler ? handler(entry) : { status: 404, body: { error: 'no such route', code: 'ROUTE_NOT_FOUND', details: [] } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, seen, close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }) };
}

/** A port nothing listens on: a service that is down. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

function webBundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-web-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/assets/app-ABCD1234.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'app-ABCD1234.js'), 'console.log("console")');
  return dir;
}

const VIEWER = 'viewer-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const TOKENS = JSON.stringify([
  { name: 'viewer', token: VIEWER, scopes: ['trainer:read', 'ingest:read'] },
  { name: 'ops-admin', token: ADMIN, scopes: ['admin'] },
]);

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });

describe('the console server', () => {
  let trainer: Awaited<ReturnType<typeof fakeService>>;
  let dwh: Awaited<ReturnType<typeof fakeService>>;
  let web: string;
  let open: TestService;
  let secured: TestService;

  beforeAll(async () => {
    trainer = await fakeService({
      'GET /readyz': () => ({ status: 200, body: { status: 'ok' } }),
      'GET /v1/models': () => ({ status: 200, body: { models: [{ name: 'churn', latestVersion: 2, aliases: { champion: 2, challenger: null } }] } }),
      'GET /v1/training-runs': () => ({ status: 200, body: { runs: [] } }),
      'POST /v1/models/churn/aliases': (req) => ({ status: 200, body: { moved: JSON.parse(req.body) } }),
      'GET /v1/models/nope': () => ({ status: 404, body: { error: 'model nope not found', code: 'MODEL_NOT_FOUND', details: [] } }),
    });
    dwh = await fakeService({
      'GET /readyz': () => ({ status: 200, body: { status: 'ok' } }),
      'GET /v1/sla': () => ({ status: 200, body: { checks: [{ dataset: 'events', check: 'freshness', status: 'error', reason: 'last load 3 d ago' }] } }),
      'GET /v1/failed-events': () => ({ status: 200, body: { items: [], nextCursor: null } }),
    });
    web = webBundle();
    const dead = await deadUrl();
    const env = { DWH_INGEST_URL: dwh.url, TRAINER_URL: trainer.url, FEATURE_STORE_URL: dead, MODEL_SERVING_URL: dead, CONSOLE_WEB_DIR: web, CONSOLE_UPSTREAM_TIMEOUT_MS: '2000' };
    open = await startTestService(service, AppModule, { env });
    secured = await startTestService(service, AppModule, { env: { ...env, PLATFORM_PROFILE: 'production', AUTH_TOKENS: TOKENS, TRANSPORT_SECRET: 'console-int-spec-transport-secret-0123456789' } });
  });

  afterAll(async () => {
    await open?.close();
    await secured?.close();
    await trainer?.close();
    await dwh?.close();
    fs.rmSync(web, { recursive: true, force: true });
  });

  it("passes a route on to its service with the caller's token and request id, and answers what the service answered", async () => {
    const res = await fetch(`${secured.url}/api/trainer/v1/models/churn/aliases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', 'x-request-id': 'console-test-1' },
      body: JSON.stringify({ alias: 'champion', version: 1, reason: 'roll back after the incident' }),
    });
    expect(await json(res)).toEqual({ status: 200, body: { moved: { alias: 'champion', version: 1, reason: 'roll back after the incident' } } });
    const call = trainer.seen.find((s) => s.url === '/v1/models/churn/aliases');
    expect(call?.headers['authorization']).toBe(`Bearer ${ADMIN}`);
    expect(call?.headers['x-request-id']).toBe('console-test-1');
    // A service's own refusal comes back as the service said it.
    const missing = await fetch(`${secured.url}/api/trainer/v1/models/nope`, { headers: { authorization: `Bearer ${VIEWER}` } });
    expect(await json(missing)).toMatchObject({ status: 404, body: { code: 'MODEL_NOT_FOUND' } });
  });

  it('keeps query strings for lists (the services paginate)', async () => {
    await fetch(`${open.url}/api/dwh-ingest/v1/failed-events?limit=50&cursor=120&code=UNPLANNED_EVENT`);
    expect(dwh.seen.at(-1)?.url).toBe('/v1/failed-events?limit=50&cursor=120&code=UNPLANNED_EVENT');
  });

  it('offers only its route table: anything else is a 404 that never reaches a service', async () => {
    const before = trainer.seen.length;
    for (const [method, url] of [
      ['POST', '/api/trainer/v1/model-specs'],
      ['GET', '/api/trainer/v1/models/churn/versions/1/artifact'],
      ['GET', '/api/trainer/v1/models/..%2Fmodel-specs'],
      ['GET', '/api/postgres/v1/models'],
      ['DELETE', '/api/trainer/v1/models/churn'],
    ]) {
      const res = await fetch(`${open.url}${url}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? '{}' : undefined });
      expect([url, res.status, ((await res.json()) as { code: string }).code]).toEqual([url, 404, 'ROUTE_NOT_FOUND']);
    }
    expect(trainer.seen.length).toBe(before);
  });

  it('in production, needs a valid token for every API call and the route scope for each action', async () => {
    for (const url of ['/api/session', '/api/overview', '/api/trainer/v1/models']) {
      expect([url, (await fetch(`${secured.url}${url}`)).status]).toEqual([url, 401]);
      expect([url, (await fetch(`${secured.url}${url}`, { headers: { authorization: 'Bearer not-a-token-0123456789' } })).status]).toEqual([url, 401]);
    }
    const before = trainer.seen.length;
    const refused = await fetch(`${secured.url}/api/trainer/v1/models/churn/aliases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VIEWER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ alias: 'champion', version: 1, reason: 'not allowed' }),
    });
    expect(await json(refused)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', details: [{ code: 'MISSING_SCOPE', message: 'admin' }] } });
    expect(trainer.seen.length).toBe(before);
    expect(await json(await fetch(`${secured.url}/api/session`, { headers: { authorization: `Bearer ${VIEWER}` } }))).toEqual({
      status: 200,
      body: { name: 'viewer', scopes: ['trainer:read', 'ingest:read'], authRequired: true, profile: 'production' },
    });
  });

  it('is open in the embedded profile without tokens, and says so', async () => {
    expect(await json(await fetch(`${open.url}/api/session`))).toEqual({ status: 200, body: { name: 'anonymous', scopes: ['admin'], authRequired: false, profile: 'embedded' } });
  });

  it('never writes a token to its logs, whatever happens to the request', async () => {
    await fetch(`${secured.url}/api/feature-store/v1/freshness`, { headers: { authorization: `Bearer ${ADMIN}` } });
    await fetch(`${secured.url}/api/trainer/v1/models`, { headers: { authorization: `Bearer ${VIEWER}x` } });
    await fetch(`${secured.url}/api/overview`, { headers: { authorization: `Bearer ${VIEWER}` } });
    const logs = JSON.stringify(secured.logs.lines);
    expect(logs).not.toContain(VIEWER);
    expect(logs).not.toContain(ADMIN);
  });

  it("answers 503 naming a service that is down, never its address", async () => {
    const res = await json(await fetch(`${open.url}/api/feature-store/v1/freshness`));
    expect(res).toMatchObject({ status: 503, body: { code: 'DEPENDENCY_UNAVAILABLE', error: 'feature-store is unavailable' } });
    expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|:\d{4,5}/);
  });

  it('shows each service and SLA on the overview board, a service that is down red', async () => {
    const { status, body } = await json(await fetch(`${secured.url}/api/overview`, { headers: { authorization: `Bearer ${VIEWER}` } }));
    expect(status).toBe(200);
    const items = body['items'] as Array<{ area: string; name: string; status: string; summary: string }>;
    const find = (area: string, name: string) => items.find((i) => i.area === area && i.name === name);
    expect(find('services', 'trainer')?.status).toBe('green');
    expect(find('services', 'feature-store')).toMatchObject({ status: 'red' });
    expect(find('warehouse', 'events freshness')).toMatchObject({ status: 'red', summary: 'last load 3 d ago' });
    expect(find('models', 'churn')).toMatchObject({ status: 'green' });
    expect(find('features', 'feature freshness')).toMatchObject({ status: 'unknown' });
  });

  it('serves the single-page app: every page path gets index.html, with a strict content policy', async () => {
    for (const page of ['/', '/models/churn', '/runs/abc', '/warehouse']) {
      const res = await fetch(`${open.url}${page}`);
      expect([page, res.status, res.headers.get('content-type')]).toEqual([page, 200, 'text/html; charset=utf-8']);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('/assets/app-ABCD1234.js');
    }
    const asset = await fetch(`${open.url}/assets/app-ABCD1234.js`);
    expect([asset.status, asset.headers.get('content-type'), asset.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
    const again = await fetch(`${open.url}/assets/app-ABCD1234.js`, { headers: { 'if-none-match': asset.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    // Unknown API paths and assets stay JSON 404s, not pages.
    expect((await fetch(`${open.url}/api/unknown`)).status).toBe(404);
    expect((await fetch(`${open.url}/assets/app-EEEEEEEE.js`)).status).toBe(404);
    // Probes and metrics are still the kit's.
    expect((await json(await fetch(`${open.url}/healthz`))).body).toMatchObject({ status: 'ok', service: 'console' });
    expect(await (await fetch(`${open.url}/metrics`)).text()).toContain('console_upstream_request_duration_seconds');
  });

  it('refuses to start without its pages, saying how to build them', async () => {
    await expect(startTestService(service, AppModule, { env: { CONSOLE_WEB_DIR: path.join(web, 'missing') } })).rejects.toThrow(/web bundle is missing.*nx run console:build/);
  });
});
