import { ModelPromotedEvent, PredictEntitiesMessage, type ModelArtifact } from '@mlp/contracts';
import { callService, createTestDatabase, freePort, startTestService, type TestDatabase, type TestService } from '@mlp/service-kit/testing';
import { FastRoutes, PeerClients, type FastRouteRequest } from '@mlp/service-kit';
import fs from 'node:fs';
import http from 'node:http';
import { Client } from 'pg';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { service } from '../service';
import { baselineArtifact, demoTensors, demoVector, numericArtifact, registryEntry, tfjsArtifact, type DemoRow } from '../testing/model-fixtures';
import { peerFixtureService, PeerFixtureModule, peerState } from '../testing/peer-fixtures';
import { AppModule } from './app.module';
import { LoadedModel } from './models/loaded-model';
import { PredictionLogService } from './prediction-log/prediction-log.service';
import { TrafficStatsRecorder } from './traffic-stats/traffic-stats-recorder';

// The other apps cannot be imported here (lint forbids apps importing apps), so a small real peer
// service started with the kit answers the trainer, feature-store and dwh-ingest contracts from
// fixtures over the real TCP transport (see testing/peer-fixtures.ts).

type Json = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await sleep(50);
  }
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** A raw row of the demo features; its model vector is `demoVector(row(i))`. */
const row = (i: number): DemoRow => ({ orders: i % 9, revenue: (i * 7.25) % 400, plan: ['free', 'plus', 'pro'][i % 3] });
/** The model matrix of raw rows, by the hand-written reference preprocessing. */
const vectors = (rows: DemoRow[]) => new Float32Array(rows.flatMap(demoVector));

/**
 * One POST with its body as written. `chunked` leaves out the Content-Length, which the kit's fast
 * path declines: the Nest route answers it instead.
 */
