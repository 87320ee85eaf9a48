#!/usr/bin/env node
// Quality benchmark of the model kinds (#20): trains every kind through the model
// runtime (the code the trainer runs: the same preprocessing fit on the training part, the same
// kinds) on a fixed seeded random split of each reference data set, and prints the test AUC / RMSE
// next to an independent reference learner on the same split: a plain-JS logistic regression by
// Newton/IRLS (binary; one-vs-rest for multiclass) or least squares by the normal equations
// (regression), written here. Targets: binary AUC within 0.01 of the reference logistic regression;
// multiclass accuracy within 0.02 of it; the tree ensemble at least as good as the best linear
// model on data with interactions. Also measures the forest's artifact
// size, load time and scoring latency (what model-serving pays).
//
//   node tools/bench/quality-bench.mjs [--data dist/quality-data] [--rows 2000] [--trees 100]
//                                      [--sets interaction_binary,...] [--kinds random_forest,...]
//
// Data: CSVs written by tools/bench/write-quality-datasets.mjs (written first when missing).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DATASETS, seededRandom, writeDatasets } from './write-quality-datasets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
require(path.join(root, 'tools/ts-hook/register.cjs'));
const tf = require('@tensorflow/tfjs');
const runtime = require('@mlp/model-runtime');

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const dataDir = path.resolve(root, opt('data', 'dist/quality-data'));
const ROWS = Number(opt('rows', 2000));
const TREES = Number(opt('trees', 100));
const SETS = opt('sets', Object.keys(DATASETS).join(',')).split(',');
const KINDS = opt('kinds', '')
  .split(',')
  .filter(Boolean);
const SPLIT_SEED = 20;
const TEST_FRACTION = 0.25;

// ---------- metrics ----------
function auc(labels, scores) {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] === 1) (rankSum += rank), positives++;
    i = j + 1;
  }
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
/** The share of rows whose most probable class (of `k` outputs per row) is the label. */
function accuracy(labels, probabilities, k) {
  let right = 0;
  labels.forEach((y, r) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[r * k + c] > probabilities[r * k + best]) best = c;
    if (best === y) right++;
  });
  return right / labels.length;
}
const rmse = (labels, predictions) => Math.sqrt(labels.reduce((s, y, i) => s + (predictions[i] - y) ** 2, 0) / labels.length);

// ---------- reference learners (independent of the runtime) ----------
/** Solves A x = b by Gaussian elimination with partial pivoting (A is small and dense). */
function solve(A, b) {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (M[r][n] - M[r].slice(r + 1, n).reduce((s, v, k) => s + v * x[r + 1 + k], 0)) / M[r][r];
  return x;
}
const withIntercept = (X) => X.map((row) => [1, ...row]);
/** Logistic regression by Newton/IRLS (a ridge for numerical safety, 1e-6 by default), 25 iterations. */
function irls(X, y, ridge = 1e-6) {
  const Z = withIntercept(X);
  const d = Z[0].length;
  let w = new Array(d).fill(0);
  for (let it = 0; it < 25; it++) {
    const H = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? ridge : 0)));
    const g = new Array(d).fill(0);
    Z.forEach((z, r) => {
      const p = 1 / (1 + Math.exp(-z.reduce((s, v, k) => s + v * w[k], 0)));
      for (let i = 0; i < d; i++) {
        g[i] += (y[r] - p) * z[i];
        for (let j = 0; j < d; j++) H[i][j] += p * (1 - p) * z[i] * z[j];
      }
    });
    w = w.map((v, i) => v + solve(H, g)[i]);
  }
  return (row) => 1 / (1 + Math.exp(-[1, ...row].reduce((s, v, k) => s + v * w[k], 0)));
}
/**
 * Multiclass by one-vs-rest IRLS: one logistic regression per class, the row's class the one whose
 * model is surest. A small ridge (1e-2) keeps a separable class (iris setosa) finite.
 */
function oneVsRest(X, y, k) {
  const models = Array.from({ length: k }, (_, c) => irls(X, y.map((v) => (v === c ? 1 : 0)), 1e-2));
  return (row) => models.map((m) => m(row));
}
/** Ordinary least squares by the normal equations. */
function ols(X, y) {
  const Z = withIntercept(X);
  const d = Z[0].length;
  const A = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => Z.reduce((s, z) => s + z[i] * z[j], 0)));
  const b = Array.from({ length: d }, (_, i) => Z.reduce((s, z, r) => s + z[i] * y[r], 0));
  const w = solve(A, b);
  return (row) => [1, ...row].reduce((s, v, k) => s + v * w[k], 0);
}

