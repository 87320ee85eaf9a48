#!/usr/bin/env node
// The live product: keeps the demo's users browsing and ordering after the history ends, and keeps
// asking model-serving for their purchase propensity, so freshness, the prediction log, live quality
// and drift keep moving. `--shift` changes how one segment behaves (by default: US users browse far
// more but buy less), which shows drift detection, automated retraining and a new champion.
//
// Events come from the same generative process as the history (same seed -> same users, read from
// the manifest send-events wrote). A 3,000-user shop naturally makes well under one event per second,
// so to reach `--rate` events/s the process is accelerated by a factor k; k is recorded as a shift of
// the world from the simulator's start, so the true order probabilities stay exact for the live
// period too. `--rate` is the steady state: sessions unfold over minutes, so the first minute sends
// less. The acceleration itself raises everyone's recent activity as a run goes on (a mild,
// population-wide drift); `--shift` is the large, segment-specific change that should trigger drift
// detection. Keep --rate modest for a long drift-free baseline.
//
//   node tools/demo/simulator.mjs [--rate 5] [--predict-rate 5] [--duration 600] [--shift]
//        [--shift-country US] [--shift-plan free] [--shift-orders 0.2] [--shift-sessions 6] [--shift-after 0]
//        [--manifest .data/demo/history.json] [--no-catch-up] [--users ... --weeks ... --seed ... --end ...]
//        [--token T]   bearer token for dwh-ingest and model-serving when they require one (default $MLP_TOKEN)
// With the manifest, it first sends the events of the time since the last run (catch-up), and at the
// end records the live period (acceleration, shift) in it, so `product-history.mjs truth --manifest`
// stays exact over live periods too.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProductWorld, DAY_MS, DEFAULT_MANIFEST, WORLD_OPTIONS, worldOptionsFrom } from './product-history.mjs';
import { PlatformApiError, PredictionsClient, TrackingClient } from '../client/from-source.mjs';
import { sendMessages } from './send-events.mjs';
import { ProgressBar } from './progress-bar.mjs';
import { rngFor } from './seeded-random.mjs';

/** Natural events per second of the world at time `at` (before any acceleration), measured over a day. */
export function naturalEventRate(world, at) {
  let events = 0;
  for (const u of world.users) events += world.eventsBetween(u, at - DAY_MS, at, 'calibration').length;
  return events / 86_400;
}

/**
 * Every model version mentioned in a prediction answer: predict-entities rows carry `version` next to
 * `model` (and `arm`), V2 answers carry `model_version`.
 */
