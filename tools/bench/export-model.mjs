#!/usr/bin/env node
// Exports a registered model for the serving benchmark: its artifact byte for byte as the registry
// holds it, and held-out rows of the run that trained it with the trainer's own score of each.
//
//   node tools/bench/export-model.mjs [--model purchase_propensity] [--version <n>, default the champion]
//                                     [--trainer http://127.0.0.1:3003] [--rows 512] [--out tools/bench/models/purchase-propensity.json]
//
// tools/bench/models/purchase-propensity.json was made this way from the demo's champion after
// `npm start` (3,000 users, 12 weeks, seed 42).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: 'purchase_propensity' },
    version: { type: 'string' },
    trainer: { type: 'string', default: process.env.TRAINER_URL ?? 'http://127.0.0.1:3003' },
    rows: { type: 'string', default: '512' },
    out: { type: 'string', default: 'tools/bench/models/purchase-propensity.json' },
  },
});

async function get(url) {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return { text, res };
}

const base = `${opts.trainer}/v1/models/${opts.model}`;
const model = JSON.parse((await get(base)).text);
const version = Number(opts.version ?? model.aliases?.champion ?? model.champion);
if (!Number.isInteger(version)) throw new Error(`${opts.model} has no champion; pass --version`);
const registered = JSON.parse((await get(`${base}/versions/${version}`)).text);
const { text: artifactJson, res } = await get(`${base}/versions/${version}/artifact`);
const runId = registered.lineage?.runId ?? registered.runId;
const holdout = JSON.parse((await get(`${opts.trainer}/v1/training-runs/${runId}/holdout-predictions?limit=${Number(opts.rows)}`)).text);
const out = {
  source: { model: opts.model, version, runId, exportedAt: new Date().toISOString(), heldOutRows: holdout.total, metrics: registered.metrics?.candidate ?? null },
  entry: { model: opts.model, version, sha256: res.headers.get('x-artifact-sha256'), artifactJson, createdAt: registered.createdAt ?? new Date().toISOString() },
  rows: holdout.rows.map((r) => ({ features: r.features, score: r.score })),
};
fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
fs.writeFileSync(opts.out, `${JSON.stringify(out)}\n`);
console.log(`${opts.model} v${version}: artifact ${artifactJson.length} bytes, ${out.rows.length} held-out rows with the trainer's scores -> ${opts.out}`);