// ---------- data ----------
function readCsv(file) {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const columns = header.split(',');
  return { columns, rows: lines.map((l) => l.split(',').map(Number)) };
}
/** A fixed seeded random split (stratified for classes), the same for every kind and the reference. */
function split(rows, classified, testFraction) {
  const random = seededRandom(SPLIT_SEED);
  const groups = classified ? [...new Set(rows.map((r) => r.at(-1)))].sort((a, b) => a - b).map((c) => rows.filter((r) => r.at(-1) === c)) : [rows];
  const train = [];
  const test = [];
  for (const g of groups) {
    const shuffled = [...g];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const cut = Math.round(shuffled.length * testFraction);
    test.push(...shuffled.slice(0, cut));
    train.push(...shuffled.slice(cut));
  }
  return { train, test };
}

/** The kinds as a spec would configure them, and a rule per data set (its true structure, written by hand). */
const ALGORITHMS = (task, name) => [
  { kind: 'baseline' },
  // A small table (iris: 75 training rows) needs more, smaller steps to converge.
  task === 'multiclass_classification'
    ? { kind: 'logistic_regression', epochs: 300, batchSize: 16, learningRate: 0.05 }
    : { kind: 'logistic_regression', epochs: 60, batchSize: 64, learningRate: 0.05 },
  task === 'multiclass_classification'
    ? { kind: 'mlp', hiddenUnits: [16], dropout: 0, epochs: 300, batchSize: 16, learningRate: 0.01 }
    : { kind: 'mlp', hiddenUnits: [16], dropout: 0, epochs: 60, batchSize: 64, learningRate: 0.01 },
  { kind: 'random_forest', nEstimators: TREES },
  {
    kind: 'rule',
    expression: {
      linear_binary: '1.2 * x1 - 0.8 * x2 + 0.5 * x3 + 0.3 * x4 > 0.3',
      interaction_binary: 'x1 * x2 > 0 ? 0.9 : 0.1',
      linear_regression: '3 + 2 * x1 - 1.5 * x2 + 0.7 * x3',
      interaction_regression: '2 * x1 * x2 + 0.5 * x3',
    }[name],
  },
];