export function modelVersionsIn(body, found = new Set(), depth = 0) {
  if (body === null || typeof body !== 'object' || depth > 4) return found;
  const isPredictionRow = !Array.isArray(body) && typeof body.model === 'string' && 'arm' in body;
  for (const [k, v] of Object.entries(body)) {
    const isVersion = k === 'model_version' || k === 'modelVersion' || (k === 'version' && isPredictionRow);
    if (isVersion && (typeof v === 'string' || typeof v === 'number')) found.add(String(v));
    else if (typeof v === 'object') modelVersionsIn(v, found, depth + 1);
  }
  return found;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/**
 * Runs the simulation until `durationMs` passes or `signal` aborts. Returns the totals.
 * Every network call tolerates the service being down (counted, retried, never fatal).
 */
export async function runSimulator(world, opts) {
  const {
    ingestUrl = 'http://127.0.0.1:3001',
    servingUrl = 'http://127.0.0.1:3004',
    token,
    model = 'purchase_propensity',
    rate = 5,
    predictRate = 5,
    predictBatch = 5,
    durationMs = 600_000,
    tickMs = 1000,
    shift,
    signal,
    log = (line) => console.error(line),
    now = () => Date.now(),
  } = opts;
  const startedAt = now();
  const runId = startedAt.toString(36);
  const natural = naturalEventRate(world, startedAt);
  const acceleration = natural > 0 ? Math.max(1, rate / natural) : 1;
  const accelerationShift = world.addShift({ from: startedAt, orderFactor: acceleration, sessionFactor: acceleration });
  let behaviourShift;
  log(`simulator: ${world.users.length} users, natural rate ${natural.toFixed(3)} events/s, accelerated x${acceleration.toFixed(1)} to ~${rate} events/s; predictions ${predictRate}/s of ${predictBatch} users from ${servingUrl}`);

  const t = { generated: 0, events: 0, accepted: 0, duplicates: 0, rejected: 0, unsent: 0, predictions: 0, predictionErrors: 0, latencies: [], versions: new Set(), lastVersion: null, errors: {} };
  const countError = (kind, reason) => {
    const key = `${kind}: ${reason}`;
    t.errors[key] = (t.errors[key] ?? 0) + 1;
  };
  let shiftApplied = false;
  let upcoming = [];
  const inFlight = new Set();
  const track = (p) => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  };
  const reason = (err) => (err instanceof PlatformApiError ? err.code : err.message);

  // Events go through the platform's tracking client, one request at a time: when the warehouse is
  // slow, events wait in its queue for the next flush; a batch that still fails after its retries, or
  // events beyond the queue's bound, count as unsent (a live product cannot buffer forever).
  const tracking = new TrackingClient({
    baseUrl: ingestUrl,
    token,
    flushAt: 50_001, // only flushEvents sends, so every answer is counted
    flushIntervalMs: 0,
    maxQueueSize: 50_000,
    maxRetries: 4,
    backoff: { baseMs: 250 },
    onDeliveryFailed: (error, messages) => {
      t.unsent += messages.length;
      countError('ingest', error.code);
    },
  });
  let flushing;
  const flushEvents = () => {
    if (flushing || tracking.pending === 0) return flushing;
    flushing = tracking
      .flush()
      .then((r) => {
        t.accepted += r.accepted;
        t.duplicates += r.duplicates;
        t.rejected += r.rejected;
      })
      .finally(() => (flushing = undefined));
    track(flushing);
    return flushing;
  };
  const predictions = new PredictionsClient({ baseUrl: servingUrl, token, timeoutMs: 5000 });

  const rng = rngFor(world.seed, 'simulator', runId);
  const eligible = () => world.users.filter((u) => u.signupAt < now());
  const predict = () => {
    const pool = eligible();
    if (pool.length === 0) return;
    const ids = Array.from({ length: predictBatch }, () => pool[rng.int(0, pool.length - 1)].id);
    const began = performance.now();
    track(
      predictions
        .predictEntities(model, { user_id: ids })
        .then((body) => {
          t.predictions += ids.length;
          t.latencies.push(performance.now() - began);
          for (const v of modelVersionsIn(body)) {
            if (!t.versions.has(v)) {
              if (t.lastVersion !== null) log(`simulator: model-serving now answers with ${model} version ${v} (was ${t.lastVersion}): a new champion is serving`);
              t.versions.add(v);
            }
            t.lastVersion = v;
          }
        })
        .catch((err) => {
          t.predictionErrors++;
          countError('predict', reason(err));
        }),
    );
  };

  let lastTick = startedAt;
  let predictCredit = 0;
  let lastReport = startedAt;
  let lastReportedEvents = 0;
  while (!signal?.aborted && now() - startedAt < durationMs) {
    await new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, tickMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const tickEnd = now();
    if (shift && !shiftApplied && tickEnd - startedAt >= (shift.afterMs ?? 0)) {
      shiftApplied = true;
      behaviourShift = world.addShift({ ...shift, from: tickEnd });
      log(`simulator: behaviour SHIFT from now on for ${shift.country ?? 'all countries'}/${shift.plan ?? 'all plans'}: orders x${shift.orderFactor}, sessions x${shift.sessionFactor}`);
    }
    // A browsing session that starts now unfolds over the next minutes: its later events wait until due.
    const previouslyUpcoming = upcoming.length;
    for (const u of world.users) {
      if (u.signupAt >= tickEnd) continue;
      for (const e of world.eventsBetween(u, lastTick, tickEnd, `sim|${runId}`)) upcoming.push(e);
    }
    const due = [];
    const later = [];
    for (const e of upcoming) (Date.parse(e.timestamp) <= tickEnd ? due : later).push(e);
    t.generated += upcoming.length - previouslyUpcoming;
    upcoming = later;
    due.sort((x, y) => Date.parse(x.timestamp) - Date.parse(y.timestamp));
    for (const e of due) {
      // The client ignores a message's own type and sentAt (it stamps each request's sentAt; the
      // message's would be the history's), so the message goes in as is.
      tracking[e.type](e);
    }
    t.events += due.length;
    lastTick = tickEnd;
    flushEvents();

    predictCredit += (predictRate * tickMs) / 1000;
    while (predictCredit >= 1) {
      predictCredit--;
      predict();
    }

    if (tickEnd - lastReport >= 5000) {
      const secs = (tickEnd - lastReport) / 1000;
      const lat = [...t.latencies].sort((a, b) => a - b);
      log(
        `simulator ${Math.round((tickEnd - startedAt) / 1000)}s | events sent ${t.events} (${((t.events - lastReportedEvents) / secs).toFixed(1)}/s, ${upcoming.length} more in sessions under way) accepted ${t.accepted} rejected ${t.rejected} unsent ${t.unsent}` +
          ` | predictions ${t.predictions} (errors ${t.predictionErrors}, p50 ${percentile(lat, 0.5).toFixed(0)} ms, p99 ${percentile(lat, 0.99).toFixed(0)} ms${t.lastVersion ? `, model v${t.lastVersion}` : ''})` +
          `${shiftApplied ? ' | SHIFT active' : ''}`,
      );
      for (const [k, n] of Object.entries(t.errors)) log(`  ${k} (x${n})`);
      t.errors = {};
      t.latencies = t.latencies.slice(-1000);
      lastReport = tickEnd;
      lastReportedEvents = t.events;
    }
  }
  // Send what is due, then wait for the answers: a clean stop loses nothing that has happened.
  await flushing;
  await flushEvents();
  await Promise.all(inFlight);
  const last = await tracking.close();
  t.accepted += last.accepted;
  t.duplicates += last.duplicates;
  t.rejected += last.rejected;
  // The live period ends here: recorded so the true probabilities of this period can be recomputed later.
  const ended = [accelerationShift, behaviourShift].filter(Boolean).map((sh) => ({ ...sh, until: lastTick }));
  for (const sh of [accelerationShift, behaviourShift]) if (sh) world.endShift(sh, lastTick);
  if (upcoming.length > 0) log(`simulator: ${upcoming.length} events of sessions still in progress were not sent (they had not happened yet)`);
  return { acceleration, naturalRate: natural, shiftApplied, ...t, versions: [...t.versions], shifts: ended, liveUntil: lastTick };
}

