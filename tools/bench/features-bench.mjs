#!/usr/bin/env node
// Feature-store online read benchmark: POST /v1/online-features for 1 and 100 entities x 10
// features at C concurrent clients against a running feature-store, and in the same run the raw
// store read for the same keys (Redis MGET when --redis-url is given, else the PostgreSQL SELECT
// the Postgres online store runs) at the same concurrency. Prints req/s, p50/p99 (client-side) and
// the ratios service/raw.
//
//   node tools/bench/features-bench.mjs --url http://127.0.0.1:3002 \
//     --database-url postgres://postgres@127.0.0.1:5432/<feature-store database> \
//     [--redis-url redis://127.0.0.1:6379 --prefix fs] --concurrency 16 --seconds 5
//
// With --historical-rows N (a dedicated database only: it creates and fills dwh.mart_user_activity_daily),
// also times a point-in-time training set of N label rows x 10 features streamed as NDJSON, against
// a plain COPY of the same N label rows from the same database as the baseline.
//
// With --materialize-users N (dedicated database too), fills the mart with N users x 1 day and
// times POST /v1/materialize of a 10-feature view over it until the job succeeds, against a plain
// COPY of the same source rows as the baseline.
//
// Load generator (--client auto|wrk|node, default auto): wrk when installed (Lua POST of pre-built
// bodies), with redis-benchmark / pgbench as the raw-store baselines so both sides use C clients;
// otherwise (or --client node) a cheap Node client (keep-alive, pre-serialised bodies) and
// ioredis / node-postgres baselines. The first output line says which.
//
// Setup (idempotent): applies entity `bench_user` and view `bench_features` (10 float features)
// and pushes --entities rows online. Bounded by --seconds per scenario. Loopback only.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path_ from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

function args(argv) {
  const out = {
    url: 'http://127.0.0.1:3002',
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: '',
    prefix: 'fs',
    concurrency: 16,
    seconds: 5,
    entities: 10_000,
    token: process.env.FEATURES_TOKEN ?? '',
    historicalRows: 0,
    materializeUsers: 0,
    client: 'auto',
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in out)) throw new Error(`unknown option ${argv[i]}`);
    out[key] = typeof out[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  for (const u of [out.url, out.databaseUrl, out.redisUrl].filter(Boolean)) {
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname)) throw new Error(`the benchmark only targets loopback addresses (${u})`);
  }
  return out;
}

const opt = args(process.argv);
const loadavg = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const base = new URL(opt.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: opt.concurrency });
const FEATURES = Array.from({ length: 10 }, (_, i) => `f${i}`);
const VIEW = 'bench_features';

function post(path, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(opt.token ? { authorization: `Bearer ${opt.token}` } : {}) } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function setup() {
  const apply = await post('/v1/apply', {
    entities: [{ name: 'bench_user', join_key: 'bench_id', value_type: 'string' }],
    feature_views: [
      {
        name: VIEW,
        entities: ['bench_user'],
        features: FEATURES.map((name) => ({ name, type: 'float64' })),
        source: { sql: `SELECT user_id AS bench_id, updated_at AS event_timestamp, ${FEATURES.map((f, i) => `${i}.5::float8 AS ${f}`).join(', ')} FROM dwh.mart_user_profile` },
        ttl_seconds: 86400,
        online: true,
        description: 'benchmark view (tools/bench/features-bench.mjs)',
      },
    ],
  });
  if (apply.status !== 200) throw new Error(`apply failed: ${apply.status} ${apply.body}`);
  const now = new Date().toISOString();
  for (let i = 0; i < opt.entities; i += 1000) {
    const rows = [];
    for (let k = i; k < Math.min(opt.entities, i + 1000); k++) {
      const row = { bench_id: `b${k}`, event_timestamp: now };
      FEATURES.forEach((f, j) => (row[f] = k + j / 10));
      rows.push(row);
    }
    const res = await post('/v1/push', { feature_view: VIEW, to: 'online', rows });
    if (res.status !== 200) throw new Error(`push failed: ${res.status} ${res.body}`);
  }
  const [{ version }] = [JSON.parse((await getJson(`/v1/feature-views/${VIEW}`)).body)];
  return version;
}