async function main() {
  await tf.setBackend('cpu');
  const files = Object.keys(DATASETS).map((n) => path.join(dataDir, `${n}.csv`));
  if (!files.every((f) => fs.existsSync(f))) writeDatasets(dataDir, ROWS);
  const table = [];
  const checks = [];
  const perf = [];
  for (const name of SETS) {
    const { task, testFraction = TEST_FRACTION } = DATASETS[name];
    const binary = task === 'binary_classification';
    const multiclass = task === 'multiclass_classification';
    const { columns, rows } = readCsv(path.join(dataDir, `${name}.csv`));
    const features = columns.slice(0, -1).map((c) => `data:${c}`);
    const { train, test } = split(rows, task !== 'regression', testFraction);
    const records = (part) => part.map((r) => Object.fromEntries(features.map((f, i) => [f, r[i]])));
    const [yTrain, yTest] = [train, test].map((part) => Float32Array.from(part, (r) => r.at(-1)));
    const classCount = multiclass ? new Set(rows.map((r) => r.at(-1))).size : undefined;
    const metric = binary ? 'auc' : multiclass ? 'accuracy' : 'rmse';
    const score = (labels, predictions) =>
      binary ? auc(Array.from(labels), Array.from(predictions)) : multiclass ? accuracy(Array.from(labels), predictions, classCount) : rmse(Array.from(labels), Array.from(predictions));
    const better = (a, b) => (binary || multiclass ? a >= b : a <= b);

    // Reference on the same split, standardised with the training part's statistics.
    const stats = features.map((_, j) => {
      const v = train.map((r) => r[j]);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) || 1 };
    });
    const scaled = (part) => part.map((r) => stats.map((s, j) => (r[j] - s.mean) / s.std));
    const reference = binary ? irls(scaled(train), Array.from(yTrain)) : multiclass ? oneVsRest(scaled(train), Array.from(yTrain), classCount) : ols(scaled(train), Array.from(yTrain));
    const referenceValue = score(yTest, scaled(test).flatMap(reference));
    const referenceName = binary ? 'logistic regression (IRLS, this script)' : multiclass ? 'one-vs-rest logistic regression (IRLS, this script)' : 'least squares (normal equations, this script)';
    table.push({ name, kind: `reference: ${referenceName}`, metric, value: referenceValue, reference: referenceValue, seconds: 0 });

    const results = {};
    for (const algorithm of ALGORITHMS(task, name).filter((a) => KINDS.length === 0 || KINDS.includes(a.kind))) {
      const kind = runtime.kindForAlgorithm(algorithm.kind);
      if (kind.tasks && !kind.tasks.includes(task)) continue; // e.g. no multiclass forest or rule
      const preprocessing = runtime.fitPreprocessing(records(train), features, { standardise: !kind.rawNumericInputs });
      const xTrain = runtime.applyToRows(preprocessing, records(train));
      const xTest = runtime.applyToRows(preprocessing, records(test));
      const started = performance.now();
      const trained = await kind.train({ task, algorithm, seed: 7, width: preprocessing.outputWidth, preprocessing, x: xTrain, y: yTrain, classCount });
      const seconds = (performance.now() - started) / 1000;
      const value = score(yTest, trained.predictor.predict(xTest, yTest.length));
      results[algorithm.kind] = value;
      table.push({ name, kind: algorithm.kind, metric, value, reference: referenceValue, seconds });
      if (algorithm.kind === 'random_forest') {
        // What serving pays: the artifact through JSON, loaded by its kind, then scored.
        const json = JSON.stringify(trained.model);
        const t0 = performance.now();
        const served = await runtime.loadPredictor({ model: JSON.parse(json), preprocessing });
        const loadMs = performance.now() - t0;
        const batch = 1000;
        const big = new Float32Array(batch * preprocessing.outputWidth).map((_, i) => xTest[i % xTest.length]);
        const t1 = performance.now();
        served.predict(big, batch);
        const batchMs = performance.now() - t1;
        const one = xTest.subarray(0, preprocessing.outputWidth);
        const t2 = performance.now();
        for (let i = 0; i < 2000; i++) served.predict(one, 1);
        const singleUs = ((performance.now() - t2) / 2000) * 1000;
        const same = served.predict(xTest, yTest.length).every((v, i) => v === trained.predictor.predict(xTest, yTest.length)[i]);
        perf.push({ name, trees: trained.model.treeSizes.length, nodes: trained.model.treeSizes.reduce((a, b) => a + b, 0), trainRows: train.length, trainSeconds: seconds, artifactKb: json.length / 1024, loadMs, batchMs, singleUs, same });
      }
      trained.predictor.dispose();
    }
    const linear = [results.logistic_regression ?? referenceValue, referenceValue];
    const bestLinear = binary ? Math.max(...linear) : Math.min(...linear);
    if (name.startsWith('linear') && binary && results.logistic_regression !== undefined) {
      checks.push({ target: `${name}: logistic_regression AUC within 0.01 of the reference`, met: results.logistic_regression >= referenceValue - 0.01, detail: `${results.logistic_regression.toFixed(4)} vs ${referenceValue.toFixed(4)}` });
    }
    if (multiclass && results.logistic_regression !== undefined) {
      checks.push({ target: `${name}: logistic_regression accuracy within 0.02 of the reference`, met: results.logistic_regression >= referenceValue - 0.02, detail: `${results.logistic_regression.toFixed(4)} vs ${referenceValue.toFixed(4)}` });
    }
    if (name.startsWith('interaction') && results.random_forest !== undefined) {
      checks.push({ target: `${name}: random_forest at least as good as the best linear model`, met: better(results.random_forest, bestLinear), detail: `${results.random_forest.toFixed(4)} vs ${bestLinear.toFixed(4)}` });
    }
  }

  console.log(`# quality benchmark: ${ROWS} rows per data set, seeded random split (test ${TEST_FRACTION * 100} %, iris 50 %, stratified by class), model seed 7\n`);
  console.log('| data set | kind | metric | test | reference | difference | train s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of table) console.log(`| ${r.name} | ${r.kind} | ${r.metric} | ${r.value.toFixed(4)} | ${r.reference.toFixed(4)} | ${(r.value - r.reference >= 0 ? '+' : '') + (r.value - r.reference).toFixed(4)} | ${r.seconds.toFixed(1)} |`);
  console.log('\n| target | met | figures |');
  console.log('|---|---|---|');
  for (const c of checks) console.log(`| ${c.target} | ${c.met ? 'yes' : 'NO'} | ${c.detail} |`);
  console.log('\n| forest (served) | trees | nodes | train rows | train s | artifact model KiB | load ms | 1000 rows ms | 1 row µs | served = trained |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const p of perf) console.log(`| ${p.name} | ${p.trees} | ${p.nodes} | ${p.trainRows} | ${p.trainSeconds.toFixed(1)} | ${p.artifactKb.toFixed(0)} | ${p.loadMs.toFixed(1)} | ${p.batchMs.toFixed(1)} | ${p.singleUs.toFixed(0)} | ${p.same ? 'yes' : 'NO'} |`);
  if (checks.some((c) => !c.met) || perf.some((p) => !p.same)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