/**
 * The product did not stop while the demo was off: sends the natural (unaccelerated) events between
 * the end of what was sent and `to`, a day at a time, so the warehouse has no gap.
 */
export async function catchUp(world, from, to, { ingestUrl, token, concurrency = 4, log = (l) => console.error(l), progress = null } = {}) {
  const bar = progress ? new ProgressBar(progress, 'catch-up') : null;
  async function* gapEvents() {
    for (let a = from; a < to; a += DAY_MS) {
      bar?.update((a - from) / (to - from), `${new Date(a).toISOString().slice(0, 10)}`);
      const b = Math.min(to, a + DAY_MS);
      const day = [];
      for (const u of world.users) for (const e of world.eventsBetween(u, a, b, 'catch-up')) if (Date.parse(e.timestamp) <= to) day.push(e);
      day.sort((x, y) => Date.parse(x.timestamp) - Date.parse(y.timestamp));
      yield* day;
    }
  }
  const totals = await sendMessages(gapEvents(), { baseUrl: ingestUrl, token, concurrency });
  bar?.done('');
  log(`simulator: caught up ${((to - from) / 3_600_000).toFixed(1)} h since the last run: ${totals.accepted} events accepted, ${totals.duplicates} duplicates, ${totals.unsent} not delivered`);
  return totals;
}

