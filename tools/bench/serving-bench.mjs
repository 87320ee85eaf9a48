#!/usr/bin/env node
// Benchmark of model-serving's Open Inference Protocol endpoint.
//
//   node tools/bench/serving-bench.mjs [--concurrency 64] [--duration 5] [--model-file tools/bench/models/purchase-propensity.json | --synthetic]
//                                      [--client wrk|node] [--sweep 1,8,32] [--batch-delay 1] [--profile /tmp/prof [--profile-interval 1000]]
//                                      [--rounds 5] [--compare /tmp/other-build/dist/apps/model-serving/apps/model-serving/src/main.js] [--pin]
//                                      [--node-flags="--max-semi-space-size=16"] [--compare-node-flags="..."]
//
// The model is the real thing by default: the demo's champion as the trainer registered it (27 raw
// features, numeric and categorical, through its recorded preprocessing and a TF.js MLP), exported
// with real held-out rows and the trainer's own score of each (`--model-file`, made by
// tools/bench/export-model.mjs from a running platform). Requests carry those rows' raw values, and
// before measuring every row's answer is checked against the trainer's score. `--synthetic` takes
// a small generated TF.js MLP over three raw features instead (a second case: the floor of the path).
//
// It hosts everything itself, on loopback only: a small registry peer speaking the NestJS TCP
// transport that answers trainer.aliases.v1 / trainer.model-version.v1 with the model and accepts
// dwh-ingest.prediction-log.v2 (counting the records, so the run can show every answered prediction
// was logged); and the built service (`node tools/build/build-app.mjs model-serving` first) against
// a scratch database on DATABASE_URL's server. In the same run it measures a bare
// Node.js HTTP server answering a constant JSON body of the same size (the limit of the stack on
// this machine) with the same client, and prints the ratio. Then a paced run at half the measured
// rate (p99 there is the SLA figure; the bare server at the same pace is its floor) and a batch-size sweep in rows/s. The client is wrk when
// installed, else a lean Node client; the first line says which.
// --rounds N alternates the bare server and the service N times and quotes the round with the median
// ratio (each round's two sides share the same minute of a machine whose speed drifts). --compare
// hosts a second build of the service as well (same peer, its own scratch database) and alternates it
// in the same rounds: an A/B of two builds by ratio to the bare server and CPU per request.
// Bounded in time: about (6 + 2 x rounds) x duration seconds plus startup.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startRegistryPeer } from '../e2e/registry-peer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (!a.startsWith('--')) return acc;
    // --key=value (the value may start with dashes, as Node flags do), --key value, or --key alone.
    const eq = a.indexOf('=');
    if (eq > 0) return [...acc, [a.slice(2, eq), a.slice(eq + 1)]];
    return [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]];
  }, []),
);
const CONCURRENCY = Number(args.concurrency ?? 64);
const DURATION_MS = Number(args.duration ?? 5) * 1000;
const SYNTHETIC = args.synthetic === 'true';
const MODEL_FILE = path.resolve(root, args['model-file'] ?? 'tools/bench/models/purchase-propensity.json');
const SWEEP = (args.sweep ?? '1,8,32,128,512').split(',').map(Number);
const BATCH_DELAY_MS = args['batch-delay'] ?? '0';
// --pin: the self-hosted service(s) on CPU 1, wrk and this process (the bare server, the peer) on
// CPU 0 (taskset). Every answer then wakes the other core, which is dearer than sharing one, so the
// ratio to the bare server does not compare with unpinned runs; what it buys is an A/B (--compare)
// whose two builds run on a core of their own, far less disturbed by the client and the peer.
const PIN = args.pin === 'true';
const pinned = (cpu, command, argv) => (PIN ? ['taskset', ['-c', cpu, command, ...argv]] : [command, argv]);
if (PIN) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