function getJson(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: base.hostname, port: base.port, path, agent, headers: opt.token ? { authorization: `Bearer ${opt.token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const keysOf = (n) => Array.from({ length: n }, () => `b${Math.floor(rnd() * opt.entities)}`);

/** Which load generator to use: wrk (C, cheap) when installed, else the Node client below. */
function pickClient() {
  const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
  if (opt.client === 'node') return 'node';
  if (opt.client === 'wrk' || onPath('wrk')) {
    if (!onPath('wrk')) throw new Error('--client wrk but wrk is not installed (apt-get install -y wrk)');
    return 'wrk';
  }
  return 'node';
}

/** Runs `op` from C concurrent loops for the configured seconds; latency per call in ms. */
async function measure(op) {
  const latencies = [];
  let errors = 0;
  // Short warm-up so connection setup and JIT are not measured.
  for (let i = 0; i < 50; i++) await op();
  const until = performance.now() + opt.seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: opt.concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          await op();
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99) };
}

/** Node client: pre-serialised bodies, keep-alive sockets, the body only counted, not parsed. */
function nodePoster(path, bodies) {
  let i = 0;
  const headers = { 'content-type': 'application/json', ...(opt.token ? { authorization: `Bearer ${opt.token}` } : {}) };
  return () =>
    new Promise((resolve, reject) => {
      const body = bodies[i++ % bodies.length];
      const req = http.request({ host: base.hostname, port: base.port, path, method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
}

/**
 * wrk with a Lua script cycling through the same pre-built bodies (a GET without bodies); latencies
 * as wrk measures them. `paceMs` > 0 makes each connection wait between requests (a paced,
 * near-open loop at a set rate).
 */
function wrkPost(path, bodies, { paceMs = 0, seconds = opt.seconds } = {}) {
  const dir = fs.mkdtempSync(path_.join(os.tmpdir(), 'fs-bench-'));
  const lua = path_.join(dir, 'post.lua');
  const quoted = bodies.map((b) => `[==[${b.toString('utf8')}]==]`).join(',\n');
  const auth = opt.token ? `, ["authorization"] = "Bearer ${opt.token}"` : '';
  fs.writeFileSync(
    lua,
    `local bodies = {${quoted}}
local i = 0
request = function()
  if #bodies == 0 then return wrk.format("GET", "${path}", {${auth.slice(2)}}) end
  i = i % #bodies + 1
  return wrk.format("POST", "${path}", { ["content-type"] = "application/json"${auth} }, bodies[i])
end
${
  paceMs > 0
    ? `-- paced: each connection waits about ${paceMs.toFixed(3)} ms between requests (wrk takes whole ms: rounded at random so the mean is exact)
local whole = ${Math.floor(paceMs)}
local frac = ${paceMs - Math.floor(paceMs)}
delay = function() if math.random() < frac then return whole + 1 end return whole end
`
    : ''
}done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"errors\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d}\\n",
    summary.requests, summary.duration, e.status + e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`,
  );
  const run = spawnSync('wrk', ['-t', '1', '-c', String(opt.concurrency), '-d', `${seconds}s`, '-s', lua, `${base.origin}${path}`], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk failed: ${run.stderr || run.stdout}`);
  const r = JSON.parse(line.slice(8));
  return { requests: r.requests, errors: r.errors, rps: r.requests / (r.duration_us / 1e6), p50: r.p50_us / 1000, p99: r.p99_us / 1000 };
}

/** redis-benchmark (C, like wrk): MGET of the same keys from C connections. */
function redisBenchmarkMget(keys) {
  const u = new URL(opt.redisUrl);
  const n = Math.max(5000, Math.round((keys.length === 1 ? 40000 : 4000) * opt.seconds));
  const run = spawnSync('redis-benchmark', ['-h', u.hostname, '-p', u.port || '6379', '-c', String(opt.concurrency), '-n', String(n), '--csv', 'MGET', ...keys], { encoding: 'utf8' });
  const lines = (run.stdout ?? '').trim().split('\n');
  const header = JSON.parse(`[${lines[0]}]`);
  const row = JSON.parse(`[${lines[lines.length - 1]}]`);
  const col = (name) => Number(row[header.indexOf(name)]);
  if (!Number.isFinite(col('rps'))) throw new Error(`redis-benchmark failed: ${run.stderr || run.stdout}`);
  return { requests: n, errors: 0, rps: col('rps'), p50: col('p50_latency_ms'), p99: col('p99_latency_ms') };
}

