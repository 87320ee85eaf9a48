#!/usr/bin/env node
// Sends the demo product history through dwh-ingest's tracking API the way a product platform would,
// with the platform's own client (@mlp/client: batching, retries with backoff on 5xx/429 and network
// errors, 413 splits; safe because dwh-ingest deduplicates by messageId) on a few concurrent
// connections, a small share of deliberately invalid events so the failed-events path has something
// to show, then the third-party marketing-spend file through the import API (the client's imports
// client). Prints what the warehouse accepted, deduplicated and rejected (and why).
//
//   node tools/demo/send-events.mjs [--url http://127.0.0.1:3001] [--users 3000] [--weeks 8] [--seed 42]
//        [--end ISO] [--batch-size 500] [--concurrency 4] [--invalid-share 0.005] [--skip-import] [--json]
//        [--token T]   bearer token with ingest:write when dwh-ingest requires one (default $MLP_TOKEN)
//        [--truth-source NAME]   also import the true 7-day order probabilities (user_id,as_of_date,p_order_7d)
//                                through /v1/imports/NAME, once dwh-ingest declares such a source
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProductWorld, DEFAULT_MANIFEST, marketingSpendCsv, trueProbabilityGridCsv, WORLD_OPTIONS, worldOptionsFrom } from './product-history.mjs';
import { deterministicUuid, rngFor } from './seeded-random.mjs';
import { ImportsClient, PlatformApiError, TrackingClient } from '../client/from-source.mjs';
import { ProgressBar } from './progress-bar.mjs';

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

/** The Segment calls the tracking client makes; a message of another type cannot be sent through it. */
const CALLS = new Set(['track', 'identify', 'page', 'screen', 'group', 'alias']);

/**
 * Sends messages (an iterable or async iterable) through @mlp/client's TrackingClient and sums what
 * the warehouse answered. The client sends one request at a time, so `concurrency` clients (lanes)
 * take `batchSize` events each, the next batch going to whichever lane is free first: a history of
 * ~400k events then flows on a few connections as it did before, each lane with one batch in flight. Batching within the byte limit, retries (same
 * messageIds, exponential backoff with jitter, Retry-After) and 413 splits are the client's.
 *
 * A message's own `sentAt` is dropped: the client stamps each request with the moment it is sent, and
 * the warehouse derives event time as `timestamp + (received - sentAt)` (Snowplow's derived
 * timestamp), so a history forwarded weeks later must say it was sent now, or every event would be
 * moved to today. A message the client refuses before sending (no userId, say) is counted in
 * `refusedLocally`; events the warehouse refuses in `rejected`, by code.
 */
export async function sendMessages(messages, { baseUrl = 'http://127.0.0.1:3001', token, batchSize = 500, concurrency = 4, maxRetries = 8, backoff, onSent } = {}) {
  const totals = { events: 0, requests: 0, accepted: 0, duplicates: 0, rejected: 0, refusedLocally: 0, refused: 0, unsent: 0, retries: 0, rejectionCodes: {}, errors: [] };
  const countCode = (code) => (totals.rejectionCodes[code] = (totals.rejectionCodes[code] ?? 0) + 1);
  const noteError = (text) => totals.errors.length < 5 && totals.errors.push(text);
  const lanes = Array.from({ length: concurrency }, () => ({
    filled: 0,
    busy: false,
    last: undefined,
    inFlight: undefined,
    client: new TrackingClient({
      baseUrl,
      token,
      // Only this function flushes (so every flush's counts are read): no size or timer trigger.
      flushAt: batchSize + 1,
      flushIntervalMs: 0,
      maxBatchEvents: batchSize,
      maxRetries,
      backoff,
      timeoutMs: 60_000,
      sleep: (ms) => {
        totals.retries++;
        return sleep(ms);
      },
      onRejected: (events) => {
        for (const e of events) {
          const codes = new Set(e.errors.map((x) => x.code ?? e.code));
          for (const code of codes.size ? codes : [e.code]) countCode(code);
        }
      },
      onDeliveryFailed: (error, failed) => {
        // 401/403: the batch was refused as a whole (no retry can help); otherwise retries ran out.
        if (error.status >= 400 && error.status < 500) totals.refused += failed.length;
        else totals.unsent += failed.length;
        noteError(`${failed.length} events not delivered${error.retryable ? ` after ${maxRetries + 1} attempts` : ''}: ${error.code} ${error.message}`);
      },
    }),
  }));
  const startFlush = (lane) => {
    const last = lane.last;
    lane.filled = 0;
    lane.busy = true;
    lane.inFlight = lane.client.flush().then((r) => {
      lane.busy = false;
      totals.requests += r.requests;
      totals.accepted += r.accepted;
      totals.duplicates += r.duplicates;
      totals.rejected += r.rejected;
      onSent?.(last, totals);
    });
  };

  // The lane being filled; when it is full, the next one whose batch is done (or the first to finish).
  let lane = lanes[0];
  const nextLane = async () => {
    for (;;) {
      const free = lanes.find((l) => !l.busy);
      if (free) return free;
      await Promise.race(lanes.map((l) => l.inFlight));
    }
  };
  for await (const m of messages) {
    totals.events++;
    const type = m?.type;
    try {
      if (!CALLS.has(type)) throw new TypeError(`${String(type)}: not a Segment call`);
      // Passed as is: the client copies what it sends, ignoring the message's own type and sentAt.
      lane.client[type](m);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      totals.refusedLocally++;
      noteError(`refused by the client before sending: ${err.message}`);
      continue;
    }
    lane.filled++;
    lane.last = m;
    if (lane.filled >= batchSize) {
      startFlush(lane);
      lane = await nextLane();
    }
  }
  for (const lane of lanes) if (lane.filled > 0) startFlush(lane);
  await Promise.all(lanes.map((lane) => lane.inFlight));
  await Promise.all(lanes.map((lane) => lane.client.close()));
  return totals;
}