async function main() {
  const { values } = parseArgs({
    options: {
      ...WORLD_OPTIONS,
      manifest: { type: 'string', default: DEFAULT_MANIFEST },
      rate: { type: 'string', default: '5' },
      'predict-rate': { type: 'string', default: '5' },
      'predict-batch': { type: 'string', default: '5' },
      duration: { type: 'string', default: '600' },
      model: { type: 'string', default: 'purchase_propensity' },
      'ingest-url': { type: 'string', default: process.env.DWH_INGEST_URL ?? 'http://127.0.0.1:3001' },
      'serving-url': { type: 'string', default: process.env.MODEL_SERVING_URL ?? 'http://127.0.0.1:3004' },
      token: { type: 'string', default: process.env.MLP_TOKEN },
      'no-catch-up': { type: 'boolean', default: false },
      shift: { type: 'boolean', default: false },
      'shift-country': { type: 'string', default: 'US' },
      'shift-plan': { type: 'string' },
      'shift-orders': { type: 'string', default: '0.2' },
      'shift-sessions': { type: 'string', default: '6' },
      'shift-after': { type: 'string', default: '0' },
    },
  });
  const num = (name, min = 0) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
    return n;
  };
  // The same world as the history that was sent: the manifest records its seed, size and end.
  let manifest = {};
  if (fs.existsSync(values.manifest)) manifest = JSON.parse(fs.readFileSync(values.manifest, 'utf8'));
  const cli = worldOptionsFrom(values, {});
  const world = createProductWorld({
    seed: cli.seed ?? manifest.seed,
    users: cli.users ?? manifest.users,
    weeks: cli.weeks ?? manifest.weeks,
    end: cli.end ?? manifest.end,
    shifts: manifest.shifts ?? [],
  });
  const useManifest = Boolean(manifest.end) && cli.end === undefined && cli.seed === undefined && cli.users === undefined;
  if (!manifest.end && !cli.end) console.error(`simulator: no manifest at ${values.manifest} and no --end: users are rebuilt with the history ending now`);
  const saveManifest = () => fs.writeFileSync(values.manifest, `${JSON.stringify(manifest, null, 2)}\n`);

  if (useManifest && !values['no-catch-up']) {
    const from = Date.parse(manifest.liveUntil ?? manifest.end);
    const to = Date.now();
    if (to - from > 60_000) {
      const gap = await catchUp(world, from, to, { ingestUrl: values['ingest-url'], token: values.token, progress: process.stderr });
      if (gap.unsent === 0) {
        manifest.liveUntil = new Date(to).toISOString();
        saveManifest();
      }
    }
  }

  const controller = new AbortController();
  const stop = () => {
    if (!controller.signal.aborted) console.error('simulator: stopping (sending what is left)...');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const totals = await runSimulator(world, {
    ingestUrl: values['ingest-url'],
    servingUrl: values['serving-url'],
    token: values.token,
    model: values.model,
    rate: num('rate', 0.001),
    predictRate: num('predict-rate'),
    predictBatch: num('predict-batch', 1),
    durationMs: num('duration', 1) * 1000,
    signal: controller.signal,
    shift: values.shift
      ? {
          country: values['shift-country'] || undefined,
          plan: values['shift-plan'] || undefined,
          orderFactor: num('shift-orders'),
          sessionFactor: num('shift-sessions'),
          afterMs: num('shift-after') * 1000,
        }
      : undefined,
  });
  if (useManifest) {
    manifest.shifts = [...(manifest.shifts ?? []), ...totals.shifts];
    manifest.liveUntil = new Date(totals.liveUntil).toISOString();
    saveManifest();
  }
  console.log(
    `simulator done: ${totals.events} events (accepted ${totals.accepted}, duplicates ${totals.duplicates}, rejected ${totals.rejected}, unsent ${totals.unsent}); ` +
      `${totals.predictions} predictions (${totals.predictionErrors} failed requests); model versions seen: ${totals.versions.join(', ') || 'none'}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
