#!/usr/bin/env node
// Benchmark of model-serving's Open Inference Protocol endpoint.
//
//   node tools/bench/serving-bench.mjs [--concurrency 64] [--duration 5] [--url http://127.0.0.1:3004 --model churn]
//
// Without --url it hosts everything itself, on loopback only: a small registry peer speaking the
// NestJS TCP transport that answers trainer.aliases.v1 / trainer.model-version.v1 with a demo TF.js
// MLP (6 inputs -> 16 relu -> 1 sigmoid, the shape of the platform's demo churn model) and accepts
// dwh-ingest.prediction-log.v1; and the built service (`node tools/build/build-app.mjs model-serving`
// first) against a scratch database on DATABASE_URL's server. In the same run it measures a bare
// Node.js HTTP server answering a constant JSON body of the same size (the limit of the stack on
// this machine) with the same client, and prints the ratio. Then a batch-size sweep in rows/s.
// Bounded in time: about 6 x duration seconds plus startup.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]] : acc), []),
);
const CONCURRENCY = Number(args.concurrency ?? 64);
const DURATION_MS = Number(args.duration ?? 5) * 1000;
const MODEL = args.model ?? 'demo_churn';
const SWEEP = (args.sweep ?? '1,8,32,128,512').split(',').map(Number);
const BATCH_DELAY_MS = args['batch-delay'] ?? '0';

// ---------- load generator (closed loop at concurrency C, or open loop at a fixed rate) ----------

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function requester(url, body) {
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 });
  const payload = Buffer.from(body);
  return () =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve({ ok: res.statusCode === 200, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
        },
      );
      req.on('error', () => resolve({ ok: false, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      req.end(payload);
    });
}

async function closedLoop(url, body, concurrency, durationMs) {
  const send = requester(url, body);
  // Warm up connections and the JIT (both servers get the same) before measuring.
  const warm = performance.now() + Math.min(1000, durationMs / 3);
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < warm) await send(); }));
  const latencies = [];
  let failures = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const r = await send();
        if (r.ok) latencies.push(r.ms);
        else failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), ok: latencies.length, failures };
}

async function openLoop(url, body, rate, durationMs) {
  const send = requester(url, body);
  const latencies = [];
  let failures = 0;
  const pending = [];
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; sent < due; sent++) pending.push(send().then((r) => (r.ok ? latencies.push(r.ms) : failures++)));
    // Sleep between ticks: spinning would take the CPU from the server under test.
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / (durationMs / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), ok: latencies.length, failures };
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

async function demoArtifact() {
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
    name: MODEL,
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
    signature: { inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 6] }], outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1] }] },
    model: { kind: 'tfjs-layers', modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, weightDataBase64: Buffer.from(saved.weightData).toString('base64') },
  };
  const json = canonicalJson(artifact);
  return { model: MODEL, version: 1, aliases: ['champion'], sha256: createHash('sha256').update(json).digest('hex'), artifactJson: json, createdAt: new Date().toISOString() };
}

/** The NestJS TCP transport frames JSON as `<length>#<json>`; requests carry an id, events do not. */
function registryPeer(entry) {
  let logged = 0;
  const answer = (pattern, data) => {
    if (pattern === 'trainer.aliases.v1') return { models: [{ model: MODEL, champion: 1, challenger: null }] };
    if (pattern === 'trainer.model-version.v1') return entry;
    if (pattern === 'dwh-ingest.prediction-log.v1') return (logged += data.records.length), { accepted: data.records.length, duplicates: 0 };
    if (pattern.endsWith('.info.v1')) return { service: 'bench-peer', version: '0', schema: 'none', migrations: [], transport: 'tcp', profile: 'embedded', startedAt: new Date().toISOString(), requestId: 'bench' };
    throw Object.assign(new Error(`bench peer does not answer ${pattern}`), { code: 'NOT_FOUND', status: 404 });
  };
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        const hash = buffer.indexOf('#');
        if (hash < 0) return;
        const length = Number(buffer.slice(0, hash));
        if (buffer.length - hash - 1 < length) return;
        const message = JSON.parse(buffer.slice(hash + 1, hash + 1 + length));
        buffer = buffer.slice(hash + 1 + length);
        if (message.id === undefined) continue;
        let reply;
        try {
          reply = { id: message.id, response: answer(message.pattern, message.data?.data), isDisposed: true };
        } catch (err) {
          reply = { id: message.id, err: { error: err.message, code: err.code ?? 'INTERNAL', status: err.status ?? 500, details: [] }, isDisposed: true };
        }
        const text = JSON.stringify(reply);
        socket.write(`${text.length}#${text}`);
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, logged: () => logged })));
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