function post(svc: TestService, path: string, body: string, headers: Record<string, string>, chunked: boolean): Promise<{ status: number; text: string; contentType?: string }> {
  return new Promise((resolve, reject) => {
    const length = chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request(`${svc.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
    });
    req.on('error', reject);
    if (chunked) req.write(body); // no content-length: Node sends Transfer-Encoding: chunked
    req.end(chunked ? undefined : body);
  });
}

/** Counts the requests the fast routes of these paths answer (their handler is wrapped in place). */
function countFastCalls(svc: TestService, paths: string[]): { calls: number } {
  const counter = { calls: 0 };
  for (const path of paths) {
    const route = svc.app.get(FastRoutes).match('POST', path)?.route;
    if (!route) throw new Error(`no fast route for ${path}`);
    const handle = route.handle.bind(route);
    route.handle = (r: FastRouteRequest) => {
      counter.calls++;
      return handle(r);
    };
  }
  return counter;
}

/**
 * A peer service answering the trainer, feature-store and dwh-ingest contracts from fixtures (the
 * real apps cannot be imported here), and model-serving wired to it over the TCP transport.
 */
async function startServingWithPeers(db: TestDatabase, env: Record<string, string>): Promise<{ peers: TestService; svc: TestService }> {
  const servingTcp = await freePort();
  const peers = await startTestService(peerFixtureService, PeerFixtureModule, { db, env: { PEERS: `model-serving=127.0.0.1:${servingTcp}` } });
  const at = `127.0.0.1:${peers.tcpPort}`;
  const svc = await startTestService(service, AppModule, {
    db,
    env: {
      TCP_PORT: String(servingTcp),
      PEERS: `trainer=${at},feature-store=${at},dwh-ingest=${at}`,
      FEATURE_STORE_URL: peers.url,
      PEER_TIMEOUT_MS: '2000',
      ...env,
    },
  });
  return { peers, svc };
}

describe('model-serving over the real transport and PostgreSQL', () => {
  let db: TestDatabase;
  let peers: TestService;
  let svc: TestService;
  let spillDir: string;
  let churnV1: ModelArtifact;

  const infer = (model: string, rows: DemoRow[], extra: Json = {}, url = `/v2/models/${model}/infer`, headers: Record<string, string> = {}) =>
    callService(svc, 'POST', url, { inputs: demoTensors(rows), ...extra }, headers);
  const promote = (model: string, alias: 'champion' | 'challenger', version: number | null, previousVersion: number | null) => {
    peerState.aliases.set(model, { ...(peerState.aliases.get(model) ?? { champion: null, challenger: null }), [alias]: version });
    return peers.app.get(PeerClients).get('model-serving').emit(ModelPromotedEvent, { model, alias, version, previousVersion, reason: 'test', at: new Date().toISOString() });
  };
  const metrics = async () => (await callService(svc, 'GET', '/metrics')).json['text'] as string;
  /** The value of one series, whatever order the labels come in (NaN when absent). */
  const series = (text: string, name: string, labels: Record<string, string>) => {
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
    }
    return NaN;
  };

  beforeAll(async () => {
    churnV1 = await tfjsArtifact('churn', 1, 3);
    peerState.addVersion(registryEntry(churnV1, ['champion']));
    peerState.addVersion(registryEntry(baselineArtifact('churn', 2, -0.5, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), []));
    peerState.addVersion(registryEntry(baselineArtifact('churn', 3), [], 'sha'));
    peerState.addVersion(registryEntry(baselineArtifact('rule', 1, 0, [1, 0, 0, 0, 0, 0])));
    peerState.addVersion(registryEntry(baselineArtifact('rule', 2, 5, [0, 0, 0, 0, 0, 0])));
    peerState.aliases.set('churn', { champion: 1, challenger: null });
    peerState.aliases.set('rule', { champion: 1, challenger: 2 });
    peerState.features.set('u1', {
      'user_activity:orders_7d': { value: 5, status: 'PRESENT' },
      'user_activity:revenue_7d': { value: 120, status: 'PRESENT' },
      'user_profile:plan': { value: 'pro', status: 'PRESENT' },
    });
    peerState.features.set('u2', {
      'user_activity:orders_7d': { value: 9, status: 'OUTSIDE_MAX_AGE' },
      'user_profile:plan': { value: 'free', status: 'PRESENT' },
    });

    db = await createTestDatabase();
    // The published mart batch jobs read entities from (dwh-ingest owns it; a fixture table here).
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA dwh; CREATE TABLE dwh.mart_user_profile (user_id text PRIMARY KEY, signup_date date, country text, plan text, updated_at timestamptz)`);
    await admin.query(`INSERT INTO dwh.mart_user_profile (user_id, plan) SELECT 'b' || lpad(g::text, 3, '0'), 'free' FROM generate_series(1, 25) g`);
    await admin.end();
    for (let g = 1; g <= 25; g++) {
      peerState.features.set(`b${String(g).padStart(3, '0')}`, { 'user_activity:orders_7d': { value: g % 7, status: 'PRESENT' }, 'user_profile:plan': { value: 'free', status: 'PRESENT' } });
    }
    spillDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serving-spill-'));
    ({ peers, svc } = await startServingWithPeers(db, {
      BODY_LIMIT_BYTES: '262144',
      MAX_INFER_ROWS: '500',
      MODEL_RECONCILE_INTERVAL_MS: '60000',
      PREDICTION_LOG_CAPACITY: '50',
      PREDICTION_LOG_BATCH: '20',
      PREDICTION_LOG_FLUSH_MS: '100',
      PREDICTION_LOG_SPILL_DIR: spillDir,
      DRIFT_WINDOW: '200',
      DRIFT_MIN_OBSERVATIONS: '100',
      DRIFT_CHECK_INTERVAL_MS: '200',
      OUTBOX_POLL_MS: '100',
      BATCH_POLL_MS: '100',
      BATCH_RETRY_MS: '200',
      LIVE_QUALITY_REFRESH_MS: '200',
    }));
    await until(() => callService(svc, 'GET', '/v2/health/ready'), (r) => r.status === 200);
  }, 60000);

  afterAll(async () => {
    await svc?.close();
    await peers?.close();
    await db?.drop();
    fs.rmSync(spillDir, { recursive: true, force: true });
  });

  it('answers the V2 health, server and model metadata endpoints', async () => {
    expect(await callService(svc, 'GET', '/v2/health/live')).toEqual(expect.objectContaining({ status: 200, json: { live: true } }));
    expect(await callService(svc, 'GET', '/v2/health/ready')).toEqual(expect.objectContaining({ status: 200, json: { ready: true } }));
    expect((await callService(svc, 'GET', '/v2')).json).toMatchObject({ name: 'model-serving', version: expect.any(String), extensions: expect.any(Array) });
    const meta = await callService(svc, 'GET', '/v2/models/churn');
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({
      name: 'churn',
      versions: ['1'],
      platform: 'tensorflowjs_layers',
      inputs: [
        { name: 'user_activity:orders_7d', datatype: 'INT64', shape: [-1] },
        { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [-1] },
        { name: 'user_profile:plan', datatype: 'BYTES', shape: [-1] },
      ],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
      parameters: { input_kind: 'raw_features' },
    });
    expect((await callService(svc, 'GET', '/v2/models/churn/versions/1')).json).toMatchObject({ name: 'churn', parameters: { version: '1' } });
    expect(await callService(svc, 'GET', '/v2/models/churn/ready')).toEqual(expect.objectContaining({ status: 200, json: { name: 'churn', ready: true } }));
    expect((await callService(svc, 'GET', '/v2/models/churn/versions/1/ready')).status).toBe(200);
    // Both infer routes are documented, with their request and response contracts.
    const paths = (await callService(svc, 'GET', '/openapi.json')).json['paths'] as Record<string, Record<string, { operationId?: string; requestBody?: unknown; responses?: Record<string, unknown> }>>;
    for (const p of ['/v2/models/{model}/infer', '/v2/models/{model}/versions/{version}/infer']) {
      expect([p, !!paths[p]?.['post']?.requestBody, !!paths[p]?.['post']?.responses?.['200']]).toEqual([p, true, true]);
    }
    const operationIds = Object.values(paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(operationIds.filter((id, i) => operationIds.indexOf(id) !== i)).toEqual([]); // unique, as OpenAPI requires
  });

  it('infers with V2 from raw features: id echoed, [n] or [n, 1] shapes, outputs selected, version paths', async () => {
    const flat = await infer('churn', [row(1), row(2)], { id: 'req-42', outputs: [{ name: 'probability' }] });
    expect(flat.status).toBe(200);
    expect(flat.json).toMatchObject({ model_name: 'churn', model_version: '1', id: 'req-42', parameters: { arm: 'champion' } });
    const out = (flat.json['outputs'] as Array<{ name: string; datatype: string; shape: number[]; data: number[] }>)[0];
    expect([out.name, out.shape, out.datatype]).toEqual(['probability', [2, 1], 'FP32']);
    const alone = await LoadedModel.load(registryEntry(churnV1), { maxBatchSize: 1, maxBatchDelayMs: 0 });
    const expected = Array.from(await alone.predict(vectors([row(1), row(2)]), 2));
    out.data.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 5));
    const columns = demoTensors([row(1), row(2)]).map((t) => ({ ...t, shape: [2, 1], data: t.data.map((v) => [v]) }));
    const nested = await callService(svc, 'POST', '/v2/models/churn/versions/1/infer', { inputs: columns });
    expect(nested.status).toBe(200);
    expect(((nested.json['outputs'] as Array<{ data: number[] }>)[0]).data).toEqual(out.data);
  });

  it('infers from raw features through the saved preprocessing, nulls filled', async () => {
    const res = await callService(svc, 'POST', '/v2/models/rule/infer', {
      inputs: [
        { name: 'user_activity:orders_7d', datatype: 'FP64', shape: [2], data: [5, null] },
        { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [2], data: [null, 3] },
        { name: 'user_profile:plan', datatype: 'BYTES', shape: [2], data: ['pro', 'free'] },
      ],
    }, { 'x-sticky-key': 'always-champion-key-0' });
    expect(res.status).toBe(200);
    const [p1, p2] = ((res.json['outputs'] as Array<{ data: number[] }>)[0]).data;
    // rule v1: sigmoid(standardised orders); orders 5 -> (5-2)/1.5 = 2, missing -> fill 1 -> -2/3.
    if ((res.json['parameters'] as Json)['arm'] === 'champion') {
      expect(p1).toBeCloseTo(sigmoid(2), 5);
      expect(p2).toBeCloseTo(sigmoid(-2 / 3), 5);
    }
  });

  it('answers every client mistake with 400/404/413 and the error shape, never 500', async () => {
    const ok = demoTensors([row(1)]);
    const with0 = (change: Json) => [{ ...ok[0], ...change }, ok[1], ok[2]];
    const cases: Array<[string, string, unknown, number, string]> = [
      ['unknown model', '/v2/models/nope/infer', { inputs: ok }, 404, 'MODEL_NOT_FOUND'],
      ['unknown version', '/v2/models/churn/versions/77/infer', { inputs: ok }, 404, 'MODEL_VERSION_NOT_FOUND'],
      ['non-numeric version', '/v2/models/churn/versions/latest/infer', { inputs: ok }, 404, 'MODEL_VERSION_NOT_FOUND'],
      ['wrong shape', '/v2/models/churn/infer', { inputs: with0({ shape: [1, 2], data: [1, 2] }) }, 400, 'SHAPE_MISMATCH'],
      ['count vs shape', '/v2/models/churn/infer', { inputs: with0({ shape: [2] }) }, 400, 'SHAPE_MISMATCH'],
      ['batch sizes differ', '/v2/models/churn/infer', { inputs: with0({ shape: [2], data: [1, 2] }) }, 400, 'SHAPE_MISMATCH'],
      ['wrong datatype', '/v2/models/churn/infer', { inputs: with0({ datatype: 'BYTES', data: ['1'] }) }, 400, 'DATATYPE_MISMATCH'],
      ['string data', '/v2/models/churn/infer', { inputs: with0({ data: ['x'] }) }, 400, 'DATATYPE_MISMATCH'],
      ['a fraction as INT64', '/v2/models/churn/infer', { inputs: with0({ data: [1.5] }) }, 400, 'DATATYPE_MISMATCH'],
      ['unknown input', '/v2/models/churn/infer', { inputs: [...ok, { name: 'pixels', datatype: 'FP32', shape: [1], data: [1] }] }, 400, 'UNKNOWN_INPUT'],
      ['a preprocessed tensor', '/v2/models/churn/infer', { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 6], data: demoVector(row(1)) }] }, 400, 'UNKNOWN_INPUT'],
      ['missing input', '/v2/models/churn/infer', { inputs: ok.slice(1) }, 400, 'MISSING_INPUT'],
      ['unknown output', '/v2/models/churn/infer', { inputs: ok, outputs: [{ name: 'logits' }] }, 400, 'UNKNOWN_OUTPUT'],
      ['no inputs', '/v2/models/churn/infer', { inputs: [] }, 400, 'INVALID_INFER_REQUEST'],
      ['too many rows', '/v2/models/churn/infer', { inputs: demoTensors(Array.from({ length: 501 }, (_, i) => row(i))) }, 413, 'BATCH_TOO_LARGE'],
    ];
    for (const [what, url, body, status, code] of cases) {
      const res = await callService(svc, 'POST', url, body);
      expect([what, res.status, res.json['code']]).toEqual([what, status, code]);
      expect(Object.keys(res.json).sort()).toEqual(['code', 'details', 'error', 'requestId']);
    }
    const infinite = await callService(svc, 'POST', '/v2/models/churn/infer', JSON.stringify({ inputs: ok }).replace('"data":[1]', '"data":[1e999]'));
    expect([infinite.status, infinite.json['code']]).toEqual([400, 'NON_FINITE_NUMBER']);
    const malformed = await callService(svc, 'POST', '/v2/models/churn/infer', '{"inputs": [');
    expect([malformed.status, malformed.json['code']]).toEqual([400, 'MALFORMED_JSON']);
    const oversized = await callService(svc, 'POST', '/v2/models/churn/infer', { inputs: [{ name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [120000], data: new Array(120000).fill(0.123456) }] });
    expect([oversized.status, oversized.json['code']]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(series(await metrics(), 'model_infer_request_failure_total', { model: 'churn', version: '1', code: 'SHAPE_MISMATCH' })).toBeGreaterThanOrEqual(2);
  });

  it('records the entity keys a V2 request names with each row in the prediction log, and refuses bad ones with 400', async () => {
    const two = await infer('churn', [row(1), row(2)], { parameters: { entity: { colour_id: ['c-1', 'c-2'], shop: 7 } } }, '/v2/models/churn/infer', { 'x-request-id': 'entity-two' });
    expect(two.status).toBe(200);
    const one = await infer('churn', [row(3)], { parameters: { entity: { colour_id: 'c-17' } } }, '/v2/models/churn/infer', { 'x-request-id': 'entity-one' });
    expect(one.status).toBe(200);
    const plain = await infer('churn', [row(4)], {}, '/v2/models/churn/infer', { 'x-request-id': 'entity-none' });
    expect(plain.status).toBe(200);
    const logged = await until(
      () => [...peerState.logged.values()].filter((r) => r.requestId.startsWith('entity-')),
      (rs) => rs.length === 4,
    );
    const entities = logged.map((r) => [r.requestId, r.entity ?? null, r.inputs['user_activity:orders_7d']]).sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[2]) - Number(b[2]));
    expect(entities).toEqual([
      ['entity-none', null, row(4).orders],
      ['entity-one', { colour_id: 'c-17' }, row(3).orders],
      ['entity-two', { colour_id: 'c-1', shop: 7 }, row(1).orders],
      ['entity-two', { colour_id: 'c-2', shop: 7 }, row(2).orders],
    ]);
    const cases: Array<[unknown, string]> = [
      [{ 'colour-id': 'c-1' }, 'INVALID_ENTITY'],
      [{ colour_id: true }, 'INVALID_ENTITY'],
      [{ colour_id: ['c-1', 'c-2', 'c-3'] }, 'ENTITY_ROWS_MISMATCH'],
    ];
    for (const [entity, code] of cases) {
      const res = await infer('churn', [row(1), row(2)], { parameters: { entity } });
      expect([entity, res.status, res.json['code']]).toEqual([entity, 400, code]);
    }
  });

  it('answers a V2 infer the same, byte for byte, through the fast route and through the Nest route', async () => {
    const fast = countFastCalls(svc, ['/v2/models/churn/infer', '/v2/models/churn/versions/1/infer']);
    const ok = demoTensors([row(1), row(2)]);
    const cases: Array<[string, string, unknown]> = [
      ['policy, id echoed, outputs chosen', '/v2/models/churn/infer', { id: 'same-1', inputs: ok, outputs: [{ name: 'probability' }] }],
      ['a pinned version', '/v2/models/churn/versions/1/infer', { inputs: ok }],
      ['a client mistake', '/v2/models/churn/infer', { inputs: ok.slice(1) }],
      ['an unknown version', '/v2/models/churn/versions/77/infer', { inputs: ok }],
    ];
    for (const [what, url, body] of cases) {
      const headers = { 'x-request-id': `same-${what.length}` };
      const before = fast.calls;
      const viaFast = await post(svc, url, JSON.stringify(body), headers, false);
      expect([what, fast.calls]).toEqual([what, before + 1]);
      const viaNest = await post(svc, url, JSON.stringify(body), headers, true);
      expect([what, fast.calls]).toEqual([what, before + 1]); // declined: the Nest route answered
      expect([what, viaNest.status, viaNest.text]).toEqual([what, viaFast.status, viaFast.text]);
      // (Errors differ in one header, which is the kit's: its fast path writes `application/json`, Fastify adds `; charset=utf-8`.)
      if (viaFast.status === 200) expect([viaFast.contentType, viaNest.contentType]).toEqual(['application/json; charset=utf-8', 'application/json; charset=utf-8']);
    }
  });

  it('speaks TF-Serving REST: instances, inputs, labels, versions and model status', async () => {
    const instance = (r: DemoRow) => ({ 'user_activity:orders_7d': r.orders, 'user_activity:revenue_7d': r.revenue, 'user_profile:plan': r.plan });
    const rows = await callService(svc, 'POST', '/v1/models/churn:predict', { instances: [instance(row(1)), instance(row(2))] });
    expect([rows.status, rows.json['code']]).toEqual([200, undefined]);
    const alone = await LoadedModel.load(registryEntry(churnV1), { maxBatchSize: 1, maxBatchDelayMs: 0 });
    const expected = Array.from(await alone.predict(vectors([row(1), row(2)]), 2));
    (rows.json['predictions'] as number[][]).forEach((p, i) => expect(p[0]).toBeCloseTo(expected[i], 5));
    const columns = Object.fromEntries(demoTensors([row(1), row(2)]).map((t) => [t.name, t.data]));
    const cols = await callService(svc, 'POST', '/v1/models/churn/versions/1:predict', { inputs: columns });
    expect(cols.json['outputs']).toEqual(rows.json['predictions']);
    const label = await callService(svc, 'POST', '/v1/models/churn/labels/champion:predict', { instances: [instance(row(1))] });
    expect(label.json['predictions']).toEqual([(rows.json['predictions'] as number[][])[0]]);
    expect((await callService(svc, 'POST', '/v1/models/churn/labels/beta:predict', { instances: [instance(row(1))] })).status).toBe(404);
    expect((await callService(svc, 'POST', '/v1/models/churn:predict', { instances: [[1, 2]] })).status).toBe(400);
    expect((await callService(svc, 'GET', '/v1/models/churn')).json).toMatchObject({ model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK' } }] });
    expect((await callService(svc, 'GET', '/v1/models/churn/versions/1')).json).toEqual({ model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] });
    expect((await callService(svc, 'GET', '/v1/models/churn/versions/9')).status).toBe(404);
    expect((await callService(svc, 'GET', '/v1/models/nope')).status).toBe(404);
  });

  it('scores entities by key over HTTP and the transport, reporting missing and stale features', async () => {
    const res = await callService(svc, 'POST', '/v1/models/churn/predict-entities', { entities: { user_id: ['u1', 'u2', 'u3'] } });
    expect(res.status).toBe(200);
    const preds = res.json['predictions'] as Array<{ entity: Json; score: number; version: number; featureStatuses: Json }>;
    expect(preds.map((p) => p.entity['user_id'])).toEqual(['u1', 'u2', 'u3']);
    expect(preds[0].featureStatuses).toEqual({ 'user_activity:orders_7d': 'PRESENT', 'user_activity:revenue_7d': 'PRESENT', 'user_profile:plan': 'PRESENT' });
    expect(preds[1].featureStatuses).toMatchObject({ 'user_activity:orders_7d': 'OUTSIDE_MAX_AGE', 'user_activity:revenue_7d': 'NOT_FOUND' });
    expect(res.json['degraded']).toBe(2);
    expect(preds.every((p) => p.version === 1 && p.score > 0 && p.score < 1)).toBe(true);
    const viaTransport = await peers.app.get(PeerClients).get('model-serving').send(PredictEntitiesMessage, { model: 'churn', entities: { user_id: ['u1'] } });
    expect(viaTransport.predictions[0].score).toBeCloseTo(preds[0].score, 6);
    expect((await callService(svc, 'POST', '/v1/models/churn/predict-entities', { entities: { user_id: [] } })).status).toBe(400);
  });

  it('coalesces many concurrent distinct requests and gives each caller exactly its rows', async () => {
    expect((await callService(svc, 'PUT', '/v1/models/churn/traffic-policy', { maxBatchSize: 32, maxBatchDelayMs: 5 })).status).toBe(200);
    const alone = await LoadedModel.load(registryEntry(churnV1), { maxBatchSize: 1, maxBatchDelayMs: 0 });
    const results = await Promise.all(
      Array.from({ length: 120 }, async (_, i) => {
        const rows = i % 3 === 0 ? [row(i), row(i + 1000)] : [row(i)];
        const res = await infer('churn', rows);
        return { rows, data: ((res.json['outputs'] as Array<{ data: number[] }>)[0]).data };
      }),
    );
    for (const { rows, data } of results) {
      const expected = Array.from(await alone.predict(vectors(rows), rows.length));
      expect(data).toHaveLength(rows.length);
      data.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 5));
    }
    const text = await metrics();
    const count = series(text, 'model_infer_batch_size_count', { model: 'churn', version: '1' });
    const sum = series(text, 'model_infer_batch_size_sum', { model: 'churn', version: '1' });
    expect(sum / count).toBeGreaterThan(1.2); // batches of more than one request happened
    await callService(svc, 'PUT', '/v1/models/churn/traffic-policy', { maxBatchDelayMs: 1 });
  });

  it('hot-swaps to a promoted version under load with zero failed requests', async () => {
    let stop = false;
    const statuses: number[] = [];
    const versions = new Set<string>();
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const res = await infer('churn', [row(3)]);
        statuses.push(res.status);
        versions.add(String(res.json['model_version']));
      }
    });
    // Load before and after the swap is counted in requests, not milliseconds (the machine may be slow).
    await until(() => statuses.length, (n) => n >= 30);
    await promote('churn', 'champion', 2, 1);
    await until(() => callService(svc, 'GET', '/v2/models/churn'), (r) => (r.json['parameters'] as Json)?.['version'] === '2');
    const swappedAt = statuses.length;
    await until(() => statuses.length, (n) => n >= swappedAt + 30);
    stop = true;
    await Promise.all(workers);
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect([...versions].sort()).toEqual(['1', '2']);
    const after = await infer('churn', [row(3)]);
    const z = -0.5 + demoVector(row(3)).reduce((s, x, i) => s + x * [0.1, 0.2, 0.3, 0.4, 0.5, 0.6][i], 0);
    expect(((after.json['outputs'] as Array<{ data: number[] }>)[0]).data[0]).toBeCloseTo(sigmoid(z), 5);
    // v1 is no longer held by anyone: released.
    expect((await callService(svc, 'GET', '/v2/models/churn')).json['versions']).toEqual(['2']);
  });

  it('hot-swaps an entity-keyed model under load (HTTP and transport) with zero failed requests', async () => {
    // Entity-keyed requests hold the version while fetching features over the transport, the window a
    // swap used to fall into; v1 and v2 differ only in intercept, so each answer names its version.
    peerState.addVersion(registryEntry(baselineArtifact('swap', 1, -1), ['champion']));
    peerState.addVersion(registryEntry(baselineArtifact('swap', 2, 1), []));
    await promote('swap', 'champion', 1, null);
    await until(() => callService(svc, 'GET', '/v2/models/swap/ready'), (r) => r.status === 200);
    const ids = ['u1', 'u2', 'u3'];
    let stop = false;
    const failures: unknown[] = [];
    const scores = new Map<string, Set<number>>(); // "version:entity" -> scores seen
    const requestVersions: number[][] = [];
    const record = (preds: Array<{ entity: Json; version: number; score: number }>) => {
      requestVersions.push([...new Set(preds.map((p) => p.version))]);
      for (const p of preds) {
        const key = `${p.version}:${p.entity['user_id']}`;
        scores.set(key, (scores.get(key) ?? new Set()).add(p.score));
      }
    };
    const transport = peers.app.get(PeerClients).get('model-serving');
    const workers = Array.from({ length: 8 }, async (_, w) => {
      while (!stop) {
        if (w % 4 === 3) {
          try {
            record((await transport.send(PredictEntitiesMessage, { model: 'swap', entities: { user_id: ids } })).predictions as never);
          } catch (err) {
            failures.push(err);
          }
          continue;
        }
        const res = await callService(svc, 'POST', '/v1/models/swap/predict-entities', { entities: { user_id: ids } });
        if (res.status !== 200) failures.push(res.json);
        else record(res.json['predictions'] as Array<{ entity: Json; version: number; score: number }>);
      }
    });
    await until(() => requestVersions.length, (n) => n >= 40);
    await promote('swap', 'champion', 2, 1);
    await until(() => callService(svc, 'GET', '/v2/models/swap'), (r) => (r.json['parameters'] as Json)?.['version'] === '2');
    const swappedAt = requestVersions.length;
    await until(() => requestVersions.length, (n) => n >= swappedAt + 40);
    stop = true;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    expect(requestVersions.every((v) => v.length === 1)).toBe(true); // one request, one version
    expect(new Set(requestVersions.map((v) => v[0]))).toEqual(new Set([1, 2]));
    for (const id of ids) {
      expect(scores.get(`1:${id}`)?.size).toBe(1); // deterministic per version
      expect(scores.get(`2:${id}`)?.size).toBe(1);
      expect([...(scores.get(`2:${id}`) as Set<number>)][0]).toBeGreaterThan([...(scores.get(`1:${id}`) as Set<number>)][0]);
    }
    // v1 is no longer held by anyone: released.
    expect((await callService(svc, 'GET', '/v2/models/swap')).json['versions']).toEqual(['2']);
  });

  it('refuses a corrupt artifact while the current version keeps serving', async () => {
    await promote('churn', 'champion', 3, 2);
    const status = await until(() => callService(svc, 'GET', '/v1/models/churn'), (r) => JSON.stringify(r.json).includes('FAILED_PRECONDITION'));
    expect(status.json['model_version_status']).toEqual(
      expect.arrayContaining([expect.objectContaining({ version: '3', state: 'END', status: expect.objectContaining({ error_code: 'FAILED_PRECONDITION', error_message: expect.stringMatching(/sha256/) }) })]),
    );
    const res = await infer('churn', [row(1)]);
    expect([res.status, res.json['model_version']]).toEqual([200, '2']);
    expect(series(await metrics(), 'model_load_total', { model: 'churn', outcome: 'refused' })).toBe(1);
  });

  it('splits canary traffic stickily and scores the challenger silently in shadow mode', async () => {
    await callService(svc, 'PUT', '/v1/models/rule/traffic-policy', { canaryWeight: 0.5, stickyKey: 'header' });
    const arms = async (key: string) => ((await infer('rule', [row(1)], {}, '/v2/models/rule/infer', { 'x-sticky-key': key })).json['parameters'] as Json)['arm'];
    const first = await Promise.all(Array.from({ length: 40 }, (_, i) => arms(`user-${i}`)));
    expect(new Set(first)).toEqual(new Set(['champion', 'challenger']));
    expect(await Promise.all(Array.from({ length: 40 }, (_, i) => arms(`user-${i}`)))).toEqual(first);
    // Entity-keyed: each entity is routed by its own key, the same way every time.
    await callService(svc, 'PUT', '/v1/models/rule/traffic-policy', { stickyKey: 'entity' });
    const ids = Array.from({ length: 25 }, (_, i) => `b${String(i + 1).padStart(3, '0')}`);
    const byEntity = async () =>
      ((await callService(svc, 'POST', '/v1/models/rule/predict-entities', { entities: { user_id: ids } })).json['predictions'] as Array<{ arm: string; version: number }>).map((p) => `${p.arm}:${p.version}`);
    const once = await byEntity();
    expect(new Set(once)).toEqual(new Set(['champion:1', 'challenger:2']));
    expect(await byEntity()).toEqual(once);
    await callService(svc, 'PUT', '/v1/models/rule/traffic-policy', { shadow: true });
    const before = [...peerState.logged.values()].filter((r) => r.arm === 'shadow').length;
    const shadowed = await infer('rule', [row(1)], { id: 'shadow-1' }, '/v2/models/rule/infer', { 'x-request-id': 'shadow-req-1' });
    expect([shadowed.json['model_version'], (shadowed.json['parameters'] as Json)['arm']]).toEqual(['1', 'champion']);
    const logged = await until(() => [...peerState.logged.values()].filter((r) => r.requestId === 'shadow-req-1'), (rs) => rs.length === 2);
    expect(logged.map((r) => [r.arm, r.version]).sort()).toEqual([['champion', 1], ['shadow', 2]]);
    expect([...peerState.logged.values()].filter((r) => r.arm === 'shadow').length).toBe(before + 1);
  });

  it('keeps the prediction log through a warehouse outage (spilling to disk) and delivers every record after it', async () => {
    await until(() => callService(svc, 'GET', '/v1/prediction-log'), (r) => r.json['inMemory'] === 0 && r.json['onDisk'] === 0);
    peerState.warehouseDown = true;
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await infer('churn', [row(i), row(i + 1), row(i + 2), row(i + 3)], {}, '/v2/models/churn/infer', { 'x-request-id': `outage-${i}` });
      expect(res.status).toBe(200);
      ids.push(`outage-${i}`);
    }
    const during = await callService(svc, 'GET', '/v1/prediction-log');
    expect(Number(during.json['inMemory']) + Number(during.json['onDisk'])).toBe(120);
    expect(Number(during.json['onDisk'])).toBeGreaterThan(0); // capacity 50: the rest spilled
    peerState.warehouseDown = false;
    await until(() => callService(svc, 'GET', '/v1/prediction-log'), (r) => r.json['inMemory'] === 0 && r.json['onDisk'] === 0);
    const delivered = [...peerState.logged.values()].filter((r) => r.requestId.startsWith('outage-'));
    expect(delivered).toHaveLength(120);
    expect(new Set(delivered.map((r) => r.requestId))).toEqual(new Set(ids));
    // The log holds the raw values the client sent.
    const first = delivered.find((r) => r.requestId === 'outage-0');
    expect(first).toMatchObject({ model: 'churn', version: 2, arm: 'champion', inputs: { 'user_activity:orders_7d': row(0).orders, 'user_activity:revenue_7d': row(0).revenue, 'user_profile:plan': row(0).plan } });
  });

  it('sets a batch the warehouse refuses aside on disk, reports it, and keeps the log flowing', async () => {
    await until(() => callService(svc, 'GET', '/v1/prediction-log'), (r) => r.json['inMemory'] === 0 && r.json['onDisk'] === 0);
    const before = await callService(svc, 'GET', '/v1/prediction-log');
    peerState.warehouseRefusesLog = true;
    try {
      for (let i = 0; i < 5; i++) expect((await infer('churn', [row(i)], {}, '/v2/models/churn/infer', { 'x-request-id': `refused-${i}` })).status).toBe(200);
      const after = await until(() => callService(svc, 'GET', '/v1/prediction-log'), (r) => Number(r.json['rejected']) >= Number(before.json['rejected']) + 5);
      expect(Number(after.json['rejected']) - Number(before.json['rejected'])).toBe(5);
      expect(after.json['inMemory']).toBe(0); // not retried: nothing waits behind it
      expect(after.json['lastRefusal']).toMatchObject({ error: expect.stringContaining('invalid dwh-ingest.prediction-log.v2 lines') });
      const files = after.json['rejectedFiles'] as string[];
      const kept = files.flatMap((f) => fs.readFileSync(path.join(spillDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { requestId: string }));
      expect(kept.filter((r) => r.requestId.startsWith('refused-')).map((r) => r.requestId).sort()).toEqual(['refused-0', 'refused-1', 'refused-2', 'refused-3', 'refused-4']);
      expect((await callService(svc, 'GET', '/metrics')).json['text']).toMatch(/prediction_log_records_total\{[^}]*outcome="rejected"[^}]*\} [1-9]/);
    } finally {
      peerState.warehouseRefusesLog = false;
    }
    // The next predictions flow again.
    expect((await infer('churn', [row(1)], {}, '/v2/models/churn/infer', { 'x-request-id': 'after-refusal' })).status).toBe(200);
    await until(() => [...peerState.logged.values()].some((r) => r.requestId === 'after-refusal'), (found) => found);
  });

  it('measures input drift with PSI, exposes it, and emits model.drift.detected to the trainer', async () => {
    // Raw orders far above the training mean (2 +- 1.5): every row lands in the top bin.
    for (let i = 0; i < 3; i++) {
      const res = await callService(svc, 'POST', '/v2/models/churn/infer', {
        inputs: [
          { name: 'user_activity:orders_7d', datatype: 'FP64', shape: [50], data: Array.from({ length: 50 }, (_, j) => 20 + j) },
          { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [50], data: Array.from({ length: 50 }, () => Math.expm1(3)) },
          { name: 'user_profile:plan', datatype: 'BYTES', shape: [50], data: Array.from({ length: 50 }, () => 'plus') },
        ],
      });
      expect(res.status).toBe(200);
    }
    const drift = await callService(svc, 'GET', '/v1/models/churn/drift');
    // The baseline comes from the feature store's materialization statistics (histograms).
    expect(drift.json).toMatchObject({ model: 'churn', version: 2, baseline: 'feature_store' });
    const orders = (drift.json['features'] as Array<{ feature: string; status: string; psi: number; source: string }>).find((f) => f.feature === 'user_activity:orders_7d');
    expect([orders?.status, orders?.source]).toEqual(['drift', 'feature_store']);
    const events = await until(
      () => peerState.driftEvents.filter((e) => e.model === 'churn' && e.version === 2 && e.features.some((f) => f.feature === 'user_activity:orders_7d')),
      (e) => e.length > 0,
    );
    expect(events[0]).toMatchObject({ model: 'churn', version: 2, threshold: 0.25, window: 200, features: expect.arrayContaining([expect.objectContaining({ feature: 'user_activity:orders_7d' })]) });
    expect(series(await metrics(), 'model_feature_psi', { model: 'churn', version: '2', feature: 'user_activity:orders_7d' })).toBeGreaterThan(0.25);
  });

  it('takes an explicit baseline per model version and refuses one naming unknown features', async () => {
    const bad = await callService(svc, 'PUT', '/v1/models/churn/drift/baseline', { features: [{ feature: 'other:thing', kind: 'categorical', proportions: { a: 1 } }] });
    expect([bad.status, bad.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
    const set = await callService(svc, 'PUT', '/v1/models/churn/drift/baseline', { features: [{ feature: 'user_profile:plan', kind: 'categorical', proportions: { free: 0.5, plus: 0.3, pro: 0.2, __other__: 0 } }] });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ baseline: 'explicit', features: [{ feature: 'user_profile:plan', source: 'explicit', observations: 0 }] });
    const res = await callService(svc, 'POST', '/v2/models/churn/infer', {
      inputs: [
        { name: 'user_activity:orders_7d', datatype: 'INT64', shape: [3], data: [null, null, null] },
        { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [3], data: [null, null, null] },
        { name: 'user_profile:plan', datatype: 'BYTES', shape: [3], data: ['free', 'plus', 'pro'] },
      ],
    });
    expect(res.status).toBe(200);
    expect(((await callService(svc, 'GET', '/v1/models/churn/drift')).json['features'] as Array<{ observations: number }>)[0].observations).toBe(3);
  });

  it('scores a mart in chunks into serving.batch_predictions, resuming after an outage from its cursor', async () => {
    peerState.featureCallsBeforeOutage = 2; // the third chunk meets a feature-store outage
    const created = await callService(svc, 'POST', '/v1/batch-jobs', { model: 'churn', source: { mart: 'mart_user_profile', key: 'user_id' }, chunkSize: 5 });
    expect(created.status).toBe(201);
    const id = created.json['id'] as string;
    const interrupted = await until(() => callService(svc, 'GET', `/v1/batch-jobs/${id}`), (r) => r.json['error'] !== null && r.json['status'] === 'queued');
    expect(interrupted.json).toMatchObject({ status: 'queued', scored: 10, chunks: 2, cursor: 'b010', version: 2 });
    peerState.featureCallsBeforeOutage = undefined;
    const done = await until(() => callService(svc, 'GET', `/v1/batch-jobs/${id}`), (r) => r.json['status'] === 'succeeded');
    expect(done.json).toMatchObject({ status: 'succeeded', scored: 25, chunks: 5, cursor: 'b025', run: 1 });
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT count(*)::int AS n, count(DISTINCT entity_key)::int AS d, min(version) AS v FROM serving.batch_predictions WHERE job_id = $1`, [id]);
      expect(rows[0]).toEqual({ n: 25, d: 25, v: 2 });
      const one = await c.query(`SELECT score, feature_statuses FROM serving.batch_predictions WHERE job_id = $1 AND entity_key = 'b003'`, [id]);
      expect(one.rows[0].feature_statuses).toMatchObject({ 'user_activity:orders_7d': 'PRESENT', 'user_activity:revenue_7d': 'NOT_FOUND' });
      expect(one.rows[0].score).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });

  it('refuses batch jobs with unknown marts, unsafe or failing SQL and bad schedules as 400s', async () => {
    const post = (body: unknown) => callService(svc, 'POST', '/v1/batch-jobs', body);
    expect((await post({ model: 'churn', source: { mart: 'mart_nope', key: 'user_id' } })).json['code']).toBe('UNKNOWN_MART');
    expect((await post({ model: 'churn', source: { sql: 'SELECT 1; DROP TABLE dwh.mart_user_profile', key: 'user_id' } })).json['code']).toBe('INVALID_SQL');
    expect((await post({ model: 'churn', source: { sql: 'SELECT nope FROM dwh.mart_user_profile', key: 'user_id' } })).json['code']).toBe('INVALID_SQL');
    expect((await post({ model: 'churn', source: { sql: 'WITH d AS (DELETE FROM dwh.mart_user_profile RETURNING user_id) SELECT user_id FROM d', key: 'user_id' } })).json['code']).toBe('INVALID_SQL');
    expect((await post({ model: 'churn', source: { mart: 'mart_user_profile', key: 'user_id' }, schedule: 'every tuesday' })).json['code']).toBe('INVALID_SCHEDULE');
    const scheduled = await post({ model: 'churn', source: { sql: "SELECT user_id FROM dwh.mart_user_profile WHERE user_id <= 'b003'", key: 'user_id' }, schedule: '0 3 * * *' });
    expect(scheduled.status).toBe(201);
    const after = await until(() => callService(svc, 'GET', `/v1/batch-jobs/${scheduled.json['id']}`), (r) => r.json['status'] === 'scheduled');
    expect(after.json).toMatchObject({ status: 'scheduled', scored: 3, nextRunAt: expect.stringMatching(/T03:00:00.000Z$/) });
    expect((await callService(svc, 'POST', `/v1/batch-jobs/${scheduled.json['id']}/cancel`)).json['status']).toBe('cancelled');
    expect((await callService(svc, 'GET', '/v1/batch-jobs/999999')).status).toBe(404);
  });

  it('scores entities as of a time into a dwh table: the V2 path gives the same scores for the same raw features, the API pages every row once, the log has them', async () => {
    const asOf = '2026-11-15T00:00:00.000Z';
    // History: what each entity looked like before asOf (the values that count) and after it (which must not leak in).
    const before = (g: number): DemoRow => ({ orders: g % 5, revenue: g % 4 === 0 ? null : g * 3.5, plan: ['free', 'plus', 'pro'][g % 3] });
    for (let g = 1; g <= 25; g++) {
      if (g === 13) continue; // no history at all: every feature missing, filled as in training
      const key = `b${String(g).padStart(3, '0')}`;
      const raw = before(g);
      peerState.history.push({ key, at: '2026-11-01T00:00:00Z', values: { 'user_activity:orders_7d': raw.orders, 'user_activity:revenue_7d': raw.revenue, 'user_profile:plan': raw.plan } });
      peerState.history.push({ key, at: '2026-12-01T00:00:00Z', values: { 'user_activity:orders_7d': 40, 'user_activity:revenue_7d': 9999, 'user_profile:plan': 'pro' } });
    }
    const rawAsOf = (g: number): DemoRow => (g === 13 ? { orders: null, revenue: null, plan: null } : before(g));
    const created = await callService(svc, 'POST', '/v1/batch-jobs', {
      model: 'churn',
      source: { mart: 'mart_user_profile', key: 'user_id' },
      chunkSize: 7,
      features: { mode: 'point_in_time', asOf },
      results: { table: 'scores_churn_pit', mode: 'create' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ features: { mode: 'point_in_time', asOf }, results: { table: 'scores_churn_pit', mode: 'create' } });
    const id = created.json['id'] as string;
    const done = await until(() => callService(svc, 'GET', `/v1/batch-jobs/${id}`), (r) => r.json['status'] === 'succeeded' || r.json['status'] === 'failed');
    expect(done.json).toMatchObject({ status: 'succeeded', scored: 25, chunks: 4 });
    expect(new Set(peerState.historicalRequests.map((r) => (r['entity_rows'] as { event_timestamp: string[] }).event_timestamp[0]))).toEqual(new Set([asOf]));

    const c = new Client({ connectionString: db.url });
    await c.connect();
    let table: Array<{ job: string; run: number; version: number; user_id: string; as_of: Date; score: number; outputs: number[] }>;
    try {
      table = (await c.query(`SELECT job_id::text AS job, run, version, user_id, as_of, score, outputs FROM dwh.scores_churn_pit ORDER BY user_id`)).rows;
    } finally {
      await c.end();
    }
    expect(table).toHaveLength(25);
    expect(new Set(table.map((r) => `${r.job}/${r.run}/${r.as_of.toISOString()}`))).toEqual(new Set([`${id}/1/${asOf}`]));
    const version = table[0].version;
    // Independent check: the same raw rows through V2 infer of the same version.
    const rows = Array.from({ length: 25 }, (_, i) => rawAsOf(i + 1));
    const v2 = await infer('churn', rows, {}, `/v2/models/churn/versions/${version}/infer`);
    expect(v2.status).toBe(200);
    const v2Scores = ((v2.json['outputs'] as Array<{ data: number[] }>)[0].data).map(Math.fround);
    expect(table.map((r) => Math.fround(r.score))).toEqual(v2Scores);
    expect(table.every((r) => r.outputs.length === 1 && r.outputs[0] === r.score)).toBe(true);
    expect(new Set(v2Scores).size).toBeGreaterThan(5); // the rows differ, so equal scores are not a coincidence

    // Read back through the API, 4 a page: every row exactly once, the same scores.
    const seen: Array<{ entity: Record<string, string>; score: number; asOf: string; version: number }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await callService(svc, 'GET', `/v1/batch-jobs/${id}/results?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.json['items'] as typeof seen));
      cursor = page.json['nextCursor'] as string | null;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(pages).toBe(7);
    expect(seen.map((r) => r.entity['user_id'])).toEqual(table.map((r) => r.user_id));
    expect(seen.map((r) => r.score)).toEqual(table.map((r) => r.score));
    expect(new Set(seen.map((r) => `${r.asOf}/${r.version}`))).toEqual(new Set([`${asOf}/${version}`]));
    const one = await callService(svc, 'GET', `/v1/batch-jobs/${id}/results?entity=b013`);
    expect(one.json).toMatchObject({ job: id, run: 1, items: [{ entity: { user_id: 'b013' }, score: table[12].score }], nextCursor: null });
    expect((await callService(svc, 'GET', `/v1/batch-jobs/${id}/results?cursor=not-a-cursor`)).json['code']).toBe('INVALID_CURSOR');
    expect((await callService(svc, 'GET', `/v1/batch-jobs/${id}/results?run=2`)).json['code']).toBe('RUN_NOT_FOUND');

    // Logged like online predictions, marked by the request id, each with its entity and the raw values it was given.
    const logged = await until(
      () => [...peerState.logged.values()].filter((r) => r.requestId === `batch-${id}-1`),
      (l) => l.length >= 25,
    );
    expect(logged).toHaveLength(25);
    const b002 = logged.find((r) => r.entity?.['user_id'] === 'b002');
    expect(b002).toMatchObject({ model: 'churn', version, arm: 'pinned', inputs: { 'user_activity:orders_7d': 2, 'user_activity:revenue_7d': 7, 'user_profile:plan': 'pro' } });
    expect(Math.fround(b002?.output as number)).toBe(Math.fround(table[1].score));
  });

  it('refuses bad batch job specs with 4xx codes: results table name, unknown model, an existing table for create, a key clashing with a column', async () => {
    const post = (body: Record<string, unknown>) => callService(svc, 'POST', '/v1/batch-jobs', { model: 'churn', source: { mart: 'mart_user_profile', key: 'user_id' }, ...body });
    const answers = await Promise.all([
      post({ results: { table: 'mart_user_profile', mode: 'replace' } }),
      post({ results: { table: 'scores_x"; DROP TABLE dwh.mart_user_profile; --', mode: 'replace' } }),
      post({ model: 'no_such_model' }),
      post({ results: { table: 'scores_churn_pit', mode: 'create' } }),
      post({ source: { sql: 'SELECT user_id AS score FROM dwh.mart_user_profile', key: 'score' } }),
      post({ features: { mode: 'point_in_time', asOf: 'yesterday' } }),
    ]);
    expect(answers.map((a) => [a.status, a.json['code']])).toEqual([
      [400, 'INVALID_RESULTS_TABLE'],
      [400, 'INVALID_RESULTS_TABLE'],
      [404, 'MODEL_NOT_FOUND'],
      [409, 'RESULTS_TABLE_EXISTS'],
      [400, 'RESULTS_KEY_CLASH'],
      [400, 'VALIDATION_FAILED'],
    ]);
  });

  it('exposes inference metrics by model and version', async () => {
    const text = await metrics();
    expect(series(text, 'model_infer_request_success_total', { model: 'churn', version: '2' })).toBeGreaterThan(30);
    expect(series(text, 'model_infer_duration_seconds_count', { model: 'churn', version: '2' })).toBe(series(text, 'model_infer_request_success_total', { model: 'churn', version: '2' }));
    expect(series(text, 'model_infer_queue_size', { model: 'churn', version: '2' })).toBe(0);
  });

  it('counts the same requests over time as the Prometheus counters, and refuses bad ranges and unknown models', async () => {
    await svc.app.get(TrafficStatsRecorder).flush();
    const text = await metrics();
    const failures = text
      .split('\n')
      .filter((l) => l.startsWith('model_infer_request_failure_total{') && l.includes('model="churn"') && l.includes('version="2"'))
      .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
    const res = await callService(svc, 'GET', '/v1/models/churn/traffic-stats?version=2&bucket=600');
    expect(res.status).toBe(200);
    const points = res.json['points'] as Array<{ requests: number; errors: number; clientErrors: number; latencyMs?: { p50: number; p99: number } }>;
    const sum = (f: (p: (typeof points)[number]) => number) => points.reduce((n, p) => n + f(p), 0);
    expect(sum((p) => p.requests - p.errors - p.clientErrors)).toBe(series(text, 'model_infer_request_success_total', { model: 'churn', version: '2' }));
    expect(sum((p) => p.errors + p.clientErrors)).toBe(failures);
    expect(points.some((p) => p.latencyMs && p.latencyMs.p50 > 0 && p.latencyMs.p99 >= p.latencyMs.p50)).toBe(true);
    expect((await callService(svc, 'GET', '/v1/models/nope/traffic-stats')).json['code']).toBe('MODEL_NOT_FOUND');
    for (const [query, code] of [['bucket=45', 'INVALID_BUCKET'], ['from=yesterday', 'INVALID_TIME_RANGE'], ['version=x', 'INVALID_VERSION']]) {
      const bad = await callService(svc, 'GET', `/v1/models/churn/traffic-stats?${query}`);
      expect([bad.status, bad.json['code']]).toEqual([400, code]);
    }
  });

  it('answers live quality from the warehouse per version and arm, keeps it as gauges, and says 503 while the warehouse is down', async () => {
    const champion = {
      version: 2,
      arm: 'champion',
      predictions: 40,
      labelled: 30,
      positives: 12,
      positiveRate: 0.4,
      auc: 0.8125,
      logLoss: 0.52,
      brier: 0.18,
      calibration: [{ bin: 1, lower: 0, upper: 0.5, count: 18, meanPredicted: 0.25, observedRate: 0.2 }],
      rmse: 0.4,
      mae: 0.35,
      meanLabel: 0.4,
    };
    peerState.liveQuality.set('churn', [champion]);
    const res = await callService(svc, 'GET', '/v1/models/churn/live-quality?window_hours=48');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ model: 'churn', windowHours: 48, label: 'ordered', groups: [champion] });
    expect((await callService(svc, 'GET', '/v1/models/churn/live-quality')).json['windowHours']).toBe(720);
    expect((await callService(svc, 'GET', '/v1/models/churn/live-quality?version=1')).json['groups']).toEqual([]);
    for (const bad of ['0', '1.5', 'week', '9000']) {
      const r = await callService(svc, 'GET', `/v1/models/churn/live-quality?window_hours=${bad}`);
      expect([r.status, r.json['code']]).toEqual([400, 'INVALID_WINDOW']);
    }
    expect((await callService(svc, 'GET', '/v1/models/nope/live-quality')).status).toBe(404);
    // A served model that no outcome labels: the warehouse's 404 NO_OUTCOME, passed on; no gauges for it.
    const unlabelled = await callService(svc, 'GET', '/v1/models/rule/live-quality');
    expect([unlabelled.status, unlabelled.json['code']]).toEqual([404, 'NO_OUTCOME']);
    const auc = await until(metrics, (t) => series(t, 'model_live_auc', { model: 'churn', version: '2', arm: 'champion' }) === 0.8125);
    expect(series(auc, 'model_live_labelled_predictions', { model: 'churn', version: '2', arm: 'champion' })).toBe(30);
    expect(series(auc, 'model_live_brier', { model: 'churn', version: '2', arm: 'champion' })).toBe(0.18);
    expect(series(auc, 'model_live_rmse', { model: 'churn', version: '2', arm: 'champion' })).toBe(0.4);
    expect(series(auc, 'model_live_labelled_predictions', { model: 'rule', version: '1', arm: 'champion' })).toBeNaN();

    peerState.warehouseDown = true;
    try {
      const down = await callService(svc, 'GET', '/v1/models/churn/live-quality');
      expect([down.status, down.json['code']]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
      const refreshedAt = series(await metrics(), 'model_live_quality_refreshed_timestamp_seconds', { model: 'churn' });
      await sleep(500); // a few refresh rounds fail meanwhile
      const text = await metrics();
      expect(series(text, 'model_live_quality_refreshed_timestamp_seconds', { model: 'churn' })).toBe(refreshedAt);
      expect(series(text, 'model_live_auc', { model: 'churn', version: '2', arm: 'champion' })).toBe(0.8125);
    } finally {
      peerState.warehouseDown = false;
    }
    expect((await until(() => callService(svc, 'GET', '/v1/models/churn/live-quality'), (r) => r.status === 200)).status).toBe(200);
  });
});