/** pgbench (C, like wrk): the Postgres store's SELECT for n random keys, latencies from its per-transaction log. */
function pgbenchSelect(viewKey, n) {
  const dir = fs.mkdtempSync(path_.join(os.tmpdir(), 'fs-pgbench-'));
  const script = path_.join(dir, 'read.sql');
  const sets = Array.from({ length: n }, (_, i) => `\\set k${i} random(0, ${opt.entities - 1})`).join('\n');
  const keys = Array.from({ length: n }, (_, i) => `'b' || :k${i}`).join(', ');
  fs.writeFileSync(script, `${sets}\nSELECT view_key, entity_key, "values", event_timestamp FROM features.online_values WHERE view_key = ANY(ARRAY['${viewKey}']) AND entity_key = ANY(ARRAY[${keys}]);\n`);
  const run = spawnSync('pgbench', ['-n', '-M', 'prepared', '-c', String(opt.concurrency), '-j', '1', '-T', String(opt.seconds), '-f', script, '-l', `--log-prefix=${path_.join(dir, 'log')}`, opt.databaseUrl], { encoding: 'utf8' });
  const tps = Number(/tps = ([0-9.]+)/.exec(run.stdout ?? '')?.[1]);
  const latencies = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.startsWith('log'))) {
    for (const l of fs.readFileSync(path_.join(dir, f), 'utf8').split('\n')) if (l) latencies.push(Number(l.split(' ')[2]) / 1000);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  if (!Number.isFinite(tps)) throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors: 0, rps: tps, p50: q(0.5), p99: q(0.99) };
}