async function selfHost() {
  const main = path.join(root, 'dist/apps/model-serving/apps/model-serving/src/main.js');
  if (!fs.existsSync(main)) throw new Error('build first: node tools/build/build-app.mjs model-serving');
  const { Client } = require('pg');
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `mlp_serving_bench_${process.pid}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = new URL(server);
  dbUrl.pathname = `/${dbName}`;
  const peer = await registryPeer(await demoArtifact());
  const [port, tcpPort] = [await freePort(), await freePort()];
  const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'serving-bench-'));
  // --profile <dir> writes a V8 CPU profile of the service (not of this load generator).
  const nodeArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, main], {
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
    peer.server.close();
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
  return { url, peer, close };
}

// ---------- the run ----------

const inferBody = (rows) =>
  JSON.stringify({
    inputs: [{ name: 'features', datatype: 'FP32', shape: [rows, 6], data: Array.from({ length: rows * 6 }, (_, i) => Math.round(Math.sin(i) * 1000) / 1000) }],
  });

const fmt = (r) => `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  (${r.ok} ok, ${r.failures} failed)`;

const hosted = args.url ? undefined : await selfHost();
const base = args.url ?? hosted.url;
const inferUrl = `${base}/v2/models/${MODEL}/infer`;
try {
  const probe = await fetch(inferUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: inferBody(1) });
  const constant = await probe.text();
  if (!probe.ok) throw new Error(`infer answered ${probe.status}: ${constant}`);

  const bare = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(constant) }).end(constant));
  });
  await new Promise((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${bare.address().port}/`;

  console.log(`model-serving bench: model ${MODEL}, concurrency ${CONCURRENCY}, ${DURATION_MS / 1000} s per phase, node ${process.version}, ${os.cpus().length} cpus`);
  // A discarded round on each server first: JIT, TF.js kernels and connection pools warm up.
  await closedLoop(inferUrl, inferBody(1), CONCURRENCY, Math.min(DURATION_MS, 3000));
  await closedLoop(bareUrl, inferBody(1), CONCURRENCY, Math.min(DURATION_MS, 1000));
  const baseline = await closedLoop(bareUrl, inferBody(1), CONCURRENCY, DURATION_MS);
  console.log(`bare node http (constant JSON) ${fmt(baseline)}`);
  const v2 = await closedLoop(inferUrl, inferBody(1), CONCURRENCY, DURATION_MS);
  console.log(`V2 infer, 1 row               ${fmt(v2)}`);
  console.log(`ratio V2 / bare               ${(v2.rps / baseline.rps).toFixed(2)}`);
  const half = await openLoop(inferUrl, inferBody(1), v2.rps / 2, DURATION_MS);
  console.log(`V2 infer at half max (${(v2.rps / 2).toFixed(0)} req/s offered) ${fmt(half)}`);
  console.log('batch-size sweep (rows per request, concurrency ' + Math.max(1, CONCURRENCY / 4) + '):');
  for (const rows of SWEEP) {
    const r = await closedLoop(inferUrl, inferBody(rows), Math.max(1, CONCURRENCY / 4), Math.min(DURATION_MS, 3000));
    console.log(`  ${String(rows).padStart(4)} rows  ${(r.rps * rows).toFixed(0).padStart(8)} rows/s  ${fmt(r)}`);
  }
  bare.close();
} finally {
  await hosted?.close();
}
