#!/usr/bin/env node
// Sends the demo product history through dwh-ingest's tracking API the way a product platform would:
// batches of 500 on a few concurrent connections, retries with backoff on 503 and network errors
// (safe: dwh-ingest deduplicates by messageId), a small share of deliberately invalid events so the
// failed-events path has something to show, then the third-party marketing-spend file through the
// import API. Prints what the warehouse accepted, deduplicated and rejected (and why).
//
//   node tools/demo/send-events.mjs [--url http://127.0.0.1:3001] [--users 3000] [--weeks 8] [--seed 42]
//        [--end ISO] [--batch-size 500] [--concurrency 4] [--invalid-share 0.005] [--skip-import] [--json]
//        [--truth-source NAME]   also import the true 7-day order probabilities (user_id,as_of_date,p_order_7d)
//                                through /v1/imports/NAME, once dwh-ingest declares such a source
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProductWorld, DEFAULT_MANIFEST, marketingSpendCsv, trueProbabilityGridCsv, WORLD_OPTIONS, worldOptionsFrom } from './product-history.mjs';
import { deterministicUuid, rngFor } from './seeded-random.mjs';
import { ProgressBar } from './progress-bar.mjs';

/** dwh-ingest refuses requests over 500 KB with 413; stay clearly below. */
export const MAX_REQUEST_BYTES = 450_000;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Groups messages into batches of at most `size` events and `maxBytes` of JSON. */
export async function* batchesOf(messages, size = 500, maxBytes = MAX_REQUEST_BYTES) {
  let batch = [];
  let bytes = 12;
  for await (const m of messages) {
    const len = Buffer.byteLength(JSON.stringify(m)) + 1;
    if (batch.length > 0 && (batch.length >= size || bytes + len > maxBytes)) {
      yield batch;
      batch = [];
      bytes = 12;
    }
    batch.push(m);
    bytes += len;
  }
  if (batch.length > 0) yield batch;
}

/**
 * Mixes a deterministic share of invalid copies into the stream (the valid originals are kept, so the
 * warehouse still holds the true history). Each copy breaks the tracking plan in one typical way;
 * none of them could pass as an extra order or change a user's traits if a lenient schema let it
 * through, so the labels and the true probabilities stay intact.
 */
export function* withInvalidEvents(messages, share, seed = 42) {
  const rng = rngFor(seed, 'invalid-events');
  const breakers = [
    (m) => (m.type === 'track' && 'price' in m.properties ? { ...m, properties: { ...m.properties, price: String(m.properties.price) } } : null),
    (m) => (m.type === 'track' && 'product_id' in m.properties ? { ...m, properties: { ...m.properties, product_id: undefined } } : null),
    (m) => (m.type === 'track' ? { ...m, event: 'wishlist_added' } : null),
    (m) => {
      const { userId: _u, ...rest } = m;
      return rest;
    },
    (m) => ({ ...m, timestamp: 'yesterday afternoon' }),
  ];
  for (const m of messages) {
    yield m;
    if (share > 0 && rng.bernoulli(share)) {
      const start = rng.int(0, breakers.length - 1);
      for (let k = 0; k < breakers.length; k++) {
        const broken = breakers[(start + k) % breakers.length](m);
        if (broken) {
          // JSON.stringify drops undefined properties, which is how a field goes missing.
          yield JSON.parse(JSON.stringify({ ...broken, messageId: deterministicUuid(`${seed}|invalid|${m.messageId}`) }));
          break;
        }
      }
    }
  }
}

/**
 * Sets `sentAt` to the moment of sending. The warehouse derives event time as
 * `timestamp + (received - sentAt)` to correct device clock skew (Snowplow's derived timestamp), so a
 * history forwarded weeks later must say it was sent now, or every event would be moved to today.
 */
export function stampSentAt(batch, now = new Date()) {
  const sentAt = now.toISOString();
  return batch.map((m) => (m && typeof m === 'object' ? { ...m, sentAt } : m));
}

export class HttpStatusError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * POSTs JSON, retrying 429/502/503/504 and network errors with exponential backoff (and Retry-After).
 * Other statuses are returned or thrown as HttpStatusError at once: retrying a 400 cannot help.
 */
export async function postJsonWithRetry(url, payload, { retries = 8, baseDelayMs = 200, maxDelayMs = 10_000, timeoutMs = 60_000, headers = {}, onRetry } = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  for (let attempt = 0; ; attempt++) {
    let reason;
    let retryAfterMs;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (res.ok) return { status: res.status, body: text ? JSON.parse(text) : null, attempts: attempt + 1 };
      if (!RETRYABLE_STATUS.has(res.status)) throw new HttpStatusError(res.status, text);
      reason = `HTTP ${res.status}`;
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
    } catch (err) {
      if (err instanceof HttpStatusError) throw err;
      reason = err.cause?.code ?? err.code ?? err.name ?? 'network error';
    }
    if (attempt >= retries) throw new Error(`gave up after ${attempt + 1} attempts (${reason}) on ${url}`);
    // Full jitter keeps concurrent clients from retrying in lockstep against a recovering service.
    const delay = retryAfterMs ?? Math.min(maxDelayMs, baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
    onRetry?.({ attempt: attempt + 1, reason, delayMs: delay });
    await sleep(delay);
  }
}