async function main() {
  const version = await setup();
  const viewKey = `${VIEW}@v${version}`;
  const refs = FEATURES.map((f) => `${VIEW}:${f}`);
  const client = pickClient();
  let raw;
  let rawName;
  let closeRaw = async () => undefined;
  if (client === 'wrk') {
    rawName = opt.redisUrl ? 'redis MGET (redis-benchmark)' : 'postgres SELECT (pgbench)';
    raw = async (n) => (opt.redisUrl ? redisBenchmarkMget(keysOf(n).map((k) => `${opt.prefix}:${viewKey}:${k}`)) : pgbenchSelect(viewKey, n));
  } else if (opt.redisUrl) {
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(opt.redisUrl);
    rawName = 'redis MGET (node ioredis)';
    raw = (n) => measure(() => redis.mget(keysOf(n).map((k) => `${opt.prefix}:${viewKey}:${k}`)).then((vals) => vals.map((v) => v && JSON.parse(v))));
    closeRaw = () => redis.quit();
  } else {
    const pool = new pg.Pool({ connectionString: opt.databaseUrl, max: opt.concurrency });
    rawName = 'postgres SELECT (node pg)';
    raw = (n) => measure(() => pool.query(`SELECT view_key, entity_key, "values", event_timestamp FROM features.online_values WHERE view_key = ANY($1::text[]) AND entity_key = ANY($2::text[])`, [[viewKey], keysOf(n)]));
    closeRaw = () => pool.end();
  }
  const post = async (path, bodies) => {
    // Warm-up through Node (connection setup, the service's JIT), then the measured run.
    const warm = nodePoster(path, bodies);
    for (let i = 0; i < 200; i++) await warm();
    return client === 'wrk' ? wrkPost(path, bodies) : measure(nodePoster(path, bodies));
  };
  const results = [];
  // The HTTP floor of the service kit (GET /healthz, no I/O) under the same load, for context.
  const floor = client === 'wrk' ? wrkGet('/healthz') : await measure(async () => {
    const res = await getJson('/healthz');
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  });
  for (const n of [1, 100]) {
    const bodies = Array.from({ length: 1000 }, () => Buffer.from(JSON.stringify({ features: refs, entities: { bench_id: keysOf(n) } })));
    const service = await post('/v1/online-features', bodies);
    const baseline = await raw(n);
    results.push({ entities: n, features: 10, concurrency: opt.concurrency, service, baseline, rawName });
  }
  // Moderate load: one-entity reads paced at half the rate measured above (the serving bench's
  // "half the maximum load"), and the kit floor paced at the same rate; p99 here is the SLA figure.
  let moderate;
  if (client === 'wrk') {
    const rate = results[0].service.rps / 2;
    // The moderate run keeps the C connections of the runs above. (Measured and dropped: enough
    // connections for a >= 5 ms cycle each, which holds the pace exactly but makes wrk release
    // requests in bursts at each millisecond tick, raising even the kit floor's p50 from 0.4 to
    // 0.6-1.5 ms at the same rate.)
    const bodies = Array.from({ length: 1000 }, () => Buffer.from(JSON.stringify({ features: refs, entities: { bench_id: keysOf(1) } })));
    // Each connection waits `pace` ms between an answer and its next request; the cycle a run
    // achieves (C / its rate) grows with the pace, but not one for one (wrk's timers are whole
    // milliseconds and fire up to a millisecond early). Up to five 1 s calibration runs search the
    // pace: a correction by the cycle's error until the target is bracketed, then interpolation
    // between the closest paces above and below it. The measured run must itself land within 10%
    // of `rate` (the host's speed drifts), else it joins the search and is run again, at most three
    // times; the rate printed is the one of the run whose p99 is quoted.
    const targetCycle = (opt.concurrency / rate) * 1000;
    const paced = (path, b) => {
      let below; // fastest-cycling pace seen whose rate was above the target (cycle too short)
      let above; // slowest-cycling pace seen whose rate was below it
      let pace = targetCycle;
      const next = (achieved) => {
        const cycle = (opt.concurrency / achieved) * 1000;
        if (cycle < targetCycle && (!below || pace > below.pace)) below = { pace, cycle };
        if (cycle >= targetCycle && (!above || pace < above.pace)) above = { pace, cycle };
        if (below && above && above.cycle > below.cycle) {
          return below.pace + ((targetCycle - below.cycle) * (above.pace - below.pace)) / (above.cycle - below.cycle);
        }
        return Math.max(0, pace + targetCycle - cycle);
      };
      for (let i = 0; i < 5; i++) {
        const calibration = wrkPost(path, b, { paceMs: pace, seconds: 1 });
        if (Math.abs(calibration.rps / rate - 1) < 0.05) break;
        pace = next(calibration.rps);
      }
      let run;
      for (let attempt = 1; attempt <= 3; attempt++) {
        run = { ...wrkPost(path, b, { paceMs: pace }), attempts: attempt };
        if (Math.abs(run.rps / rate - 1) <= 0.1) break;
        pace = next(run.rps);
      }
      return run;
    };
    moderate = { offered: rate, service: paced('/v1/online-features', bodies), floor: paced('/healthz', []) };
  }
  await closeRaw();
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  console.log(`client: ${client === 'wrk' ? 'wrk (1 thread, Lua POST of pre-built bodies)' : 'node (keep-alive, pre-serialised bodies)'}; store baseline: ${rawName}; concurrency ${opt.concurrency}; ${opt.seconds}s per scenario; ${opt.entities} entities online`);
  console.log(`kit floor GET /healthz: ${f(floor.rps, 0)} req/s, p50 ${f(floor.p50)} ms, p99 ${f(floor.p99)} ms; load average ${loadavg()}`);
  console.log('| entities x features | service req/s | p50 ms | p99 ms | raw req/s | raw p50 ms | raw p99 ms | req/s ratio | p99 ratio | errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(`| ${r.entities} x ${r.features} | ${f(r.service.rps, 0)} | ${f(r.service.p50)} | ${f(r.service.p99)} | ${f(r.baseline.rps, 0)} | ${f(r.baseline.p50)} | ${f(r.baseline.p99)} | ${f(r.service.rps / r.baseline.rps)} | ${f(r.service.p99 / r.baseline.p99)} | ${r.service.errors} |`);
  }
  if (moderate) {
    console.log(
      `moderate load, 1 x 10 paced at ${f(moderate.offered, 0)} req/s (half the maximum above): ${f(moderate.service.rps, 0)} req/s, p50 ${f(moderate.service.p50)} ms, p99 ${f(moderate.service.p99)} ms` +
        `${moderate.service.attempts > 1 ? ` (measured run ${moderate.service.attempts} of 3)` : ''}; ` +
        `kit floor GET /healthz at the same pace: ${f(moderate.floor.rps, 0)} req/s, p50 ${f(moderate.floor.p50)} ms, p99 ${f(moderate.floor.p99)} ms`,
    );
  }
  console.log(`load average after: ${loadavg()}`);
  console.log(JSON.stringify({ bench: 'features-online', client, floor, results, moderate }));
}

