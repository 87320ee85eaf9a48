import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTrainingSetSource, TrainingSetError } from './training-set-source';

// A real loopback HTTP server answering like the feature store would (or would not).
async function serve(handler: (body: string, url: string) => { status: number; body: string; headers?: Record<string, string> }): Promise<{ url: string; server: Server; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      const r = handler(body, req.url ?? '');
      res.writeHead(r.status, { 'content-type': 'application/x-ndjson', ...r.headers });
      // Split the body at odd places so line reassembly across chunks is exercised.
      for (let i = 0; i < r.body.length; i += 7) res.write(r.body.slice(i, i + 7));
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, bodies };
}

const request = { featureService: 'purchase_propensity', labelSql: 'SELECT 1', start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-02-01T00:00:00Z') };
const rows = [
  { user_id: 'a', event_timestamp: '2026-01-02T00:00:00.000Z', label: 1, 'activity__orders_30d': 2, 'profile__plan': 'pro' },
  { user_id: 'b', event_timestamp: '2026-01-03T00:00:00.000Z', label: 0, 'activity__orders_30d': null, 'profile__plan': 'free' },
];
const ndjson = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
const metadata = (fingerprint: string) => `${JSON.stringify({ _metadata: { rows: 2, columns: [], features: [], fingerprint, created_at: '2026-02-01T00:00:00.000Z' } })}\n`;

describe('training sets over HTTP from the feature store', () => {
  const servers: Server[] = [];
  afterAll(async () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it('streams NDJSON rows, verifies the declared fingerprint and sends the documented request', async () => {
    const fp = `sha256:${createHash('sha256').update(ndjson).digest('hex')}`;
    // The registry answers the feature service and its views: the declared types become the model's input datatypes.
    const registry: Record<string, unknown> = {
      '/v1/feature-services/purchase_propensity': { name: 'purchase_propensity', features: ['activity:orders_30d', 'profile@v1:plan'] },
      '/v1/feature-views/activity': { name: 'activity', version: 2, versions: [{ version: 1, spec: { features: [] } }, { version: 2, spec: { features: [{ name: 'orders_30d', type: 'int64' }] } }] },
      '/v1/feature-views/profile': { name: 'profile', version: 2, versions: [{ version: 1, spec: { features: [{ name: 'plan', type: 'string' }] } }, { version: 2, spec: { features: [] } }] },
    };
    const s = await serve((_, url) =>
      url in registry ? { status: 200, body: JSON.stringify(registry[url]) } : { status: 200, body: ndjson + metadata(fp), headers: { 'x-feature-service-version': '7' } },
    );
    servers.push(s.server);
    const set = await new HttpTrainingSetSource(s.url).load(request);
    expect(set).toEqual({ rows, fingerprint: fp, featureServiceVersion: '7', featureTypes: { 'activity:orders_30d': 'int64', 'profile:plan': 'string' } });
    expect(JSON.parse(s.bodies[0])).toEqual({
      feature_service: 'purchase_propensity',
      label_source: { sql: 'SELECT 1', start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' },
      format: 'ndjson',
      full_feature_names: true,
    });
  });

  it('identifies the feature service definition by hash when the feature store sends no version header', async () => {
    const fp = `sha256:${createHash('sha256').update(ndjson).digest('hex')}`;
    const definition = { name: 'purchase_propensity', features: ['activity@v2:orders_30d', 'profile:plan'] };
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/v1/feature-services/purchase_propensity') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(definition));
        else res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(ndjson + metadata(fp));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const set = await new HttpTrainingSetSource(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).load(request);
    const expected = createHash('sha256').update('{"features":["activity@v2:orders_30d","profile:plan"],"name":"purchase_propensity"}').digest('hex').slice(0, 16);
    expect(set.featureServiceVersion).toBe(`sha256:${expected}`);
  });

  it('reads the exact view version of each column from the metadata, types the inputs at those versions and versions the service with them', async () => {
    const pinnedRows = [{ user_id: 'a', event_timestamp: '2026-01-02T00:00:00.000Z', label: 1, activity__v1__orders_30d: 2, profile__plan: 'pro' }];
    const body = pinnedRows.map((r) => `${JSON.stringify(r)}\n`).join('');
    const fp = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const meta = { rows: 1, columns: ['user_id', 'event_timestamp', 'label', 'activity__v1__orders_30d', 'profile__plan'], features: ['activity__v1__orders_30d', 'profile__plan'], feature_refs: ['activity@v1:orders_30d', 'profile@v2:plan'], fingerprint: fp, created_at: '2026-02-01T00:00:00.000Z' };
    const definition = { name: 'purchase_propensity', features: ['activity@v1:orders_30d', 'profile:plan'] };
    // The head of activity is v2 now, with another type: the set was joined from v1, so v1's type counts.
    const registry: Record<string, unknown> = {
      '/v1/feature-services/purchase_propensity': definition,
      '/v1/feature-views/activity': { name: 'activity', version: 2, versions: [{ version: 1, spec: { features: [{ name: 'orders_30d', type: 'int64' }] } }, { version: 2, spec: { features: [{ name: 'orders_30d', type: 'float64' }] } }] },
      '/v1/feature-views/profile': { name: 'profile', version: 2, versions: [{ version: 2, spec: { features: [{ name: 'plan', type: 'string' }] } }] },
    };
    const s = await serve((_, url) => (url in registry ? { status: 200, body: JSON.stringify(registry[url]) } : { status: 200, body: body + `${JSON.stringify({ _metadata: meta })}\n` }));
    servers.push(s.server);
    const set = await new HttpTrainingSetSource(s.url).load(request);
    expect(set.featureRefs).toEqual({ activity__v1__orders_30d: 'activity@v1:orders_30d', profile__plan: 'profile@v2:plan' });
    expect(set.featureTypes).toEqual({ 'activity:orders_30d': 'int64', 'profile:plan': 'string' });
    // The definition alone would not change when profile gets a v3: the resolved versions are part of the identity.
    const identity = '{"features":["activity@v1:orders_30d","profile:plan"],"name":"purchase_propensity","resolved_features":["activity@v1:orders_30d","profile@v2:plan"]}';
    expect(set.featureServiceVersion).toBe(`sha256:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`);
  });

  it('refuses a body whose bytes do not match the declared fingerprint (retryable)', async () => {
    const s = await serve(() => ({ status: 200, body: ndjson + metadata(`sha256:${'0'.repeat(64)}`) }));
    servers.push(s.server);
    await expect(new HttpTrainingSetSource(s.url).load(request)).rejects.toMatchObject({ code: 'DATASET_FINGERPRINT_MISMATCH', retryable: true });
  });

  it('passes the feature store error code on and does not retry client errors', async () => {
    const s = await serve(() => ({ status: 404, body: JSON.stringify({ error: 'no such service', code: 'FEATURE_SERVICE_NOT_FOUND', details: [] }) }));
    servers.push(s.server);
    await expect(new HttpTrainingSetSource(s.url).load(request)).rejects.toMatchObject({ code: 'FEATURE_SERVICE_NOT_FOUND', retryable: false });
  });

  it('treats an unreachable feature store as a retryable outage', async () => {
    const s = await serve(() => ({ status: 200, body: '' }));
    const url = s.url;
    await new Promise((r) => s.server.close(r));
    const error = await new HttpTrainingSetSource(url).load(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingSetError);
    expect(error).toMatchObject({ code: 'FEATURE_STORE_UNAVAILABLE', retryable: true });
  });

  it('refuses a set that ends without its metadata line as incomplete (retryable), never training on a part', async () => {
    const s = await serve(() => ({ status: 200, body: ndjson }));
    servers.push(s.server);
    await expect(new HttpTrainingSetSource(s.url).load(request)).rejects.toMatchObject({ code: 'TRAINING_SET_INCOMPLETE', retryable: true });
  });

  it('treats a body that breaks off mid-set as a retryable outage', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(ndjson.slice(0, 40));
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    await expect(new HttpTrainingSetSource(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).load(request)).rejects.toMatchObject({ code: 'FEATURE_STORE_UNAVAILABLE', retryable: true });
  });

  it('retries a feature store 5xx without a platform body under its status code, and sends the configured headers', async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers['authorization']);
      req.resume();
      req.on('end', () => res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream busy'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const source = new HttpTrainingSetSource(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { authorization: 'Bearer t-1' });
    await expect(source.load(request)).rejects.toMatchObject({ code: 'FEATURE_STORE_503', retryable: true });
    expect(seen).toEqual(['Bearer t-1']);
  });

  it('refuses malformed NDJSON as a non-retryable error', async () => {
    const s = await serve(() => ({ status: 200, body: '{"user_id": "a"\n' }));
    servers.push(s.server);
    await expect(new HttpTrainingSetSource(s.url).load(request)).rejects.toMatchObject({ code: 'TRAINING_SET_MALFORMED', retryable: false });
  });
});
