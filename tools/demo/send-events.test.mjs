import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createProductWorld, marketingSpendCsv } from './product-history.mjs';
import { importCsv, sendHistory, sendMessages, withInvalidEvents } from './send-events.mjs';

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
        return res.end(JSON.stringify({ importId: `imp-${n}`, rowsAccepted: raw.split('\n').filter(Boolean).length - 1, rowsRejected: 0, replayed: false }));
      }
      const envelope = JSON.parse(raw);
      // dwh-ingest's rule: the batch's sentAt applies to messages that carry none.
      const batch = envelope.batch.map((m) => ({ ...(envelope.sentAt ? { sentAt: envelope.sentAt } : {}), ...m }));
      state.messages.push(...batch);
      const out = { accepted: 0, duplicates: 0, rejected: 0, results: [] };
      for (const [i, m] of batch.entries()) {
        if (typeof m.userId !== 'string' || m.userId === 'broken') {
          out.rejected++;
          out.results.push({ index: i, messageId: m.messageId, status: 'rejected', errors: [{ code: 'REQUIRED_MISSING', path: '/userId' }] });
        } else if (stored.has(m.messageId)) {
          out.duplicates++;
          out.results.push({ index: i, messageId: m.messageId, status: 'duplicate' });
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
    const totals = await sendMessages(messages(1200), { baseUrl: ingest.url, batchSize: 500, concurrency: 2, backoff: { baseMs: 5 } });
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
    const first = await sendMessages(messages(300), { baseUrl: ingest.url, batchSize: 100, concurrency: 1, backoff: { baseMs: 5 } });
    assert.equal(first.retries, 1);
    assert.equal(first.accepted, 300);
    const again = await sendMessages(messages(300), { baseUrl: ingest.url, batchSize: 100, concurrency: 3, backoff: { baseMs: 5 } });
    assert.deepEqual([again.accepted, again.duplicates], [0, 300]);
  });

  it('gives up after the configured retries and reports the events as not delivered', async () => {
    const ingest = await startIngest((req, res) => {
      res.writeHead(503);
      res.end();
      return true;
    });
    servers.push(ingest);
    const totals = await sendMessages(messages(50), { baseUrl: ingest.url, maxRetries: 2, backoff: { baseMs: 1 } });
    assert.equal(totals.unsent, 50);
    assert.equal(ingest.requests, 3);
    assert.match(totals.errors[0], /50 events not delivered after 3 attempts: HTTP_503/);
  });

  it('does not retry a 400 (its events count as rejected by the code given), and splits a batch answered 413', async () => {
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
    const refused = await sendMessages(messages(10), { baseUrl: bad.url, backoff: { baseMs: 1 } });
    assert.deepEqual([refused.rejected, refused.rejectionCodes, refused.unsent, bad.requests], [10, { INVALID_ENVELOPE: 10 }, 0, 1]);
    const split = await sendMessages(messages(400), { baseUrl: small.url, batchSize: 400, backoff: { baseMs: 1 } });
    assert.equal(split.accepted, 400);
    assert.equal(small.stored.size, 400);
  });

  it('counts rejected events by the codes the service gives, and events the client refuses before sending apart', async () => {
    const ingest = await startIngest();
    servers.push(ingest);
    const world = createProductWorld({ seed: 3, users: 60, weeks: 1, end: '2026-03-01T00:00:00Z' });
    const original = [...world.events()];
    // The stand-in knows no tracking plan: the other broken copies are marked for it to refuse.
    const ids = new Set(original.map((o) => o.messageId));
    const mixed = [...withInvalidEvents(original, 0.2, 3)].map((m) => (ids.has(m.messageId) || m.userId === undefined ? m : { ...m, userId: 'broken' }));
    const totals = await sendMessages(mixed, { baseUrl: ingest.url, backoff: { baseMs: 1 } });
    const missingUser = mixed.filter((m) => m.userId === undefined).length;
    const brokenUser = mixed.filter((m) => m.userId === 'broken').length;
    assert.ok(missingUser > 0 && brokenUser > 0);
    assert.equal(totals.events, mixed.length);
    assert.equal(totals.accepted, original.length);
    assert.equal(totals.refusedLocally, missingUser, 'an event without userId never leaves the client');
    assert.equal(totals.rejected, brokenUser);
    assert.deepEqual(totals.rejectionCodes, { REQUIRED_MISSING: brokenUser });
    assert.equal(ingest.messages.length, original.length + brokenUser);
  });

  it('stamps sentAt with the moment of sending, so the warehouse does not move old events to today', async () => {
    const ingest = await startIngest();
    servers.push(ingest);
    const world = createProductWorld({ seed: 4, users: 30, weeks: 1, end: '2026-03-01T00:00:00Z' });
    const original = [...world.events()];
    const before = Date.now();
    await sendMessages(original, { baseUrl: ingest.url, batchSize: 100, concurrency: 1 });
    assert.equal(ingest.messages.length, original.length);
    ingest.messages.forEach((m, i) => {
      assert.equal(m.messageId, original[i].messageId);
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

  it('keeps batches within the event count and the request size limit, a few lanes in flight at once', async () => {
    let inFlight = 0;
    let most = 0;
    const ingest = await startIngest((req, res, n, raw) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        const { batch } = JSON.parse(raw);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted: batch.length, duplicates: 0, rejected: 0, results: [] }));
      }, 20);
      ingest.sizes.push([JSON.parse(raw).batch.length, Buffer.byteLength(raw)]);
      return true;
    });
    ingest.sizes = [];
    servers.push(ingest);
    const big = Array.from({ length: 50 }, (_, i) => ({ ...messages(1, `b${i}`)[0], properties: { pad: 'x'.repeat(20_000) } }));
    const totals = await sendMessages([...big, ...messages(1001)], { baseUrl: ingest.url, batchSize: 500, concurrency: 3 });
    assert.equal(totals.accepted, 1051);
    assert.ok(ingest.sizes.every(([count, bytes]) => count <= 500 && bytes <= 500 * 1024), JSON.stringify(ingest.sizes));
    assert.ok(ingest.sizes.some(([count]) => count < 50), 'the padded events were split by size');
    assert.equal(most, 3, 'one request per lane in flight');
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
    assert.equal(result.idempotencyKey, 'spend-9');
    assert.equal(result.rowsAccepted, [...marketingSpendCsv(world)].join('').split('\n').filter(Boolean).length - 1);
    assert.equal(ingest.bodies.length, 1);
    const [upload] = ingest.bodies;
    assert.equal(upload.headers['idempotency-key'], 'spend-9');
    assert.equal(upload.headers['content-type'], 'text/csv');
    assert.equal(upload.headers['transfer-encoding'], 'chunked', 'streamed, not buffered');
    assert.equal(upload.raw, [...marketingSpendCsv(world)].join(''));
  });
});