/** wrk GET (the kit's floor). */
function wrkGet(path) {
  const run = spawnSync('wrk', ['-t', '1', '-c', String(opt.concurrency), '-d', `${opt.seconds}s`, '--latency', `${base.origin}${path}`], { encoding: 'utf8' });
  const out = run.stdout ?? '';
  const ms = (re) => {
    const m = re.exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  return { rps: Number(/Requests\/sec:\s+([0-9.]+)/.exec(out)?.[1]), p50: ms(/\s50%\s+([0-9.]+)(us|ms|s)/), p99: ms(/\s99%\s+([0-9.]+)(us|ms|s)/) };
}

/** The activity mart (the shape dwh-ingest publishes), created if missing and emptied. */
async function emptyActivityMart(pool) {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS dwh`);
  await pool.query(`CREATE TABLE IF NOT EXISTS dwh.mart_user_activity_daily (user_id text, activity_date date, page_views int, product_views int,
    add_to_carts int, checkouts int, orders int, revenue numeric(12,2), updated_at timestamptz, PRIMARY KEY (user_id, activity_date))`);
  await pool.query(`TRUNCATE dwh.mart_user_activity_daily`);
}

async function historical() {
  const n = opt.historicalRows;
  const pool = new pg.Pool({ connectionString: opt.databaseUrl, max: 2 });
  await emptyActivityMart(pool);
  // N/10 users x 10 days; label rows at noon of each day see the previous day's values.
  await pool.query(
    `INSERT INTO dwh.mart_user_activity_daily SELECT 'h' || u, date '2026-01-01' + d, u % 50, u % 20, u % 7, u % 5, u % 3, (u % 100)::numeric, now()
       FROM generate_series(1, $1::int) u, generate_series(0, 9) d`,
    [Math.ceil(n / 10)],
  );
  await pool.query(`ANALYZE dwh.mart_user_activity_daily`);
  const cols = ['page_views', 'product_views', 'add_to_carts', 'checkouts', 'orders', 'revenue'];
  const feats = Array.from({ length: 10 }, (_, i) => ({ name: `h${i}`, expr: `${cols[i % cols.length]}${i >= cols.length ? ` * ${i}` : ''}` }));
  const apply = await post('/v1/apply', {
    entities: [{ name: 'bench_hist_user', join_key: 'user_id', value_type: 'string' }],
    feature_views: [{
      name: 'bench_history',
      entities: ['bench_hist_user'],
      features: feats.map((f) => ({ name: f.name, type: 'float64' })),
      source: { sql: `SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, ${feats.map((f) => `(${f.expr})::float8 AS ${f.name}`).join(', ')} FROM dwh.mart_user_activity_daily` },
      ttl_seconds: 2 * 86400,
      online: false,
    }],
  });
  if (apply.status !== 200) throw new Error(`apply failed: ${apply.status} ${apply.body}`);
  const labelSql = `SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE 'UTC' + interval '12 hours' AS event_timestamp, orders AS label FROM dwh.mart_user_activity_daily`;
  const t0 = performance.now();
  const res = await new Promise((resolve, reject) => {
    const payload = JSON.stringify({ features: feats.map((f) => `bench_history:${f.name}`), label_source: { sql: labelSql, start: '2020-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' } });
    const req = http.request({ host: base.hostname, port: base.port, path: '/v1/historical-features', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (r) => {
      // Kept cheap (native newline search, no decoding) so the client takes little CPU from the service.
      let lines = 0;
      let bytes = 0;
      let last = Buffer.alloc(0);
      r.on('data', (c) => {
        bytes += c.length;
        for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) lines++;
        last = c;
      });
      r.on('end', () => resolve({ status: r.statusCode, lines, bytes, tail: last.subarray(-600).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
  const serviceSeconds = (performance.now() - t0) / 1000;
  if (res.status !== 200) throw new Error(`historical-features answered ${res.status}: ${res.tail}`);
  const { to: copyTo } = await import('pg-copy-streams');
  const client = await pool.connect();
  const t1 = performance.now();
  let rawBytes = 0;
  await new Promise((resolve, reject) => {
    const s = client.query(copyTo(`COPY (SELECT row_to_json(t)::text FROM (${labelSql}) t) TO STDOUT`));
    s.on('data', (c) => (rawBytes += c.length));
    s.on('end', resolve);
    s.on('error', reject);
  });
  const rawSeconds = (performance.now() - t1) / 1000;
  client.release();
  await pool.end();
  return { rows: res.lines - 1, bytes: res.bytes, serviceSeconds, rawSeconds, rawBytes, ratio: serviceSeconds / rawSeconds };
}

async function materialization() {
  const n = opt.materializeUsers;
  const pool = new pg.Pool({ connectionString: opt.databaseUrl, max: 2 });
  await emptyActivityMart(pool);
  await pool.query(
    `INSERT INTO dwh.mart_user_activity_daily SELECT 'm' || u, current_date - 1, u % 50, u % 20, u % 7, u % 5, u % 3, (u % 100)::numeric, now() FROM generate_series(1, $1::int) u`,
    [n],
  );
  await pool.query(`ANALYZE dwh.mart_user_activity_daily`);
  const cols = ['page_views', 'product_views', 'add_to_carts', 'checkouts', 'orders', 'revenue'];
  const feats = Array.from({ length: 10 }, (_, i) => ({ name: `m${i}`, expr: `${cols[i % cols.length]}${i >= cols.length ? ` * ${i}` : ''}` }));
  const sourceSql = `SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, ${feats.map((f) => `(${f.expr})::float8 AS ${f.name}`).join(', ')} FROM dwh.mart_user_activity_daily`;
  const apply = await post('/v1/apply', {
    entities: [{ name: 'bench_mat_user', join_key: 'user_id', value_type: 'string' }],
    feature_views: [{ name: 'bench_materialize', entities: ['bench_mat_user'], features: feats.map((f) => ({ name: f.name, type: 'float64' })), source: { sql: sourceSql }, ttl_seconds: 7 * 86400, online: true }],
  });
  if (apply.status !== 200) throw new Error(`apply failed: ${apply.status} ${apply.body}`);
  const t0 = performance.now();
  const started = await post('/v1/materialize', { start: '2020-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z', views: ['bench_materialize'] });
  if (started.status !== 202) throw new Error(`materialize answered ${started.status}: ${started.body}`);
  const id = JSON.parse(started.body).materializations[0].id;
  let job;
  for (;;) {
    job = JSON.parse((await getJson(`/v1/materializations/${id}`)).body);
    if (job.status === 'SUCCEEDED' || job.status === 'FAILED') break;
    if (performance.now() - t0 > 600_000) throw new Error('materialization did not finish within 10 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
  const serviceSeconds = (performance.now() - t0) / 1000;
  // Statistics are computed by the worker that finishes the job, after it is SUCCEEDED.
  let statsSeconds = NaN;
  while (job.status === 'SUCCEEDED' && performance.now() - t0 < 600_000) {
    const stats = await getJson('/v1/feature-views/bench_materialize/stats');
    if (stats.status === 200 && JSON.parse(stats.body).materialization_id === id) {
      statsSeconds = (performance.now() - t0) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const { to: copyTo } = await import('pg-copy-streams');
  const client = await pool.connect();
  const t1 = performance.now();
  await new Promise((resolve, reject) => {
    const s = client.query(copyTo(`COPY (${sourceSql}) TO STDOUT`));
    s.on('data', () => undefined);
    s.on('end', resolve);
    s.on('error', reject);
  });
  const rawSeconds = (performance.now() - t1) / 1000;
  client.release();
  await pool.end();
  return { users: n, status: job.status, rowsWritten: job.rows_written, chunks: job.chunks_total, serviceSeconds, statsSeconds, rawSeconds, ratio: serviceSeconds / rawSeconds };
}

main()
  .then(async () => {
    if (opt.materializeUsers > 0) {
      const m = await materialization();
      console.log(`materialization: ${m.rowsWritten} of ${m.users} entities x 10 features online (${m.status}, ${m.chunks} chunks) in ${m.serviceSeconds.toFixed(2)} s, statistics ready at ${m.statsSeconds.toFixed(2)} s; plain COPY of the source ${m.rawSeconds.toFixed(2)} s; ratio ${m.ratio.toFixed(1)}; load average ${loadavg()}`);
      console.log(JSON.stringify({ bench: 'features-materialization', ...m }));
    }
    if (opt.historicalRows <= 0) return;
    const h = await historical();
    console.log(`historical: ${h.rows} rows x 10 features as NDJSON in ${h.serviceSeconds.toFixed(2)} s (${(h.bytes / 1e6).toFixed(1)} MB); plain COPY of the label rows ${h.rawSeconds.toFixed(2)} s; ratio ${h.ratio.toFixed(1)}; load average ${loadavg()}`);
    console.log(JSON.stringify({ bench: 'features-historical', ...h }));
  })
  .finally(() => agent.destroy())
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