// ---------- load generators ----------
// The client shares the 2 cores with the server under test, so it must be cheap: `wrk` (C, epoll)
// when installed (`apt-get install -y wrk`; POST bodies through a Lua script), else a Node client
// writing pre-encoded requests on raw keep-alive sockets. `--client node` forces the latter. The
// bare-server baseline always runs with the same client as the service.

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const wrkInstalled = () => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
const CLIENT = args.client ?? (wrkInstalled() ? 'wrk' : 'node');
if (!['wrk', 'node'].includes(CLIENT)) throw new Error('--client must be wrk or node');

const WRK_SCRIPT = `
local file = os.getenv("BENCH_BODY_FILE")
if file ~= "" then
  local f = assert(io.open(file, "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "0")
if pace > 0 then
  -- wrk takes whole milliseconds: round at random so that the mean wait is exactly pace
  local whole = math.floor(pace)
  local frac = pace - whole
  function delay() if math.random() < frac then return whole + 1 end return whole end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT %d %d %d %d %f %f %f\\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99), latency.mean))
end
`;
let wrkDir;

/** One wrk run; `paceMs` > 0 makes each connection wait that long between requests (a paced, near-open loop). */
function wrkRun(url, body, connections, durationMs, paceMs = 0) {
  wrkDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'serving-bench-wrk-'));
  const script = path.join(wrkDir, 'post.lua');
  if (!fs.existsSync(script)) fs.writeFileSync(script, WRK_SCRIPT);
  // A null body means GET.
  const bodyFile = body === null ? '' : path.join(wrkDir, `body-${createHash('sha1').update(body).digest('hex')}.json`);
  if (bodyFile && !fs.existsSync(bodyFile)) fs.writeFileSync(bodyFile, body);
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  return new Promise((resolve, reject) => {
    const child = spawn(...pinned('0', 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url]), {
      env: { ...process.env, BENCH_BODY_FILE: bodyFile, BENCH_PACE_MS: String(paceMs) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', () => {
      const m = /WRK_RESULT (\d+) (\d+) (\d+) (\d+) (\S+) (\S+) (\S+)/.exec(out);
      if (!m) return reject(new Error(`wrk printed no result:\n${out}`));
      const [requests, micros, status, socket, p50, p99, mean] = m.slice(1).map(Number);
      const ok = requests - status;
      resolve({ rps: ok / (micros / 1e6), p50: p50 / 1000, p99: p99 / 1000, mean: mean / 1000, ok, failures: status + socket });
    });
  });
}

/**
 * A minimal HTTP/1.1 keep-alive client: each connection writes the same pre-encoded request and reads
 * one response (status line + Content-Length body) before the next. No per-request allocation of
 * headers objects or agents, so most of the CPU is left to the server under test.
 */
function rawConnection(url, body) {
  const u = new URL(url);
  const payload = Buffer.from(body ?? '');
  const request =
    body === null
      ? Buffer.from(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: keep-alive\r\n\r\n`)
      : Buffer.concat([
          Buffer.from(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\nConnection: keep-alive\r\n\r\n`),
          payload,
        ]);
  const socket = net.connect({ host: u.hostname, port: Number(u.port), noDelay: true });
  let buf = Buffer.alloc(0);
  let waiting;
  const fail = () => {
    const w = waiting;
    waiting = undefined;
    w?.({ ok: false, ms: Number(process.hrtime.bigint() - w.started) / 1e6 });
  };
  socket.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    const head = buf.indexOf('\r\n\r\n');
    if (head < 0 || !waiting) return;
    const headers = buf.toString('latin1', 0, head);
    const len = /\r\ncontent-length: *(\d+)/i.exec(headers);
    if (!len) return fail();
    const total = head + 4 + Number(len[1]);
    if (buf.length < total) return;
    const status = Number(headers.slice(9, 12));
    buf = buf.subarray(total);
    const w = waiting;
    waiting = undefined;
    w({ ok: status === 200, ms: Number(process.hrtime.bigint() - w.started) / 1e6 });
  });
  socket.on('error', fail);
  socket.on('close', fail);
  const connected = new Promise((resolve) => socket.once('connect', resolve));
  return {
    connected,
    send: () =>
      new Promise((resolve) => {
        waiting = Object.assign(resolve, { started: process.hrtime.bigint() });
        socket.write(request);
      }),
    close: () => socket.destroy(),
  };
}

