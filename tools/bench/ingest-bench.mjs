#!/usr/bin/env node
// Ingest benchmark: N tracking events in batches over HTTP with C concurrent clients against a
// running dwh-ingest, then a plain COPY of the same rows into the same database as the baseline.
//
//   node tools/bench/ingest-bench.mjs --url http://127.0.0.1:3001 \
//     --database-url postgres://postgres@127.0.0.1:5432/<dwh-ingest database> \
//     --events 100000 --batch 500 --concurrency 4
//
// Both phases serialise their data before the clock starts (HTTP bodies, COPY text), so the client
// costs little CPU and each phase times only the loading. Bounded: stops sending after
// --max-seconds. Loopback only. Prints the figures with the load average, and one JSON line.
// --service-pid <pid> (the dwh-ingest process, on this machine) also prints the service's CPU time
// (user + system, from /proc) during the HTTP phase per event: on a shared machine that figure moves
// far less than events/s, which counts time spent waiting for a core.
// --warmup N (default 20000, 0 for none) first sends N events of their own, untimed, so the timed
// phase measures the service's steady state rather than its JIT warming up (a just-started service
// loaded the first 100,000 events 10-20 % slower); the serving benchmark discards a round likewise.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

function args(argv) {
  const out = {
    url: 'http://127.0.0.1:3001',
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    events: 100_000,
    batch: 500,
    concurrency: 4,
    maxSeconds: 120,
    token: process.env.INGEST_TOKEN,
    servicePid: 0,
    warmup: 20_000,
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in out)) throw new Error(`unknown option ${argv[i]}`);
    out[key] = typeof out[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  const url = new URL(out.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('the benchmark only targets loopback addresses');
  return out;
}

const events = ['page_viewed', 'product_viewed', 'added_to_cart'];
function makeEvent(run, i) {
  const event = events[i % 3];
  const properties =
    event === 'page_viewed' ? { path: `/p/${i % 1000}` } : event === 'product_viewed' ? { product_id: `p${i % 500}`, price: (i % 100) + 0.99 } : { product_id: `p${i % 500}`, price: 9.99, quantity: 1 + (i % 3) };
  const ts = new Date(Date.UTC(2026, 10, 20, 0, 0, 0) + i * 1000).toISOString();
  return { type: 'track', messageId: `${run}-${i}`, userId: `u${i % 5000}`, event, timestamp: ts, sentAt: ts, properties, context: { library: { name: 'bench' } } };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const esc = (v) => (v === null ? '\\N' : String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));

async function httpPhase(o, run) {
  const bodies = [];
  for (let start = 0; start < o.events; start += o.batch) {
    const batch = [];
    for (let i = start; i < Math.min(start + o.batch, o.events); i++) batch.push(makeEvent(run, i));
    bodies.push(JSON.stringify({ batch }));
  }
  const headers = { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) };
  const latencies = [];
  let next = 0;
  let accepted = 0;
  let failures = 0;
  const deadline = performance.now() + o.maxSeconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < bodies.length && performance.now() < deadline) {
        const body = bodies[next++];
        const s = performance.now();
        const res = await fetch(`${o.url}/v1/batch`, { method: 'POST', body, headers });
        const json = await res.json();
        latencies.push(performance.now() - s);
        if (res.status === 200) accepted += json.accepted;
        else failures++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, accepted, failures, seconds, eventsPerSecond: accepted / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function copyPhase(o, run, rows) {
  const client = new pg.Client({ connectionString: o.databaseUrl });
  await client.connect();
  const table = `public.ingest_bench_copy_${process.pid}`;
  try {
    // Same columns, key and indexes as dwh.events, logged like it: the work the service's INSERT does.
    await client.query(`CREATE TABLE ${table} (LIKE "dwh".events INCLUDING ALL)`);
    const receivedAt = new Date().toISOString();
    // Serialised before the clock starts, like the HTTP bodies: both phases time only the loading.
    const chunks = [];
    let chunk = '';
    for (let i = 0; i < rows; i++) {
      const e = makeEvent(`${run}c`, i);
      chunk += `${[e.messageId, e.type, e.event, '1-0-0', e.userId, null, JSON.stringify(e.properties), JSON.stringify(e.context), e.timestamp, e.sentAt, receivedAt, e.timestamp].map(esc).join('\t')}\n`;
      if (chunk.length > 65536) {
        chunks.push(chunk);
        chunk = '';
      }
    }
    if (chunk) chunks.push(chunk);
    const t0 = performance.now();
    await pipeline(
      Readable.from(chunks),
      client.query(
        copyFrom(
          `COPY ${table} (message_id, type, event, schema_version, user_id, anonymous_id, properties, context, device_created_at, device_sent_at, received_at, derived_at) FROM STDIN`,
        ),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { rows, seconds, rowsPerSecond: rows / seconds };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await client.end();
  }
}

/** The service's group-commit histogram (requests per commit), or null when it has none (group commit off). */
async function commitStats(o) {
  const res = await fetch(`${o.url}/metrics`, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {} }).catch(() => null);
  if (!res?.ok) return null;
  const text = await res.text();
  const value = (name) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm'))?.[1] ?? NaN);
  const requests = value('dwh_ingest_commit_requests_sum');
  const commits = value('dwh_ingest_commit_requests_count');
  return Number.isNaN(commits) ? null : { requests, commits };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
/** User + system CPU of a process in ms (Linux /proc), or null when not asked for or not readable. */
function cpuMs(pid) {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after the "pid (comm) " prefix.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

const o = args(process.argv);
const loadBefore = os.loadavg();
const run = `bench-${randomUUID().slice(0, 8)}`;
const warm = o.warmup > 0 ? await httpPhase({ ...o, events: o.warmup }, `${run}-warmup`) : null;
const statsBefore = await commitStats(o);
const cpuBefore = cpuMs(o.servicePid);
const http = await httpPhase(o, run);
const cpuAfter = cpuMs(o.servicePid);
const serviceCpu = cpuBefore === null || cpuAfter === null ? null : { ms: cpuAfter - cpuBefore, usPerEvent: ((cpuAfter - cpuBefore) * 1000) / Math.max(1, http.accepted) };
const statsAfter = await commitStats(o);
const groups =
  statsBefore && statsAfter ? { commits: statsAfter.commits - statsBefore.commits, requests: statsAfter.requests - statsBefore.requests } : null;
const copy = await copyPhase(o, run, http.accepted || o.events);
const ratio = http.eventsPerSecond / copy.rowsPerSecond;
console.log(`dwh-ingest ingest benchmark (${o.events} events, batch ${o.batch}, concurrency ${o.concurrency})`);
if (warm) console.log(`  warm-up        : ${warm.accepted} events first, not timed (${Math.round(warm.eventsPerSecond)} events/s)`);
console.log(`  HTTP /v1/batch : ${http.accepted} accepted in ${http.seconds.toFixed(2)} s = ${Math.round(http.eventsPerSecond)} events/s; p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms; ${http.failures} failed requests`);
console.log(
  groups
    ? `  group commit   : ${groups.requests} requests in ${groups.commits} commits = ${(groups.requests / Math.max(1, groups.commits)).toFixed(2)} requests per commit`
    : '  group commit   : off (no dwh_ingest_commit_requests metric)',
);
if (serviceCpu) console.log(`  service CPU    : ${serviceCpu.ms.toFixed(0)} ms user+system during the HTTP phase = ${serviceCpu.usPerEvent.toFixed(1)} us per accepted event`);
console.log(`  plain COPY     : ${copy.rows} rows in ${copy.seconds.toFixed(2)} s = ${Math.round(copy.rowsPerSecond)} rows/s`);
console.log(`  ratio HTTP/COPY: ${ratio.toFixed(2)}`);
const load = (l) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`  load average   : ${load(loadBefore)} before, ${load(os.loadavg())} after (${os.cpus().length} CPUs)`);
console.log(JSON.stringify({ http, groups, serviceCpu, copy, ratio, loadBefore, loadAfter: os.loadavg() }));
