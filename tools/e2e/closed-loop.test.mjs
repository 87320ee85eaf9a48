// The whole loop end to end: the four services as real processes (the built apps) on a real
// PostgreSQL (a fresh database on DATABASE_URL), the main job of `npm start` on a small product
// history, and a promotion observed as a change of model_version in a prediction answer.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { http, poll, runDemoPipeline, MODEL } from '../runner/demo-pipeline.mjs';
import { entryPoint, SERVICES } from '../runner/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 21000);
const services = SERVICES.map((s) => ({ ...s, httpPort: s.httpPort + OFFSET, tcpPort: s.tcpPort + OFFSET }));
const url = (name) => `http://127.0.0.1:${services.find((s) => s.name === name).httpPort}`;
const urls = { dwh: url('dwh-ingest'), features: url('feature-store'), trainer: url('trainer'), serving: url('model-serving') };
const children = [];
const logs = new Map();
let database;
let dataDir;

async function admin(sql) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

before(async () => {
  assert.ok(process.env.DATABASE_URL, 'run through npm test, which provides DATABASE_URL');
  for (const s of services) assert.ok(fs.existsSync(entryPoint(root, s.name)), `${s.name} is not built: npm test builds it`);
  database = `mlp_e2e_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE ${database}`);
  const dbUrl = new URL(process.env.DATABASE_URL);
  dbUrl.pathname = `/${database}`;
  dataDir = fs.mkdtempSync(path.join(root, 'tmp-e2e-'));
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: dbUrl.toString(),
    PEERS: services.map((s) => `${s.name}=127.0.0.1:${s.tcpPort}`).join(','),
    FEATURE_STORE_URL: urls.features,
    TRAINER_URL: urls.trainer,
    DWH_INGEST_URL: urls.dwh,
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '200',
    PREDICTION_LOG_SPILL_DIR: path.join(dataDir, 'spill'),
  };
  for (const s of services) {
    const child = spawn(process.execPath, [entryPoint(root, s.name)], {
      cwd: root,
      env: { ...env, PORT: String(s.httpPort), TCP_PORT: String(s.tcpPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logs.set(s.name, []);
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (c) => logs.get(s.name).push(c.toString()));
    children.push(child);
  }
  for (const s of services) {
    await poll(async () => (await fetch(`http://127.0.0.1:${s.httpPort}/readyz`).catch(() => ({ status: 0 }))).status === 200, {
      what: `${s.name} ready`,
      timeoutMs: 90_000,
      intervalMs: 300,
    });
  }
});

after(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', resolve);
          c.kill('SIGTERM');
        }),
    ),
  );
  if (database) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('events become marts, features, a promoted champion and predictions; a promotion changes model_version', { timeout: 900_000 }, async (t) => {
  const said = [];
  const stateRoot = dataDir;
  const summary = await runDemoPipeline({
    root: stateRoot,
    say: (line) => said.push(line),
    env: { DEMO_USERS: '400', DEMO_WEEKS: '6', DEMO_SEED: '7' },
    urls
  }).catch((err) => {
    for (const [name, lines] of logs) t.diagnostic(`${name}: ${lines.join('').slice(-3000)}`);
    t.diagnostic(said.join('\n'));
    throw err;
  });
  const state = JSON.parse(fs.readFileSync(path.join(stateRoot, '.data', 'demo', 'state.json'), 'utf8'));

  // Events: accepted through the tracking API, the deliberately broken ones rejected and kept.
  assert.ok(state.history.totals.accepted > 10_000, `accepted ${state.history.totals.accepted}`);
  assert.ok(state.history.totals.rejected > 0);
  const failed = await http('GET', `${urls.dwh}/v1/failed-events?limit=5`, undefined);
  assert.ok((failed.items ?? failed.events ?? failed.failedEvents ?? []).length > 0, 'rejected events are kept for replay');

  // Marts: built and tested.
  assert.equal(state.transformations.status, 'success');
  const sla = await http('GET', `${urls.dwh}/v1/sla`, undefined);
  assert.ok(JSON.stringify(sla).includes('mart_user_activity_daily'));

  // Features online: a known user has present features.
  const online = await http('POST', `${urls.features}/v1/online-features`, { feature_service: 'purchase_propensity', entities: { user_id: [state.prediction.userId] } });
  assert.ok(online.results.some((r) => r.statuses.includes('PRESENT')), 'online features are materialized');

  // The champion beat the baseline and is what serving answers with.
  assert.ok(state.champion, 'a champion was promoted');
  assert.ok(state.champion.metrics.candidate.auc > state.champion.metrics.baseline.auc, 'the champion beats the baseline');
  const first = state.prediction.prediction.predictions?.[0] ?? state.prediction.prediction.results?.[0];
  assert.equal(first.version, state.champion.version);
  assert.ok(summary.some((l) => l.includes('champion:')));

  // A promotion: move the champion alias to another registered version; serving swaps to it.
  const model = await http('GET', `${urls.trainer}/v1/models/${MODEL}`, undefined);
  const other = model.latestVersion !== state.champion.version ? model.latestVersion : state.champion.version - 1;
  assert.ok(other >= 1 && other !== state.champion.version, 'another version exists to promote');
  await http('POST', `${urls.trainer}/v1/models/${MODEL}/aliases`, { alias: 'champion', version: other, reason: 'e2e: promote another version' });
  const swapped = await poll(
    async () => {
      const p = await http('POST', `${urls.serving}/v1/models/${MODEL}/predict-entities`, { entities: { user_id: [state.prediction.userId] } });
      const row = p.predictions?.[0] ?? p.results?.[0];
      return row.version === other ? row : undefined;
    },
    { what: 'serving to answer with the promoted version', timeoutMs: 60_000, intervalMs: 500 },
  );
  assert.equal(swapped.version, other);
  const audit = await http('GET', `${urls.trainer}/v1/models/${MODEL}/audit`, undefined);
  assert.ok(JSON.stringify(audit).includes('e2e: promote another version'), 'the move is in the audit log');
});
