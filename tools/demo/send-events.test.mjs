import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createProductWorld, marketingSpendCsv } from './product-history.mjs';
import { batchesOf, importCsv, sendBatches, sendHistory, withInvalidEvents } from './send-events.mjs';

/**
 * A local HTTP server speaking dwh-ingest's batch answer format, deduplicating by messageId.
 * `plan(req, n)` may answer a request itself (return true) to inject failures.
 */
async function startIngest(plan = () => false) {
  const stored = new Set();
  const state = { requests: 0, stored, bodies: [], messages: [] };
  const server = http.createServer((req, res) => {
    const n = ++state.requests;
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (plan(req, res, n, raw)) return;
      if (req.url.startsWith('/v1/imports/')) {
        state.bodies.push({ headers: req.headers, raw });
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ rows: raw.split('\n').filter(Boolean).length - 1 }));
      }
      const { batch } = JSON.parse(raw);
      state.messages.push(...batch);
      const out = { accepted: 0, duplicates: 0, rejected: 0, results: [] };
      for (const m of batch) {
        if (typeof m.userId !== 'string') {
          out.rejected++;
          out.results.push({ messageId: m.messageId, status: 'rejected', errors: [{ code: 'REQUIRED_MISSING', path: '/userId' }] });
        } else if (stored.has(m.messageId)) {
          out.duplicates++;
          out.results.push({ messageId: m.messageId, status: 'duplicate' });
        } else {
          stored.add(m.messageId);
          out.accepted++;
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${server.address().port}`;
  state.close = () => new Promise((r) => server.close(r));
  return state;
}

const messages = (n, prefix = 'm') => Array.from({ length: n }, (_, i) => ({ type: 'track', event: 'page_viewed', messageId: `${prefix}-${i}`, userId: `user_${i}`, timestamp: '2026-01-01T00:00:00.000Z', properties: {} }));

describe('send-events', () => {
  const servers = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  it('retries batches answered 503 until the service takes them, without duplicating events', async () => {
    const ingest = await startIngest((req, res, n) => {
      if (n > 2) return false;
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"database unavailable","code":"DEPENDENCY_UNAVAILABLE"}');
      return true;
    });
    servers.push(ingest);
    const totals = await sendBatches(batchesOf(messages(1200), 500), { baseUrl: ingest.url, concurrency: 2, baseDelayMs: 5 });
    assert.equal(totals.retries, 2);
    assert.equal(totals.accepted, 1200);
    assert.equal(totals.unsent, 0);
    assert.equal(ingest.stored.size, 1200);
    assert.equal(ingest.requests, 3 + 2);
  });

  it('retries after a dropped connection, and a re-send counts as duplicates, not new events', async () => {
    const ingest = await startIngest((req, res, n) => {
      if (n !== 1) return false;
      req.socket.destroy();
      return true;
    });
    servers.push(ingest);
    const first = await sendBatches(batchesOf(messages(300), 100), { baseUrl: ingest.url, concurrency: 1, baseDelayMs: 5 });
    assert.equal(first.retries, 1);
    assert.equal(first.accepted, 300);
    const again = await sendBatches(batchesOf(messages(300), 100), { baseUrl: ingest.url, concurrency: 3, baseDelayMs: 5 });
    assert.deepEqual([again.accepted, again.duplicates], [0, 300]);
  });

  it('gives up after the configured retries and reports the events as not delivered', async () => {
    const ingest = await startIngest((req, res) => {
      res.writeHead(503);
      res.end();
      return true;
    });
    servers.push(ingest);
    const totals = await sendBatches(batchesOf(messages(50), 500), { baseUrl: ingest.url, retries: 2, baseDelayMs: 1 });
    assert.equal(totals.unsent, 50);
    assert.equal(ingest.requests, 3);
    assert.match(totals.errors[0], /gave up after 3 attempts \(HTTP 503\)/);
  });

  it('does not retry a 400, and splits a batch answered 413', async () => {
    const bad = await startIngest((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"not an envelope","code":"INVALID_ENVELOPE"}');
      return true;
    });
    const small = await startIngest((req, res, n, raw) => {
      if (JSON.parse(raw).batch.length <= 100) return false;
      res.writeHead(413);
      res.end();
      return true;
    });
    servers.push(bad, small);
    const refused = await sendBatches(batchesOf(messages(10), 500), { baseUrl: bad.url, baseDelayMs: 1 });
    assert.deepEqual([refused.refused, bad.requests], [10, 1]);
    const split = await sendBatches(batchesOf(messages(400), 400), { baseUrl: small.url, baseDelayMs: 1 });
    assert.equal(split.accepted, 400);
    assert.equal(small.stored.size, 400);
  });

  it('counts rejected events by the codes the service gives', async () => {
    const ingest = await startIngest();
    servers.push(ingest);
    const world = createProductWorld({ seed: 3, users: 60, weeks: 1, end: '2026-03-01T00:00:00Z' });
    const original = [...world.events()];
    const mixed = [...withInvalidEvents(original, 0.2, 3)];
    const totals = await sendBatches(batchesOf(mixed, 500), { baseUrl: ingest.url, baseDelayMs: 1 });
    assert.equal(totals.accepted + totals.rejected, mixed.length);
    const missingUser = mixed.filter((m) => m.userId === undefined).length;
    assert.ok(missingUser > 0);
    assert.equal(totals.rejected, missingUser);
    assert.deepEqual(totals.rejectionCodes, { REQUIRED_MISSING: missingUser });
  });

  it('stamps sentAt with the moment of sending, so the warehouse does not move old events to today', async () => {
    const ingest = await startIngest();
    servers.push(ingest);
    const world = createProductWorld({ seed: 4, users: 30, weeks: 1, end: '2026-03-01T00:00:00Z' });
    const original = [...world.events()];
    const before = Date.now();
    await sendBatches(batchesOf(original, 100), { baseUrl: ingest.url });
    assert.equal(ingest.messages.length, original.length);
    ingest.messages.forEach((m, i) => {
      assert.equal(m.timestamp, original[i].timestamp, 'event time untouched');
      const sent = Date.parse(m.sentAt);
      assert.ok(sent >= before - 1000 && sent <= Date.now() + 1000, `sentAt ${m.sentAt} is the send time`);
    });
  });

  it('mixes in a deterministic share of invalid events and keeps every original', () => {
    const world = createProductWorld({ seed: 5, users: 100, weeks: 1, end: '2026-03-01T00:00:00Z' });
    const original = [...world.events()];
    const mixed = [...withInvalidEvents(original, 0.05, 5)];
    const ids = new Set(original.map((m) => m.messageId));
    const injected = mixed.filter((m) => !ids.has(m.messageId));
    assert.deepEqual(mixed.filter((m) => ids.has(m.messageId)), original);
    const share = injected.length / original.length;
    assert.ok(share > 0.03 && share < 0.07, `share ${share}`);
    assert.equal(new Set(injected.map((m) => m.messageId)).size, injected.length, 'injected ids are unique');
    // Each injected event is broken in a way a tracking plan catches.
    for (const m of injected) {
      const broken =
        m.userId === undefined ||
        m.event === 'wishlist_added' ||
        Number.isNaN(Date.parse(m.timestamp)) ||
        typeof m.properties?.price === 'string' ||
        (m.properties && 'quantity' in m.properties && !('product_id' in m.properties)) ||
        (m.event === 'product_viewed' && !('product_id' in m.properties));
      assert.ok(broken, JSON.stringify(m));
      if (m.event === 'order_completed' || m.type === 'identify') assert.ok(m.userId === undefined || Number.isNaN(Date.parse(m.timestamp)), 'never a valid extra order or identify');
    }
    assert.deepEqual([...withInvalidEvents(original, 0.05, 5)], mixed);
  });

  it('sends a whole history with its spend file and writes the manifest that rebuilds the same world', async () => {
    const ingest = await startIngest();
    servers.push(ingest);
    const world = createProductWorld({ seed: 6, users: 80, weeks: 1, end: '2026-03-01T00:00:00Z' });
    const manifestPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'demo-')), 'history.json');
    const r = await sendHistory(world, { baseUrl: ingest.url, invalidShare: 0, manifestPath, progress: null });
    assert.equal(r.ok, true);
    assert.equal(r.totals.accepted, [...world.events()].length);
    assert.equal(ingest.bodies.length, 1, 'the marketing spend file was imported');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    const rebuilt = createProductWorld(manifest);
    assert.deepEqual([...rebuilt.events()], [...world.events()]);
  });

  it('keeps batches within the event count and the request size limit', async () => {
    const big = Array.from({ length: 50 }, (_, i) => ({ messageId: `b${i}`, pad: 'x'.repeat(10_000) }));
    const batches = [];
    for await (const b of batchesOf(big, 500, 45_000)) batches.push(b);
    assert.ok(batches.every((b) => Buffer.byteLength(JSON.stringify({ batch: b })) <= 45_000));
    assert.equal(batches.flat().length, 50);
    const counts = [];
    for await (const b of batchesOf(messages(1001), 500)) counts.push(b.length);
    assert.deepEqual(counts, [500, 500, 1]);
  });

  it('streams the marketing-spend CSV to the import API with an Idempotency-Key, retrying a 503', async () => {
    const ingest = await startIngest((req, res, n) => {
      if (n !== 1) return false;
      res.writeHead(503);
      res.end();
      return true;
    });
    servers.push(ingest);
    const world = createProductWorld({ seed: 9, users: 10, weeks: 2, end: '2026-03-01T00:00:00Z' });
    const result = await importCsv(ingest.url, 'marketing_spend', () => marketingSpendCsv(world), { idempotencyKey: 'spend-9', baseDelayMs: 1 });
    assert.equal(result.status, 201);
    assert.equal(ingest.bodies.length, 1);
    const [upload] = ingest.bodies;
    assert.equal(upload.headers['idempotency-key'], 'spend-9');
    assert.equal(upload.headers['content-type'], 'text/csv');
    assert.equal(upload.headers['transfer-encoding'], 'chunked', 'streamed, not buffered');
    assert.equal(upload.raw, [...marketingSpendCsv(world)].join(''));
  });
});