/**
 * Sends batches to `${baseUrl}/v1/batch` with `concurrency` requests in flight and sums the answers.
 * A 413 splits the batch in two; a 400 counts the whole batch as refused (the envelope was bad).
 */
export async function sendBatches(batches, { baseUrl = 'http://127.0.0.1:3001', concurrency = 4, retries = 8, baseDelayMs = 200, onBatchDone } = {}) {
  const totals = { events: 0, requests: 0, accepted: 0, duplicates: 0, rejected: 0, refused: 0, unsent: 0, retries: 0, rejectionCodes: {}, errors: [] };
  const url = `${baseUrl.replace(/\/$/, '')}/v1/batch`;
  const inFlight = new Set();

  const sendOne = async (batch) => {
    try {
      totals.requests++;
      const res = await postJsonWithRetry(url, { batch: stampSentAt(batch) }, { retries, baseDelayMs, onRetry: () => totals.retries++ });
      const r = res.body ?? {};
      totals.accepted += r.accepted ?? 0;
      totals.duplicates += r.duplicates ?? 0;
      totals.rejected += r.rejected ?? 0;
      for (const item of r.results ?? []) {
        if (item.status !== 'rejected') continue;
        const codes = new Set((item.errors ?? []).map((e) => e.code ?? 'UNKNOWN'));
        for (const code of codes.size ? codes : ['UNKNOWN']) totals.rejectionCodes[code] = (totals.rejectionCodes[code] ?? 0) + 1;
      }
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 413 && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await sendOne(batch.slice(0, half));
        await sendOne(batch.slice(half));
        return;
      }
      if (err instanceof HttpStatusError && err.status >= 400 && err.status < 500) totals.refused += batch.length;
      else totals.unsent += batch.length;
      if (totals.errors.length < 5) totals.errors.push(err.message);
    }
  };

  for await (const batch of batches) {
    totals.events += batch.length;
    const p = sendOne(batch).then(() => {
      inFlight.delete(p);
      onBatchDone?.(batch, totals);
    });
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return totals;
}

/**
 * Streams a CSV produced by `lines` (an iterable of strings) to the import API, chunked, so the file is
 * never held whole in memory. The Idempotency-Key makes a retried upload count once.
 */
export async function importCsv(baseUrl, source, lines, { idempotencyKey, retries = 5, baseDelayMs = 500 } = {}) {
  const url = new URL(`${baseUrl.replace(/\/$/, '')}/v1/imports/${encodeURIComponent(source)}`);
  for (let attempt = 0; ; attempt++) {
    let outcome;
    try {
      outcome = await streamOnce(url, lines(), idempotencyKey);
      if (outcome.status < 400) return outcome;
      if (!RETRYABLE_STATUS.has(outcome.status)) throw new HttpStatusError(outcome.status, outcome.text);
    } catch (err) {
      if (err instanceof HttpStatusError) throw err;
      outcome = { error: err };
    }
    if (attempt >= retries) throw new Error(`import of ${source} gave up after ${attempt + 1} attempts (${outcome.error?.code ?? outcome.error?.message ?? `HTTP ${outcome.status}`})`);
    await sleep(Math.min(10_000, baseDelayMs * 2 ** attempt));
  }
}

