// Nothing lost with a pod: model-serving answers predictions while the warehouse is down, so its
// prediction log spills to its volume (PREDICTION_LOG_SPILL_DIR, a PersistentVolumeClaim per pod in
// the manifests); the pod is then replaced (SIGTERM, a new process on the same volume) and the
// warehouse comes back. Every answered prediction must then be in dwh.prediction_log, once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { PlatformApiError, PredictionsClient } from '../client/from-source.mjs';
import { benchModel, startRegistryPeer } from './registry-peer.mjs';
import { freePort, root, scratchDatabase, startServiceProcess, waitReady } from './service-process.mjs';

const REQUESTS = 60;
const ROWS = 50;

const segments = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^segment-.*\.jsonl$/.test(f)) : []);
const linesIn = (dir) => segments(dir).reduce((n, f) => n + fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).length, 0);

/**
 * Predictions while the warehouse is down, then model-serving ends with `signal` and a new one
 * starts on the same volume once the warehouse is back. Returns the figures of the run.
 */
async function replacedWhileWarehouseDown(t, signal) {
  const cleanup = [];
  try {
    return await scenario(t, signal, cleanup);
  } finally {
    for (const c of cleanup.reverse()) await c();
  }
}

async function scenario(t, signal, cleanup) {
  const { entry, rows } = benchModel();
  const model = JSON.parse(entry.artifactJson);
  const db = await scratchDatabase('spill');
  cleanup.push(db.drop);
  const peer = await startRegistryPeer(entry);
  cleanup.push(peer.close);
  const volume = fs.mkdtempSync(path.join(root, 'tmp-e2e-spill-'));
  cleanup.push(async () => fs.rmSync(volume, { recursive: true, force: true }));
  const [dwhPort, dwhTcp] = [await freePort(), await freePort()];
  const servingEnv = async () => ({
    DATABASE_URL: db.url,
    PORT: String(await freePort()),
    TCP_PORT: String(await freePort()),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The warehouse's address, where nothing listens yet.
    PEERS: `trainer=127.0.0.1:${peer.port},feature-store=127.0.0.1:${peer.port},dwh-ingest=127.0.0.1:${dwhTcp}`,
    PREDICTION_LOG_SPILL_DIR: path.join(volume, 'prediction-log'),
    PREDICTION_LOG_CAPACITY: '500',
    PREDICTION_LOG_FLUSH_MS: '200',
    PEER_TIMEOUT_MS: '2000',
  });
  const diagnose = (...procs) => procs.forEach((p) => t.diagnostic(p.output().slice(-3000)));

  // 1. The warehouse is down; predictions are answered and their log spills to the volume.
  let serving = startServiceProcess('model-serving', await servingEnv());
  cleanup.push(() => serving.stop('SIGKILL'));
  await waitReady(serving.url, { exited: serving.exited });
  const predictions = new PredictionsClient({ baseUrl: serving.url });
  const request = (from) => {
    const picked = Array.from({ length: ROWS }, (_, i) => rows[(from + i) % rows.length]);
    return { inputs: model.signature.inputs.map((s) => ({ name: s.name, datatype: s.datatype, shape: [ROWS], data: picked.map((r) => r.features[s.name] ?? null) })) };
  };
  let answered = 0;
  for (let deadline = Date.now() + 30_000; answered === 0; ) {
    // The model loads from the registry peer shortly after start.
    try {
      await predictions.infer(entry.model, request(0));
      answered += ROWS;
    } catch (err) {
      if (!(err instanceof PlatformApiError) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  for (let i = 1; i < REQUESTS; i++) {
    // A refused request throws PlatformApiError (with the server's code): the test fails on it.
    await predictions.infer(entry.model, request(i * ROWS));
    answered += ROWS;
  }
  const spillDir = path.join(volume, 'prediction-log');
  await new Promise((r) => setTimeout(r, 500));
  const spilledBeforeStop = linesIn(spillDir);
  assert.ok(spilledBeforeStop > 0, 'records went to the volume while the warehouse was down');

  // 2. The pod ends: SIGTERM (a replaced pod: the rest of memory goes to the volume), or SIGKILL.
  const stopped = await serving.stop(signal);
  if (signal === 'SIGTERM') assert.deepEqual(stopped, { code: 0, signal: null }, serving.output().slice(-3000));
  const onVolume = linesIn(spillDir);

  // 3. The warehouse comes back, and a new model-serving starts on the same volume.
  const dwh = startServiceProcess('dwh-ingest', {
    DATABASE_URL: db.url,
    PORT: String(dwhPort),
    TCP_PORT: String(dwhTcp),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TRANSFORM_INTERVAL_SECONDS: '0',
    SLA_CHECK_INTERVAL_SECONDS: '0',
  });
  cleanup.push(() => dwh.stop('SIGKILL'));
  await waitReady(dwh.url, { exited: dwh.exited });
  serving = startServiceProcess('model-serving', await servingEnv());
  await waitReady(serving.url, { exited: serving.exited });

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanup.push(() => client.end());
  let counts = { rows: 0, distinct: 0 };
  for (let deadline = Date.now() + 45_000; counts.rows < onVolume && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 500));
    const { rows: [r] } = await client.query(`SELECT count(*)::int AS rows, count(DISTINCT prediction_id)::int AS distinct FROM dwh.prediction_log WHERE model = $1`, [entry.model]);
    counts = r;
  }
  // A moment more: nothing beyond what was on the volume may arrive (no double sends).
  await new Promise((r) => setTimeout(r, 1000));
  const { rows: [final] } = await client.query(`SELECT count(*)::int AS rows, count(DISTINCT prediction_id)::int AS distinct FROM dwh.prediction_log WHERE model = $1`, [entry.model]);
  if (final.rows !== onVolume) diagnose(serving, dwh);
  assert.deepEqual(final, { rows: onVolume, distinct: onVolume }, 'what was on the volume, each once');
  assert.deepEqual(segments(spillDir), [], 'the volume is empty once everything is in the warehouse');
  const figures = { signal, answered, spilledBeforeStop, onVolume, inWarehouse: final.rows, lost: answered - final.rows };
  t.diagnostic(JSON.stringify(figures));
  return figures;
}

test('predictions logged while the warehouse is down survive model-serving being replaced: every one reaches the warehouse, once', { timeout: 110_000 }, async (t) => {
  const run = await replacedWhileWarehouseDown(t, 'SIGTERM');
  assert.equal(run.onVolume, run.answered, 'on SIGTERM every answered prediction is on the volume');
  assert.equal(run.lost, 0);
});

test('killed outright (SIGKILL, an OOM kill), what was spilled still reaches the warehouse once; only what was in memory is lost', { timeout: 110_000 }, async (t) => {
  const run = await replacedWhileWarehouseDown(t, 'SIGKILL');
  assert.ok(run.onVolume >= run.spilledBeforeStop, 'nothing spilled is lost');
  // At most the memory buffer (PREDICTION_LOG_CAPACITY 500 here) is gone.
  assert.ok(run.lost <= 500, `lost ${run.lost}`);
});
