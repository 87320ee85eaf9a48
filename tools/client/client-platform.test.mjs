// @mlp/client, as built for publishing, against the real built dwh-ingest, feature store and model-serving
// (all four services run, wired as in production, on a fresh database of DATABASE_URL's server).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { startPlatform } from '../e2e/platform-processes.mjs';
import { buildClient } from './build.mjs';

let platform;
let client;
const packageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-client-e2e-'));

before(async () => {
  const outDir = buildClient(packageDir);
  client = await import(pathToFileURL(path.join(outDir, 'dist/esm/index.js')).href);
  platform = await startPlatform({ offset: Number(process.env.E2E_CLIENT_PORT_OFFSET ?? 29000), name: 'client' });
});

after(async () => {
  await platform?.stop();
  fs.rmSync(packageDir, { recursive: true, force: true });
});

test('tracking: dwh-ingest stores planned events once, and the client reports the rest with the platform codes', { timeout: 60_000 }, async () => {
  const res = await fetch(`${platform.urls.dwh}/v1/schemas`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'order_completed', version: '1-0-0', schema: { type: 'object', properties: { revenue: { type: 'number' } }, required: ['revenue'] } }),
  });
  assert.ok(res.status === 201 || res.status === 200, `registering the event schema answered ${res.status}`);

  const rejected = [];
  const failed = [];
  const tracking = new client.TrackingClient({ baseUrl: platform.urls.dwh, flushIntervalMs: 0, onRejected: (e) => rejected.push(...e), onDeliveryFailed: (err, m) => failed.push([err, m]) });
  const good = tracking.track({ userId: 'u1', event: 'order_completed', properties: { revenue: 12.5 } });
  const wrongType = tracking.track({ userId: 'u1', event: 'order_completed', properties: { revenue: 'lots' } });
  const unplanned = tracking.track({ anonymousId: 'a1', event: 'never_planned', properties: {} });
  const first = await tracking.flush();
  assert.deepEqual({ accepted: first.accepted, duplicates: first.duplicates, rejected: first.rejected, failed: first.failed }, { accepted: 1, duplicates: 0, rejected: 2, failed: 0 });
  assert.deepEqual(
    rejected.map((r) => [r.message.messageId, r.code]).sort(),
    [
      [wrongType.messageId, 'DATATYPE_MISMATCH'],
      [unplanned.messageId, 'UNPLANNED_EVENT'],
    ].sort(),
  );

  // A resend with the same messageId (what a retry sends) is stored once.
  tracking.track({ userId: 'u1', event: 'order_completed', properties: { revenue: 12.5 }, messageId: good.messageId, timestamp: good.timestamp });
  const again = await tracking.close();
  assert.deepEqual({ accepted: again.accepted, duplicates: again.duplicates }, { accepted: 0, duplicates: 1 });
  assert.deepEqual(failed, []);
});

test('errors: a real refusal arrives as PlatformApiError with the platform code and the request id sent', { timeout: 30_000 }, async () => {
  const platformClient = client.createPlatformClient({ urls: { dwhIngest: platform.urls.dwh, modelServing: platform.urls.serving } });
  const infer = await platformClient.predictions
    .infer('no_such_model', { inputs: [{ name: 'x', shape: [1], datatype: 'FP64', data: [1] }] }, { requestId: 'client-e2e-1' })
    .catch((e) => e);
  assert.ok(infer instanceof client.PlatformApiError, String(infer));
  assert.equal(infer.status, 404);
  assert.match(infer.code, /^[A-Z_]+$/);
  assert.doesNotMatch(infer.code, /^HTTP_/);
  assert.equal(infer.requestId, 'client-e2e-1');

  const upload = await platformClient.imports.upload('no_such_source', 'a,b\n1,2\n', { format: 'csv', requestId: 'client-e2e-2' }).catch((e) => e);
  assert.ok(upload instanceof client.PlatformApiError, String(upload));
  assert.ok(upload.status >= 400 && upload.status < 500, `status ${upload.status}`);
  assert.doesNotMatch(upload.code, /^HTTP_/);
  assert.equal(upload.requestId, 'client-e2e-2');

  const sla = await platformClient.warehouse.sla();
  assert.ok(['ok', 'warn', 'error'].includes(sla.status));
});

test('features: a real training set passes the client checks, its row bytes hashing to the fingerprint the feature store declared', { timeout: 60_000 }, async () => {
  const db = new pg.Client({ connectionString: platform.databaseUrl });
  await db.connect();
  const n = 60;
  try {
    await db.query(`CREATE TABLE dwh.mart_client_ts (item_id text PRIMARY KEY, feature_at timestamptz NOT NULL, label_at timestamptz NOT NULL, size bigint NOT NULL, shade text, label integer NOT NULL)`);
    // A non-ASCII value in every row: the fingerprint is over bytes, not characters.
    await db.query(
      `INSERT INTO dwh.mart_client_ts SELECT 'i-' || g, now() - interval '3 days' - g * interval '1 minute', now() - interval '2 days' - g * interval '1 minute', g * 7, 'grün-' || (g % 3), g % 2 FROM generate_series(1, $1) g`,
      [n],
    );
  } finally {
    await db.end();
  }
  const features = new client.FeaturesClient({ baseUrl: platform.urls.features });
  await features.apply({
    entities: [{ name: 'client_item', join_key: 'item_id', value_type: 'string' }],
    feature_views: [
      {
        name: 'client_item_size',
        entities: ['client_item'],
        features: [
          { name: 'size', type: 'int64' },
          { name: 'shade', type: 'string' },
        ],
        source: { sql: 'SELECT item_id, feature_at AS event_timestamp, size, shade FROM dwh.mart_client_ts' },
        ttl_seconds: 30 * 86400,
        online: false,
      },
    ],
    feature_services: [{ name: 'client_item_inputs', features: ['client_item_size:size', 'client_item_size:shade'] }],
  });
  const request = {
    feature_service: 'client_item_inputs',
    label_source: { sql: 'SELECT item_id, label_at AS event_timestamp, label FROM dwh.mart_client_ts', start: new Date(Date.now() - 7 * 86_400_000).toISOString(), end: new Date().toISOString() },
    full_feature_names: true,
  };

  // The reference: the same request read raw, the data lines' bytes hashed here.
  const raw = await fetch(`${platform.urls.features}/v1/historical-features`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...request, format: 'ndjson' }) });
  assert.equal(raw.status, 200);
  const body = Buffer.from(await raw.arrayBuffer());
  const metaAt = body.lastIndexOf('{"_metadata"');
  const reference = `sha256:${createHash('sha256').update(body.subarray(0, metaAt)).digest('hex')}`;

  const set = await features.trainingSet(request, { sha256: () => createHash('sha256'), signal: AbortSignal.timeout(30_000) });
  const rows = [];
  for await (const row of set.rows()) rows.push(row);
  assert.equal(set.fingerprint, reference);
  assert.equal(set.metadata.fingerprint, reference);
  assert.equal(rows.length, n);
  assert.equal(set.metadata.rows, n);
  const byId = new Map(rows.map((r) => [r.item_id, r]));
  for (let g = 1; g <= n; g++) {
    const row = byId.get(`i-${g}`);
    assert.deepEqual([row.label, Number(Object.entries(row).find(([k]) => k.endsWith('size'))?.[1]), Object.entries(row).find(([k]) => k.endsWith('shade'))?.[1]], [g % 2, g * 7, `grün-${g % 3}`], `row i-${g}: ${JSON.stringify(row)}`);
  }
});