function streamOnce(url, lines, idempotencyKey) {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          // Non-JSON answers are reported as text.
        }
        resolve({ status: res.statusCode, body: json, text });
      });
    });
    (async () => {
      for (const line of lines) {
        if (!req.write(line)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch((err) => req.destroy(err));
  });
}

/** dwh-ingest answers an import with `{importId, rowsAccepted, rowsRejected, replayed}`. */
export function describeImport(r) {
  if (r.error) return `failed: ${r.error}`;
  const b = r.body;
  if (b && typeof b.rowsAccepted === 'number') {
    return `${fmt(b.rowsAccepted)} rows accepted, ${fmt(b.rowsRejected ?? 0)} rejected${b.replayed ? ' (already imported with this Idempotency-Key: nothing new stored)' : ''}, import ${b.importId}`;
  }
  return `HTTP ${r.status} ${String(r.text).slice(0, 300)}`;
}

function fmt(n) {
  return n.toLocaleString('en-US');
}

/**
 * Everything `send-events` does, callable from the platform runner: sends the world's history (with
 * the invalid share), imports the marketing spend (and the true probabilities when `truthSource` is
 * set), and writes the manifest. Progress goes to `progress` (a stream; TTY-aware).
 */
export async function sendHistory(world, { baseUrl = 'http://127.0.0.1:3001', batchSize = 500, concurrency = 4, invalidShare = 0.005, importSpend = true, truthSource, manifestPath = DEFAULT_MANIFEST, progress = process.stderr } = {}) {
  if (!(batchSize >= 1 && batchSize <= 2500)) throw new Error('batch size must be 1..2500');
  if (!(concurrency >= 1)) throw new Error('concurrency must be >= 1');
  if (!(invalidShare >= 0 && invalidShare < 1)) throw new Error('invalid share must be in [0, 1)');
  const span = world.end - world.start;
  const bar = progress ? new ProgressBar(progress, 'events') : null;
  const started = Date.now();
  let lastT = world.start;
  const totals = await sendBatches(batchesOf(withInvalidEvents(world.events(), invalidShare, world.seed), batchSize), {
    baseUrl,
    concurrency,
    onBatchDone: (batch, t) => {
      const ts = Date.parse(batch[batch.length - 1].timestamp);
      if (Number.isFinite(ts)) lastT = Math.max(lastT, ts);
      const done = t.accepted + t.duplicates + t.rejected + t.refused + t.unsent;
      bar?.update((lastT - world.start) / span, `${fmt(done)} events  ${fmt(Math.round(done / ((Date.now() - started) / 1000)))}/s`);
    },
  });
  bar?.done();
  const seconds = (Date.now() - started) / 1000;

  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const tryImport = async (source, lines, key) => {
    try {
      return await importCsv(baseUrl, source, lines, { idempotencyKey: key });
    } catch (err) {
      return { error: err.message };
    }
  };
  const spend = importSpend ? await tryImport('marketing_spend', () => marketingSpendCsv(world), `marketing-spend-${world.seed}-${day(world.start)}-${day(world.end)}`) : undefined;
  // The true probabilities as a warehouse source, so a label query can offer them as the reference score.
  const truth = truthSource ? await tryImport(truthSource, () => trueProbabilityGridCsv(world), `true-propensity-${world.seed}-${world.users.length}-${new Date(world.end).toISOString()}`) : undefined;

  // The simulator and the true-probability comparison rebuild exactly this world from the manifest.
  const manifest = { seed: world.seed, users: world.users.length, weeks: span / (7 * 86_400_000), start: new Date(world.start).toISOString(), end: new Date(world.end).toISOString(), sentAt: new Date().toISOString(), totals: { ...totals, errors: undefined } };
  if (manifestPath) {
    fs.mkdirSync(path.dirname(manifestPath), { recursive: true });
    fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return { totals, seconds, spend, truth, manifest, ok: totals.unsent === 0 && !spend?.error && !truth?.error };
}

async function main() {
  const { values } = parseArgs({
    options: {
      ...WORLD_OPTIONS,
      url: { type: 'string', default: process.env.DWH_INGEST_URL ?? 'http://127.0.0.1:3001' },
      'batch-size': { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '4' },
      'invalid-share': { type: 'string', default: '0.005' },
      'skip-import': { type: 'boolean', default: false },
      'truth-source': { type: 'string', default: process.env.DEMO_TRUTH_SOURCE },
      manifest: { type: 'string', default: DEFAULT_MANIFEST },
      json: { type: 'boolean', default: false },
    },
  });
  const world = createProductWorld(worldOptionsFrom(values));
  console.error(`sending ${world.users.length} users' history (${new Date(world.start).toISOString().slice(0, 10)} .. ${new Date(world.end).toISOString().slice(0, 10)}, seed ${world.seed}) to ${values.url}`);
  const r = await sendHistory(world, {
    baseUrl: values.url,
    batchSize: Number(values['batch-size']),
    concurrency: Number(values.concurrency),
    invalidShare: Number(values['invalid-share']),
    importSpend: !values['skip-import'],
    truthSource: values['truth-source'],
    manifestPath: values.manifest,
  });
  const { totals, seconds } = r;
  if (values.json) {
    console.log(JSON.stringify({ ...totals, seconds, import: r.spend, truthImport: r.truth, manifest: values.manifest }));
  } else {
    console.log(`events sent:     ${fmt(totals.events)} in ${fmt(totals.requests)} requests, ${seconds.toFixed(1)} s (${fmt(Math.round(totals.events / seconds))} events/s)`);
    console.log(`  accepted:      ${fmt(totals.accepted)}`);
    console.log(`  duplicates:    ${fmt(totals.duplicates)}   (already in the warehouse: re-sends are safe)`);
    console.log(`  rejected:      ${fmt(totals.rejected)}   ${Object.entries(totals.rejectionCodes).map(([c, n]) => `${c}=${n}`).join(' ')}`);
    if (totals.refused) console.log(`  refused (4xx): ${fmt(totals.refused)}`);
    if (totals.unsent) console.log(`  NOT delivered: ${fmt(totals.unsent)}`);
    if (totals.retries) console.log(`  retries:       ${fmt(totals.retries)}`);
    for (const e of totals.errors) console.log(`  error: ${e}`);
    console.log(`world manifest:  ${path.relative(process.cwd(), values.manifest)} (seed ${world.seed}, ${world.users.length} users, history ending ${r.manifest.end})`);
    if (r.spend) console.log(`marketing spend import: ${describeImport(r.spend)}`);
    if (r.truth) console.log(`true propensities (${values['truth-source']}): ${describeImport(r.truth)}`);
  }
  if (!r.ok) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