/**
 * Streams a CSV produced by `lines` (a function giving an iterable of strings) through the imports
 * client, chunked, so the file is never held whole in memory. Its Idempotency-Key makes a retried
 * upload count once, so an upload that met a 5xx, 429 or network error is sent again.
 */
export async function importCsv(baseUrl, source, lines, { idempotencyKey, token, retries = 5, baseDelayMs = 500 } = {}) {
  const imports = new ImportsClient({ baseUrl, token });
  for (let attempt = 0; ; attempt++) {
    try {
      return await imports.upload(source, (async function* () {
        yield* lines();
      })(), { format: 'csv', idempotencyKey });
    } catch (err) {
      if (!(err instanceof PlatformApiError) || !err.retryable || attempt >= retries) throw err;
      await sleep(Math.max(err.retryAfterMs ?? 0, Math.min(10_000, baseDelayMs * 2 ** attempt)));
    }
  }
}

/** dwh-ingest answers an import with `{importId, rowsAccepted, rowsRejected, replayed}`. */
export function describeImport(r) {
  if (r.error) return `failed: ${r.error}`;
  if (typeof r.rowsAccepted === 'number') {
    return `${fmt(r.rowsAccepted)} rows accepted, ${fmt(r.rowsRejected ?? 0)} rejected${r.replayed ? ' (already imported with this Idempotency-Key: nothing new stored)' : ''}, import ${r.importId}`;
  }
  return JSON.stringify(r).slice(0, 300);
}

function fmt(n) {
  return n.toLocaleString('en-US');
}

/**
 * Everything `send-events` does, callable from the platform runner: sends the world's history (with
 * the invalid share), imports the marketing spend (and the true probabilities when `truthSource` is
 * set), and writes the manifest. Progress goes to `progress` (a stream; TTY-aware).
 */
export async function sendHistory(world, { baseUrl = 'http://127.0.0.1:3001', token, batchSize = 500, concurrency = 4, invalidShare = 0.005, importSpend = true, truthSource, manifestPath = DEFAULT_MANIFEST, progress = process.stderr } = {}) {
  if (!(batchSize >= 1 && batchSize <= 2500)) throw new Error('batch size must be 1..2500');
  if (!(concurrency >= 1)) throw new Error('concurrency must be >= 1');
  if (!(invalidShare >= 0 && invalidShare < 1)) throw new Error('invalid share must be in [0, 1)');
  const span = world.end - world.start;
  const bar = progress ? new ProgressBar(progress, 'events') : null;
  const started = Date.now();
  let lastT = world.start;
  const totals = await sendMessages(withInvalidEvents(world.events(), invalidShare, world.seed), {
    baseUrl,
    token,
    batchSize,
    concurrency,
    onSent: (last, t) => {
      const ts = Date.parse(last?.timestamp);
      if (Number.isFinite(ts)) lastT = Math.max(lastT, ts);
      const done = t.accepted + t.duplicates + t.rejected + t.refusedLocally + t.refused + t.unsent;
      bar?.update((lastT - world.start) / span, `${fmt(done)} events  ${fmt(Math.round(done / ((Date.now() - started) / 1000)))}/s`);
    },
  });
  bar?.done();
  const seconds = (Date.now() - started) / 1000;

  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const tryImport = async (source, lines, key) => {
    try {
      return await importCsv(baseUrl, source, lines, { idempotencyKey: key, token });
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
      token: { type: 'string', default: process.env.MLP_TOKEN },
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
    token: values.token,
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
    if (totals.refusedLocally) console.log(`  refused by the client before sending: ${fmt(totals.refusedLocally)}   (no userId: the client never sends such an event)`);
    if (totals.refused) console.log(`  refused (401/403): ${fmt(totals.refused)}`);
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