describe('prediction log with back pressure', () => {
  let db: TestDatabase;
  let peers: TestService;
  let svc: TestService;

  beforeAll(async () => {
    peerState.addVersion(registryEntry(baselineArtifact('pressure', 1)));
    peerState.aliases.set('pressure', { champion: 1, challenger: null });
    db = await createTestDatabase();
    ({ peers, svc } = await startServingWithPeers(db, {
      PREDICTION_LOG_CAPACITY: '5',
      PREDICTION_LOG_OVERFLOW: 'backpressure',
      PREDICTION_LOG_FLUSH_MS: '100',
      AUTH_TOKENS: JSON.stringify([
        { name: 'product', token: 'predict-token-0123456789', scopes: ['serving:predict'] },
        { name: 'dashboard', token: 'read-only-token-0123456789', scopes: ['serving:admin'] },
      ]),
    }));
    // Not /v2/health/ready: the peer still names churn's corrupt v3 as champion (from the suite above).
    const auth = { authorization: 'Bearer predict-token-0123456789' };
    await until(async () => (await callService(svc, 'GET', '/v2/models/pressure/ready', undefined, auth)).status, (s) => s === 200, 30000);
  }, 60000);

  afterAll(async () => {
    peerState.warehouseDown = false;
    await svc?.close();
    await peers?.close();
    await db?.drop();
  });

  const infer = (rows: number, token = 'predict-token-0123456789', url = '/v2/models/pressure/infer') =>
    callService(svc, 'POST', url, { inputs: demoTensors(Array.from({ length: rows }, (_, i) => row(i))) }, { authorization: `Bearer ${token}` });

  it('refuses predictions with 503 instead of dropping their log while the warehouse is down, and recovers', async () => {
    peerState.warehouseDown = true;
    expect((await infer(3)).status).toBe(200);
    expect((await infer(2)).status).toBe(200);
    const refused = await infer(1);
    expect([refused.status, refused.json['code']]).toEqual([503, 'PREDICTION_LOG_FULL']);
    peerState.warehouseDown = false;
    const back = await until(() => infer(1), (r) => r.status === 200);
    expect(back.status).toBe(200);
    const logged = await until(() => [...peerState.logged.values()].filter((r) => r.model === 'pressure'), (rs) => rs.length === 6);
    expect(logged).toHaveLength(6);
  });

  it('needs a token with serving:predict on both V2 infer routes, whichever way the request comes in', async () => {
    for (const url of ['/v2/models/pressure/infer', '/v2/models/pressure/versions/1/infer']) {
      // The Nest route (a request the fast path declines) checks the same token and scope.
      const body = JSON.stringify({ inputs: demoTensors([row(1)]) });
      expect([url, (await post(svc, url, body, {}, true)).status]).toEqual([url, 401]);
      expect([url, (await post(svc, url, body, { authorization: 'Bearer read-only-token-0123456789' }, true)).status]).toEqual([url, 403]);
      const anonymous = await callService(svc, 'POST', url, '{}');
      expect([anonymous.status, anonymous.json['code']]).toEqual([401, 'UNAUTHENTICATED']);
      const unknown = await infer(1, 'not-a-configured-token-000', url);
      expect([unknown.status, unknown.json['code']]).toEqual([401, 'UNAUTHENTICATED']);
      const wrongScope = await infer(1, 'read-only-token-0123456789', url);
      expect([wrongScope.status, wrongScope.json['code']]).toEqual([403, 'FORBIDDEN']);
      const ok = await infer(1, 'predict-token-0123456789', url);
      expect([ok.status, ok.json['model_version']]).toEqual([200, '1']);
    }
  });
});