async function nodeRun(url, body, connections, durationMs, paceMs = 0) {
  const conns = Array.from({ length: connections }, () => rawConnection(url, body));
  await Promise.all(conns.map((c) => c.connected));
  const latencies = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < deadline) {
        const r = await c.send();
        if (r.ok) latencies.push(r.ms);
        else failures++;
        if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const c of conns) c.close();
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), mean, ok: latencies.length, failures };
}

const run = (url, body, connections, durationMs, paceMs = 0) => (CLIENT === 'wrk' ? wrkRun : nodeRun)(url, body, connections, durationMs, paceMs);

/** Closed loop: C connections, each sending its next request as soon as the answer arrived. */
const closedLoop = (url, body, concurrency, durationMs) => run(url, body, concurrency, durationMs);

/**
 * Paced loop at about `rate` req/s: each of C connections waits between an answer and its next
 * request, so while answers are fast the offered load is set by the clock, not by the server (a
 * near-open loop). The wait is C / rate minus the median latency of a 1 s calibration run at that
 * rate (the median, not the mean: one stall on a shared machine would otherwise shorten every wait).
 */
async function pacedLoop(url, body, rate, concurrency, durationMs) {
  const cycleMs = (concurrency / rate) * 1000;
  const calibration = await run(url, body, concurrency, 1000, cycleMs);
  return run(url, body, concurrency, durationMs, Math.max(0, cycleMs - calibration.p50));
}

// ---------- self-hosting: a registry peer on the NestJS TCP transport, and the built service ----------

function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The model under test as `{ entry, rows }`: the registry entry the peer answers with, and raw rows
 * with the trainer's score of each (`score` is null for the synthetic model, which no trainer scored).
 */
async function benchModel() {
  if (!SYNTHETIC) {
    const exported = JSON.parse(fs.readFileSync(MODEL_FILE, 'utf8'));
    return { entry: { ...exported.entry, aliases: ['champion'] }, rows: exported.rows };
  }
  const tf = require('@tensorflow/tfjs');
  const warn = console.warn;
  console.warn = () => undefined; // tfjs greets Node users on stderr
  await tf.setBackend('cpu');
  console.warn = warn;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 7 }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotNormal({ seed: 8 }) }),
    ],
  });
  let saved;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const artifact = {
    format: 'mlp-model/v1',
    name: 'synthetic',
    version: 1,
    task: 'binary_classification',
    algorithm: 'mlp',
    features: ['user_activity:orders_7d', 'user_activity:revenue_7d', 'user_profile:plan'],
    preprocessing: {
      outputWidth: 6,
      features: [
        { kind: 'numeric', name: 'user_activity:orders_7d', mean: 2, std: 1.5, fill: 1, missingIndicator: true, clip: [0, 50] },
        { kind: 'numeric', name: 'user_activity:revenue_7d', mean: 3, std: 1, fill: 0, missingIndicator: false, log1p: true },
        { kind: 'categorical', name: 'user_profile:plan', categories: ['free', 'plus', 'pro'], oov: false },
      ],
    },
    signature: {
      inputs: [
        { name: 'user_activity:orders_7d', datatype: 'INT64', shape: [-1] },
        { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [-1] },
        { name: 'user_profile:plan', datatype: 'BYTES', shape: [-1] },
      ],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }],
    },
    model: { kind: 'tfjs-layers', modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, weightDataBase64: Buffer.from(saved.weightData).toString('base64') },
  };
  const json = canonicalJson(artifact);
  const plans = ['free', 'plus', 'pro', null];
  const rows = Array.from({ length: 512 }, (_, i) => ({
    features: { 'user_activity:orders_7d': i % 13 === 0 ? null : i % 9, 'user_activity:revenue_7d': Math.round(Math.abs(Math.sin(i)) * 40000) / 100, 'user_profile:plan': plans[i % 4] },
    score: null,
  }));
  return { entry: { model: 'synthetic', version: 1, aliases: ['champion'], sha256: createHash('sha256').update(json).digest('hex'), artifactJson: json, createdAt: new Date().toISOString() }, rows };
}

