#!/usr/bin/env node
// Benchmark of the trainer: training throughput (rows x epochs / s) of the trainer's own TF.js
// training code at 100,000 and 1,000,000 rows, cpu and wasm backends side by side in the same run
// (cpu is the baseline the ratio is printed against), and training-set fetch throughput (rows/s) of
// the trainer's NDJSON client against a loopback server, next to a bare read-and-JSON.parse baseline.
//
//   node tools/build/build-app.mjs trainer        # the bench loads the compiled trainer modules
//   node tools/bench/training-bench.mjs [--rows 100000,1000000] [--epochs 1] [--algorithm lr,mlp]
//                                       [--fetch-rows 200000] [--feature-store http://127.0.0.1:3002]
//
// With --feature-store it also fetches the demo purchase_propensity training set from a running
// feature store. Bounded: one epoch per size by default; the 1M-row cpu MLP is the slowest cell.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]] : acc), []),
);
const SIZES = (args.rows ?? '100000,1000000').split(',').map(Number);
const EPOCHS = Number(args.epochs ?? 1);
const ALGORITHMS = (args.algorithm ?? 'lr,mlp').split(',');
const FETCH_ROWS = Number(args['fetch-rows'] ?? 200000);

const dist = path.join(root, 'dist/apps/trainer/apps/trainer/src/app');
if (!fs.existsSync(path.join(dist, 'models/layers-model.js'))) {
  console.error('build the trainer first: node tools/build/build-app.mjs trainer');
  process.exit(2);
}
const { trainLayersModel, seededRandom: mulberry32 } = require(path.join(dist, 'models/layers-model.js'));
const { initBackend } = require(path.join(dist, 'models/tfjs-backend.js'));
const { fitPreprocessing, applyToRows } = require(path.join(dist, 'preprocessing/preprocessing.js'));
const { HttpTrainingSetSource } = require(path.join(dist, 'training-runs/training-set-source.js'));


/** Rows shaped like the demo training set: 5 numeric features (one with gaps) and a 3-way plan. */
function syntheticRecords(n, seed = 1) {
  const random = mulberry32(seed);
  const plans = ['free', 'plus', 'pro'];
  const records = new Array(n);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const pv = Math.floor(random() * 40);
    const orders = random() < 0.1 ? null : Math.floor(random() * 5);
    const plan = plans[Math.floor(random() * 3)];
    records[i] = {
      'activity:page_views_7d': pv,
      'activity:product_views_7d': Math.floor(random() * 20),
      'activity:add_to_carts_7d': Math.floor(random() * 6),
      'activity:orders_30d': orders,
      'activity:revenue_30d': random() * 200,
      'profile:plan': plan,
    };
    const z = -2.2 + 0.07 * pv + 0.45 * (orders ?? 2) + (plan === 'pro' ? 1.3 : plan === 'plus' ? 0.6 : 0);
    labels[i] = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { records, labels };
}

const ALGO = {
  lr: { kind: 'logistic_regression', epochs: EPOCHS, batchSize: 256, learningRate: 0.01 },
  mlp: { kind: 'mlp', hiddenUnits: [32, 16], dropout: 0.1, epochs: EPOCHS, batchSize: 256, learningRate: 0.003 },
};

async function trainingThroughput() {
  const rowsOut = [];
  for (const n of SIZES) {
    const { records, labels } = syntheticRecords(n);
    const features = Object.keys(records[0]);
    const p = fitPreprocessing(records, features);
    const x = applyToRows(p, records);
    for (const algo of ALGORITHMS) {
      const cell = { rows: n, algorithm: algo, width: p.outputWidth };
      for (const backend of ['cpu', 'wasm']) {
        const used = await initBackend(backend);
        const t0 = process.hrtime.bigint();
        const result = await trainLayersModel({ task: 'binary_classification', algorithm: ALGO[algo], seed: 1, width: p.outputWidth, x, y: labels });
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        result.model.dispose();
        cell[used] = (n * EPOCHS) / seconds;
        cell[`${used}Seconds`] = seconds;
      }
      rowsOut.push(cell);
      console.log(
        `train ${algo.padEnd(3)} ${String(n).padStart(8)} rows x ${EPOCHS} epoch(s), width ${cell.width}: cpu ${fmt(cell.cpu)} rows*epochs/s (${cell.cpuSeconds.toFixed(1)} s), ` +
          `wasm ${fmt(cell.wasm)} rows*epochs/s (${cell.wasmSeconds.toFixed(1)} s), wasm/cpu ${(cell.wasm / cell.cpu).toFixed(2)}x`,
      );
    }
  }
  return rowsOut;
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');

/** A loopback NDJSON server in the feature store's training-set format (rows then a _metadata line). */
async function ndjsonServer(n) {
  const { records, labels } = syntheticRecords(n, 2);
  const lines = records.map((r, i) => {
    const row = { user_id: `u${i}`, event_timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), label: labels[i] };
    for (const [k, v] of Object.entries(r)) row[k.replace(':', '__')] = v;
    return `${JSON.stringify(row)}\n`;
  });
  const body = Buffer.from(lines.join(''));
  const fingerprint = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const tail = Buffer.from(`${JSON.stringify({ _metadata: { rows: n, fingerprint, created_at: new Date().toISOString() } })}\n`);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // 64 KiB writes, the way a streamed COPY arrives.
      for (let o = 0; o < body.length; o += 65536) res.write(body.subarray(o, o + 65536));
      res.end(tail);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, bytes: body.length, close: () => new Promise((r) => server.close(r)) };
}

async function fetchThroughput() {
  const server = await ndjsonServer(FETCH_ROWS);
  const request = { featureService: 'purchase_propensity', labelSql: 'SELECT 1', start: new Date(0), end: new Date() };
  try {
    // Baseline: read the body and JSON.parse each line, nothing else.
    let t0 = process.hrtime.bigint();
    const res = await fetch(`${server.url}/v1/historical-features`, { method: 'POST', body: '{}' });
    const text = await res.text();
    let parsed = 0;
    for (const line of text.split('\n')) if (line) (JSON.parse(line), parsed++);
    const baseline = (parsed - 1) / (Number(process.hrtime.bigint() - t0) / 1e9);
    t0 = process.hrtime.bigint();
    const set = await new HttpTrainingSetSource(server.url).load(request);
    const ours = set.rows.length / (Number(process.hrtime.bigint() - t0) / 1e9);
    console.log(
      `fetch ${fmt(FETCH_ROWS)} rows (${(server.bytes / 1e6).toFixed(0)} MB NDJSON, loopback): trainer client ${fmt(ours)} rows/s ` +
        `(streamed, fingerprint verified) vs bare read+parse ${fmt(baseline)} rows/s, ratio ${(ours / baseline).toFixed(2)}x`,
    );
  } finally {
    await server.close();
  }
  if (args['feature-store']) {
    const end = new Date();
    const t0 = process.hrtime.bigint();
    const set = await new HttpTrainingSetSource(args['feature-store']).load({
      featureService: 'purchase_propensity',
      labelSql: `SELECT a.user_id, (a.activity_date + 1)::timestamptz AS event_timestamp, 0 AS label FROM dwh.mart_user_activity_daily a`,
      start: new Date(end.getTime() - 90 * 86400000),
      end,
    });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`fetch from the feature store at ${args['feature-store']}: ${fmt(set.rows.length)} rows in ${s.toFixed(2)} s = ${fmt(set.rows.length / s)} rows/s`);
  }
}

console.log(`trainer bench on ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
await fetchThroughput();
await trainingThroughput();