describe('prediction log thread', () => {
  let db: TestDatabase;
  const sessions: TestService[] = [];
  const infer = (svc: TestService, requestId: string) =>
    callService(svc, 'POST', '/v2/models/threads/infer', { inputs: demoTensors([row(1), row(2)]).slice(0, 2) }, { 'x-request-id': requestId });
  const start = async (env: Record<string, string>) => {
    const { peers, svc } = await startServingWithPeers(db, { PREDICTION_LOG_FLUSH_MS: '100', PREDICTION_LOG_SPILL_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'plog-thread-')), ...env });
    sessions.push(svc, peers);
    await until(async () => (await callService(svc, 'GET', '/v2/models/threads/ready')).status, (s) => s === 200, 30000);
    return svc;
  };
  const delivered = (prefix: string) => [...peerState.logged.values()].filter((r) => r.requestId.startsWith(prefix));

  beforeAll(async () => {
    peerState.addVersion(registryEntry(numericArtifact('threads', 1)));
    peerState.aliases.set('threads', { champion: 1, challenger: null });
    db = await createTestDatabase();
  }, 60000);

  afterAll(async () => {
    for (const s of sessions) await s.close();
    await db?.drop();
  });

  it('is restarted when it dies, and what was waiting in the ring still reaches the warehouse', async () => {
    const svc = await start({});
    const log = svc.app.get(PredictionLogService);
    // The worker is private: the test reaches it to kill it the way a crash would.
    const worker = (log as unknown as { worker?: Worker }).worker;
    expect(worker).toBeDefined();
    await worker?.terminate();
    // While no worker runs, predictions are answered and their lines wait in the ring.
    for (let i = 0; i < 5; i++) expect((await infer(svc, `restart-${i}`)).status).toBe(200);
    await until(() => delivered('restart-'), (rs) => rs.length === 10, 20000);
    expect((log as unknown as { worker?: Worker }).worker).not.toBe(worker);
    // All-numeric inputs travel as binary frames and arrive as the raw values sent.
    expect(delivered('restart-')[0]).toMatchObject({ model: 'threads', version: 1, arm: 'champion', inputs: { 'user_activity:orders_7d': row(1).orders, 'user_activity:revenue_7d': row(1).revenue } });
  }, 60000);

  it('runs on the main thread with PREDICTION_LOG_WORKER=false, with the same records', async () => {
    const svc = await start({ PREDICTION_LOG_WORKER: 'false' });
    expect((svc.app.get(PredictionLogService) as unknown as { worker?: Worker }).worker).toBeUndefined();
    for (let i = 0; i < 3; i++) expect((await infer(svc, `main-thread-${i}`)).status).toBe(200);
    await until(() => delivered('main-thread-'), (rs) => rs.length === 6, 20000);
    const status = await until(() => callService(svc, 'GET', '/v1/prediction-log'), (r) => Number(r.json['sent']) >= 6);
    expect(status.json).toMatchObject({ inMemory: 0, onDisk: 0, refused: 0 });
  }, 60000);
});