/** The stand-in trainer of the end-to-end tests, also counting the prediction log records it receives as dwh-ingest. */
async function registryPeer(entry) {
  let logged = 0;
  const more = (pattern, data) => {
    // v2 (records as JSON lines) is what model-serving sends; v1 as well, for --compare with older builds.
    if (pattern === 'dwh-ingest.prediction-log.v2') return (logged += data.lines.length), { accepted: data.lines.length, duplicates: 0 };
    if (pattern === 'dwh-ingest.prediction-log.v1') return (logged += data.records.length), { accepted: data.records.length, duplicates: 0 };
    return undefined;
  };
  const peer = await startRegistryPeer(entry, { more });
  return { ...peer, logged: () => logged };
}

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function waitReady(url, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v2/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready`);
}

async function selfHost(main = path.join(root, 'dist/apps/model-serving/apps/model-serving/src/main.js'), shared = {}) {
  if (!fs.existsSync(main)) throw new Error(`build first: node tools/build/build-app.mjs model-serving (${main} is missing)`);
  const { Client } = require('pg');
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `mlp_serving_bench_${process.pid}${shared.suffix ?? ''}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = new URL(server);
  dbUrl.pathname = `/${dbName}`;
  const peer = shared.peer ?? (await registryPeer(bench.entry));
  const [port, tcpPort] = [await freePort(), await freePort()];
  const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'serving-bench-'));
  // --profile <dir> writes a V8 CPU profile of the service (not of this load generator).
  const nodeArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`, `--cpu-prof-interval=${Number(args['profile-interval'] ?? 1000)}`] : [];
  // --node-flags / --compare-node-flags "<flags>": Node.js or V8 flags for the service / the compared one (an A/B of runtime settings).
  const flags = shared.flags ?? args['node-flags'];
  if (flags) nodeArgs.push(...flags.split(' ').filter(Boolean));
  const child = spawn(...pinned('1', process.execPath, [...nodeArgs, main]), {
    env: {
      ...process.env,
      NATS_URL: '',
      DATABASE_URL: dbUrl.toString(),
      PORT: String(port),
      TCP_PORT: String(tcpPort),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PEERS: `trainer=127.0.0.1:${peer.port},feature-store=127.0.0.1:${peer.port},dwh-ingest=127.0.0.1:${peer.port}`,
      PREDICTION_LOG_SPILL_DIR: spill,
      DEFAULT_MAX_BATCH_DELAY_MS: BATCH_DELAY_MS,
    },
    stdio: ['ignore', args.verbose ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((r) => child.once('exit', r));
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    if (!shared.peer) await peer.close();
    fs.rmSync(spill, { recursive: true, force: true });
    const c = new Client({ connectionString: server });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  };
  try {
    await waitReady(url);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, peer, close, pid: child.pid };
}

// ---------- the run ----------

const bench = await benchModel();
const MODEL = bench.entry.model;
const served = JSON.parse(bench.entry.artifactJson);
const inputSpecs = served.signature.inputs;
/** A V2 body of `rows` raw rows, starting at row `from` of the model's rows (cycled), in the declared datatypes. */
const inferBodyOf = (rows, from = 0) => {
  const picked = Array.from({ length: rows }, (_, i) => bench.rows[(from + i) % bench.rows.length]);
  return JSON.stringify({ inputs: inputSpecs.map((s) => ({ name: s.name, datatype: s.datatype, shape: [rows], data: picked.map((r) => r.features[s.name] ?? null) })) });
};
const inferBody = (rows) => inferBodyOf(rows);

/** Every row through the service in requests of 64: each answer must be the trainer's score (float32 tolerance). */
async function checkAnswers(url) {
  let checked = 0;
  let worst = 0;
  for (let from = 0; from < bench.rows.length; from += 64) {
    const n = Math.min(64, bench.rows.length - from);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: inferBodyOf(n, from) });
    const json = await res.json();
    if (!res.ok) throw new Error(`infer answered ${res.status}: ${JSON.stringify(json)}`);
    json.outputs[0].data.forEach((got, i) => {
      const want = bench.rows[from + i].score;
      if (typeof got !== 'number' || !Number.isFinite(got)) throw new Error(`row ${from + i}: answered ${got}`);
      if (want === null) return;
      const err = Math.abs(got - want) / Math.max(1, Math.abs(want));
      if (err > 1e-5) throw new Error(`row ${from + i}: answered ${got}, the trainer scored ${want}`);
      worst = Math.max(worst, err);
      checked++;
    });
  }
  return { checked, worst };
}

const fmt = (r) =>
  `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.ok} ok, ${r.failures} failed)` +
  (r.cpuUs !== undefined ? `  cpu ${r.cpuUs.toFixed(0)} us/req (kernel ${r.sysUs.toFixed(0)})` : '');

// CPU time per answered request, of the server process only: unlike req/s it hardly depends on what
// else runs on the machine, so it is the figure to compare between runs and against the bare server
// (1e6 / cpu us/req is what one dedicated core would serve). The self-hosted service is read from
// /proc/<pid>/stat; the bare server lives in this process, so only with wrk (a separate process) does
// this process's CPU time belong to the bare server alone.
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
function cpuMicros(pid) {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return { user: u.user, system: u.system };
  }
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { user: (Number(fields[11]) * 1e6) / CLK_TCK, system: (Number(fields[12]) * 1e6) / CLK_TCK }; // utime, stime
  } catch {
    return { user: NaN, system: NaN };
  }
}
/** Runs a phase and adds the server's CPU time per answered request: in all, and its kernel (system) part. */
async function withCpu(pid, phase) {
  const before = cpuMicros(pid);
  const r = await phase();
  const after = cpuMicros(pid);
  const user = after.user - before.user;
  const system = after.system - before.system;
  return Number.isFinite(user + system) && r.ok > 0 ? { ...r, cpuUs: (user + system) / r.ok, sysUs: system / r.ok } : r;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const hosted = args.url ? undefined : await selfHost();
// --compare <main.js of another build>: a second service on its own scratch database, same peer,
// measured in the same rounds (an A/B of two builds, alternated so that both see the same machine).
const compared = args.compare && hosted ? await selfHost(path.resolve(args.compare), { peer: hosted.peer, suffix: '_b', flags: args['compare-node-flags'] }).catch(async (err) => {
        await hosted.close();
        throw err;
      }) : undefined;
const base = args.url ?? hosted.url;
const inferUrl = `${base}/v2/models/${MODEL}/infer`;
try {
  const probe = await fetch(inferUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: inferBody(1) });
  const constant = await probe.text();
  if (!probe.ok) throw new Error(`infer answered ${probe.status}: ${constant}`);
  const answers = await checkAnswers(inferUrl);

  const bare = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(constant) }).end(constant));
  });
  await new Promise((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${bare.address().port}/`;

  console.log(
    `model: ${MODEL} v${bench.entry.version} (${served.algorithm}, ${inputSpecs.length} raw inputs: ${[...new Set(inputSpecs.map((s) => s.datatype))].join('/')}; ` +
      (SYNTHETIC ? 'synthetic, no trainer scores)' : `${answers.checked} held-out rows answered as the trainer scored them, largest relative difference ${answers.worst.toExponential(1)})`),
  );
  console.log(`model-serving bench: model ${MODEL}, concurrency ${CONCURRENCY}, ${DURATION_MS / 1000} s per phase, client ${CLIENT === 'wrk' ? 'wrk (-t1, Lua POST)' : 'node (raw keep-alive sockets)'}, node ${process.version}, ${os.cpus().length} cpus`);
  console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  // A discarded round on each server first: JIT, TF.js kernels and connection pools warm up.
  await closedLoop(inferUrl, inferBody(1), CONCURRENCY, Math.min(DURATION_MS, 3000));
  await closedLoop(bareUrl, inferBody(1), CONCURRENCY, Math.min(DURATION_MS, 1000));
  const servicePid = hosted?.pid;
  const bareCpu = CLIENT === 'wrk' ? (phase) => withCpu(undefined, phase) : (phase) => phase();
  const serviceCpu = servicePid === undefined ? (phase) => phase() : (phase) => withCpu(servicePid, phase);
  // --rounds N: the bare server and the service alternate N times (the machine's speed drifts by
  // tens of percent within minutes; alternating keeps each ratio's two sides in the same minute).
  const ROUNDS = Math.max(1, Number(args.rounds ?? 1));
  const comparedUrl = compared && `${compared.url}/v2/models/${MODEL}/infer`;
  if (comparedUrl) await closedLoop(comparedUrl, inferBody(1), CONCURRENCY, Math.min(DURATION_MS, 3000));
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    const b = await bareCpu(() => closedLoop(bareUrl, inferBody(1), CONCURRENCY, DURATION_MS));
    const v = await serviceCpu(() => closedLoop(inferUrl, inferBody(1), CONCURRENCY, DURATION_MS));
    const c = comparedUrl ? await withCpu(compared.pid, () => closedLoop(comparedUrl, inferBody(1), CONCURRENCY, DURATION_MS)) : undefined;
    rounds.push({ b, v, c });
    if (ROUNDS > 1) {
      console.log(
        `round ${i + 1}: bare ${b.rps.toFixed(0)} req/s, V2 ${v.rps.toFixed(0)} req/s (ratio ${(v.rps / b.rps).toFixed(2)}, cpu ${v.cpuUs?.toFixed(0)} us/req, kernel ${v.sysUs?.toFixed(0)})` +
          (c ? `, compared build ${c.rps.toFixed(0)} req/s (ratio ${(c.rps / b.rps).toFixed(2)}, cpu ${c.cpuUs?.toFixed(0)} us/req, kernel ${c.sysUs?.toFixed(0)})` : ''),
      );
    }
  }
  // The round with the median ratio stands for the run; with one round it is that round.
  const ratios = rounds.map((r) => r.v.rps / r.b.rps);
  const { b: baseline, v: v2 } = rounds[ratios.indexOf(median(ratios))];
  console.log(`bare node http (constant JSON) ${fmt(baseline)}`);
  console.log(`V2 infer, 1 row               ${fmt(v2)}`);
  console.log(`ratio V2 / bare               ${(v2.rps / baseline.rps).toFixed(2)}${ROUNDS > 1 ? ` (median of ${ROUNDS} alternated rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')})` : ''}`);
  if (compared) {
    const cRatios = rounds.map((r) => r.c.rps / r.b.rps);
    const cpu = (k) => median(rounds.map((r) => r[k].cpuUs));
    console.log(
      `compared build (${args.compare}): ratio to bare ${median(cRatios).toFixed(2)} (rounds ${cRatios.map((x) => x.toFixed(2)).join(', ')}; this build ${median(ratios).toFixed(2)}); ` +
        `median cpu per request: this build ${cpu('v').toFixed(1)} us, compared build ${cpu('c').toFixed(1)} us`,
    );
    // The latency SLA of both builds at one pace (half the slower build's median rate), alternated.
    const pace = Math.min(median(rounds.map((r) => r.v.rps)), median(rounds.map((r) => r.c.rps))) / 2;
    const p99s = { v: [], c: [] };
    for (let i = 0; i < ROUNDS; i++) {
      p99s.v.push((await pacedLoop(inferUrl, inferBody(1), pace, CONCURRENCY, DURATION_MS)).p99);
      p99s.c.push((await pacedLoop(comparedUrl, inferBody(1), pace, CONCURRENCY, DURATION_MS)).p99);
    }
    const list = (xs) => xs.map((x) => x.toFixed(2)).join(', ');
    console.log(`p99 at ${pace.toFixed(0)} req/s offered (paced): this build ${median(p99s.v).toFixed(2)} ms (${list(p99s.v)}), compared build ${median(p99s.c).toFixed(2)} ms (${list(p99s.c)})`);
  }
  if (v2.cpuUs && baseline.cpuUs) {
    console.log(
      `by CPU per request: V2 ${v2.cpuUs.toFixed(0)} us, bare ${baseline.cpuUs.toFixed(0)} us -> ratio ${(baseline.cpuUs / v2.cpuUs).toFixed(2)}, ` +
        `one dedicated core would serve ~${(1e6 / v2.cpuUs).toFixed(0)} V2 req/s (an estimate: the client and scheduling are not in it)`,
    );
  }
  // With --compare the run is an A/B of the infer path: the remaining phases are for one build.
  if (!compared) {
    // The floor of any JSON service over this body: a bare server that also parses it (the service
    // cannot answer without reading its inputs; the constant server above does not read them).
    const parsing = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(constant) }).end(constant);
      });
    });
    await new Promise((r) => parsing.listen(0, '127.0.0.1', r));
    const parsed = await bareCpu(() => closedLoop(`http://127.0.0.1:${parsing.address().port}/`, inferBody(1), CONCURRENCY, DURATION_MS));
    parsing.close();
    console.log(`bare node http + JSON.parse    ${fmt(parsed)}  (V2 / this ${(v2.rps / parsed.rps).toFixed(2)})`);
    const half = await serviceCpu(() => pacedLoop(inferUrl, inferBody(1), v2.rps / 2, CONCURRENCY, DURATION_MS));
    console.log(`V2 infer at half max (${(v2.rps / 2).toFixed(0)} req/s offered, paced) ${fmt(half)}`);
    // The same pace against the bare server: the latency floor of this client and machine at that rate.
    const bareHalf = await bareCpu(() => pacedLoop(bareUrl, inferBody(1), v2.rps / 2, CONCURRENCY, DURATION_MS));
    console.log(`bare node http at the same pace                    ${fmt(bareHalf)}`);
    console.log('batch-size sweep (rows per request, concurrency ' + Math.max(1, CONCURRENCY / 4) + '):');
    for (const rows of SWEEP) {
      const r = await serviceCpu(() => closedLoop(inferUrl, inferBody(rows), Math.max(1, CONCURRENCY / 4), Math.min(DURATION_MS, 3000)));
      console.log(`  ${String(rows).padStart(4)} rows  ${(r.rps * rows).toFixed(0).padStart(8)} rows/s  ${fmt(r)}`);
    }
    // The service's own stack without inference (Fastify + Nest + the kit's hooks): where the ceiling
    // is. Last, because its garbage (it promotes tens of MB a second) would bring a full GC into the
    // phases after it, the paced p99 above all.
    const live = await serviceCpu(() => closedLoop(`${base}/v2/health/live`, null, CONCURRENCY, DURATION_MS));
    console.log(`service GET /v2/health/live   ${fmt(live)}  (the stack without inference; V2 / this ${(v2.rps / live.rps).toFixed(2)})`);
  }
  if (hosted) {
    // Every answered prediction reaches the warehouse peer: wait for the log to drain, then compare.
    const status = async () => (await fetch(`${base}/v1/prediction-log`)).json();
    const deadline = Date.now() + 30_000;
    let log = await status();
    while ((log.inMemory > 0 || log.onDisk > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      log = await status();
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const successes = [...metrics.matchAll(/^model_infer_request_success_total\{[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    console.log(`prediction log: ${hosted.peer.logged()} records received by the warehouse peer; service: ${log.sent} sent, ${log.rejected} rejected, ${log.refused ?? 0} refused, ${log.inMemory + log.onDisk} waiting; ${successes} successful infer requests counted`);
  }
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  bare.close();
} finally {
  await compared?.close();
  await hosted?.close();
  if (wrkDir) fs.rmSync(wrkDir, { recursive: true, force: true });
}
