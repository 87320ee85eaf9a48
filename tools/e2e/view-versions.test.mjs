// No training/serving skew through definitions (#19 item 3). A model is trained through the trainer
// on a real PostgreSQL (the four services as processes), then the view it was trained on gets a new
// source SQL whose values differ. The model's entity-keyed answers (predict-entities and batch
// scoring) must stay the trainer's own held-out scores: it is served the view version it was
// trained on, not the view's new definition. A model trained after the change must record and be
// served the new version.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { http, poll } from '../runner/demo-pipeline.mjs';
import { startPlatform, waitServed } from './platform-processes.mjs';
import { seededRandom } from './seeded-random.mjs';

const ITEMS = 400;
const DAY = 86_400_000;
const MODEL = 'vv_model';
const VIEW = 'vv_items';
const SOURCE_V1 = 'SELECT item_id, feature_at AS event_timestamp, n_int, x_float, color FROM dwh.mart_vv_items';
// The same columns computed differently: every value of n_int and x_float changes.
const SOURCE_V2 = 'SELECT item_id, feature_at AS event_timestamp, n_int * 3 + 7 AS n_int, 1.5 - x_float AS x_float, color FROM dwh.mart_vv_items';
const v2Of = (item) => ({ n_int: item.n * 3 + 7, x_float: 1.5 - item.x, color: item.color });

/** One row per item: its features an hour before its label, so the online value is the one the label row saw. */
function items() {
  const rnd = seededRandom(19);
  const now = Date.now();
  return Array.from({ length: ITEMS }, (_, i) => {
    const labelAt = new Date(now - 40 * DAY + Math.floor((i * 40 * DAY) / ITEMS) + 60_000);
    const n = Math.floor(rnd() * 41);
    const x = Math.round((rnd() * 4 - 2) * 1e6) / 1e6;
    const color = ['red', 'green', 'blue'][Math.floor(rnd() * 3)];
    const z = 0.08 * n - 1.6 + 0.9 * x + (color === 'red' ? 0.7 : color === 'blue' ? -0.6 : 0);
    const label = rnd() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    return { item_id: `item-${String(i).padStart(4, '0')}`, feature_at: new Date(labelAt.getTime() - 3_600_000), label_at: labelAt, n, x, color, label };
  });
}

let platform;
let urls;
let db;
const data = items();
const byId = new Map(data.map((d) => [d.item_id, d]));

before(async () => {
  platform = await startPlatform({ offset: Number(process.env.E2E_VERSIONS_PORT_OFFSET ?? 25000), name: 'versions', env: { BATCH_POLL_MS: '200' } });
  urls = platform.urls;
  db = new pg.Client({ connectionString: platform.databaseUrl });
  await db.connect();
  await db.query(`CREATE TABLE dwh.mart_vv_items (item_id text PRIMARY KEY, feature_at timestamptz NOT NULL, label_at timestamptz NOT NULL,
    n_int bigint NOT NULL, x_float double precision NOT NULL, color text NOT NULL, label integer NOT NULL)`);
  await db.query(`INSERT INTO dwh.mart_vv_items SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::bigint[], $5::float8[], $6::text[], $7::int[])`, [
    data.map((r) => r.item_id),
    data.map((r) => r.feature_at),
    data.map((r) => r.label_at),
    data.map((r) => r.n),
    data.map((r) => r.x),
    data.map((r) => r.color),
    data.map((r) => r.label),
  ]);
});

after(async () => {
  await db?.end();
  await platform?.stop();
});

const close = (got, want) => typeof got === 'number' && Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want));
const post = (url, body) => http('POST', url, body, { timeoutMs: 60_000 });

const view = (sql) => ({
  name: VIEW,
  entities: ['vv_item'],
  features: [
    { name: 'n_int', type: 'int64' },
    { name: 'x_float', type: 'float64' },
    { name: 'color', type: 'string' },
  ],
  source: { sql },
  ttl_seconds: 90 * 86400,
  online: true,
});

async function materialize() {
  const { materializations } = await post(`${urls.features}/v1/materialize-incremental`, { end: new Date().toISOString(), views: [VIEW] });
  for (const m of materializations) {
    const done = await poll(async () => {
      const s = await http('GET', `${urls.features}/v1/materializations/${m.id}`);
      return ['SUCCEEDED', 'FAILED'].includes(s.status) ? s : undefined;
    }, { what: 'materialization', timeoutMs: 120_000, intervalMs: 300 });
    assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done));
  }
  return materializations.map((m) => `${m.view}@v${m.version}`).sort();
}

/** One training run of the model; answers its version, the held-out rows the trainer scored, and the run. */
async function train() {
  const { id } = await http('POST', `${urls.trainer}/v1/training-runs`, { model: MODEL });
  const run = await poll(async () => {
    const r = await http('GET', `${urls.trainer}/v1/training-runs/${id}`);
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  }, { what: `training run ${id}`, timeoutMs: 300_000 });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error ?? run));
  const holdout = await http('GET', `${urls.trainer}/v1/training-runs/${id}/holdout-predictions?limit=5000`);
  assert.equal(holdout.stored, holdout.total);
  assert.ok(holdout.rows.length >= 60, `held-out rows: ${holdout.rows.length}`);
  return { version: run.modelVersion, rows: holdout.rows, run };
}

async function serveAsChampion(version) {
  const model = await http('GET', `${urls.trainer}/v1/models/${MODEL}`);
  if (model.aliases?.champion !== version) await post(`${urls.trainer}/v1/models/${MODEL}/aliases`, { alias: 'champion', version, reason: 'view versions test' });
  await waitServed(urls.serving, MODEL, version);
}

async function predictEntities(version, ids) {
  const out = await post(`${urls.serving}/v1/models/${MODEL}/predict-entities`, { entities: { item_id: ids }, version });
  return out.predictions;
}

async function batchScores(version) {
  const job = await post(`${urls.serving}/v1/batch-jobs`, { model: MODEL, version, source: { mart: 'mart_vv_items', key: 'item_id' }, chunkSize: 250 });
  const finished = await poll(async () => {
    const j = await http('GET', `${urls.serving}/v1/batch-jobs/${job.id}`);
    return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
  }, { what: `batch job of v${version}`, timeoutMs: 120_000, intervalMs: 300 });
  assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
  const { rows } = await db.query(`SELECT entity_key, score FROM serving.batch_predictions WHERE job_id = $1`, [job.id]);
  return new Map(rows.map((b) => [b.entity_key, Number(b.score)]));
}

function sameScores(what, got, want) {
  assert.equal(got.length, want.length, what);
  const bad = got.map((g, i) => [i, g]).filter(([i, g]) => !close(g, want[i]));
  assert.deepEqual(bad.slice(0, 5).map(([i, g]) => ({ row: i, got: g, want: want[i] })), [], `${what}: ${bad.length} of ${got.length} answers differ`);
}

test('a model keeps being served the view version it was trained on after the view changes; a model trained after the change gets the new one', { timeout: 900_000 }, async (t) => {
  try {
    await post(`${urls.features}/v1/apply`, {
      entities: [{ name: 'vv_item', join_key: 'item_id', value_type: 'string' }],
      feature_views: [view(SOURCE_V1)],
      feature_services: [{ name: MODEL, features: [`${VIEW}:n_int`, `${VIEW}:x_float`, `${VIEW}:color`] }],
    });
    assert.deepEqual(await materialize(), [`${VIEW}@v1`]);
    await post(`${urls.trainer}/v1/model-specs`, {
      name: MODEL,
      featureService: MODEL,
      labelSource: { sql: 'SELECT item_id, label_at AS event_timestamp, label FROM dwh.mart_vv_items', joinKeys: ['item_id'], labelColumn: 'label' },
      task: 'binary_classification',
      algorithm: { kind: 'logistic_regression', epochs: 40, batchSize: 64, learningRate: 0.05, l2: 0.001 },
      primaryMetric: 'auc',
      split: { lookbackDays: 60, holdoutDays: 12 },
      promotion: { minEvalRows: 20 },
      seed: 7,
    });

    // --- A model trained on version 1 records it, in its artifact and its lineage.
    const a = await train();
    const artifactA = await http('GET', `${urls.trainer}/v1/models/${MODEL}/versions/${a.version}/artifact`);
    assert.deepEqual(artifactA.featureViewVersions, { [VIEW]: 1 });
    assert.deepEqual(artifactA.features, [`${VIEW}:color`, `${VIEW}:n_int`, `${VIEW}:x_float`]);
    const lineageA = (await http('GET', `${urls.trainer}/v1/models/${MODEL}/versions/${a.version}`)).lineage;
    assert.deepEqual(lineageA.featureViewVersions, { [VIEW]: 1 });
    // The trainer saw version 1's values (the mart's own).
    for (const r of a.rows) assert.equal(r.features[`${VIEW}:n_int`], byId.get(r.keys.item_id).n, r.keys.item_id);
    await serveAsChampion(a.version);
    const meta = await http('GET', `${urls.serving}/v2/models/${MODEL}/versions/${a.version}`);
    assert.deepEqual(meta.inputs.map((i) => i.name), artifactA.features, 'V2 inputs stay view:feature');

    const ids = a.rows.map((r) => r.keys.item_id);
    const want = a.rows.map((r) => r.score);
    const before = await predictEntities(a.version, ids);
    sameScores('predict-entities before the change', before.map((p) => p.score), want);

    // --- The view's source SQL changes: a new version, whose values differ.
    const applied = await post(`${urls.features}/v1/apply`, { feature_views: [view(SOURCE_V2)] });
    assert.deepEqual(applied.changed, [{ kind: 'feature_view', name: VIEW, version: 2, fields: ['source'], new_version: true }]);
    assert.deepEqual(await materialize(), [`${VIEW}@v1`, `${VIEW}@v2`]);
    const head = await post(`${urls.features}/v1/online-features`, { features: artifactA.features, entities: { item_id: ids } });
    const headN = head.results[1 + artifactA.features.indexOf(`${VIEW}:n_int`)].values;
    assert.deepEqual(headN, ids.map((id) => v2Of(byId.get(id)).n_int), 'the view now serves the new values');
    // What serving the view's current definition would answer (the skew this item removes): the same
    // model scoring the new values through V2 answers differently for most rows.
    const inputs = meta.inputs.map((inp) => ({ name: inp.name, datatype: inp.datatype, shape: [ids.length], data: head.results[1 + artifactA.features.indexOf(inp.name)].values }));
    const skewed = (await post(`${urls.serving}/v2/models/${MODEL}/versions/${a.version}/infer`, { inputs })).outputs[0].data;
    const moved = skewed.filter((s, i) => !close(s, want[i])).length;
    assert.ok(moved > ids.length * 0.9, `the new definition changes the answers (${moved} of ${ids.length} differ)`);

    // --- The model trained on version 1 answers exactly as before, by entity and in batch.
    const afterChange = await predictEntities(a.version, ids);
    sameScores('predict-entities after the change', afterChange.map((p) => p.score), want);
    sameScores('predict-entities after = before', afterChange.map((p) => p.score), before.map((p) => p.score));
    for (const p of afterChange) assert.equal(p.features[`${VIEW}:n_int`], byId.get(p.entity.item_id).n, 'served version 1 values');
    const batchA = await batchScores(a.version);
    sameScores('batch scoring after the change', ids.map((id) => batchA.get(id)), want);

    // --- A model trained after the change is trained on, records and is served version 2.
    const b = await train();
    const artifactB = await http('GET', `${urls.trainer}/v1/models/${MODEL}/versions/${b.version}/artifact`);
    assert.deepEqual(artifactB.featureViewVersions, { [VIEW]: 2 });
    assert.deepEqual(artifactB.features, artifactA.features, 'the same input names, another version behind them');
    const runB = b.run;
    assert.notEqual(runB.featureServiceVersion, a.run.featureServiceVersion, 'the feature service version changes with its views');
    for (const r of b.rows) {
      const v2 = v2Of(byId.get(r.keys.item_id));
      assert.equal(r.features[`${VIEW}:n_int`], v2.n_int, r.keys.item_id);
      assert.ok(Math.abs(r.features[`${VIEW}:x_float`] - v2.x_float) < 1e-9, r.keys.item_id);
    }
    await serveAsChampion(b.version);
    const idsB = b.rows.map((r) => r.keys.item_id);
    const byB = await predictEntities(b.version, idsB);
    sameScores('predict-entities of the model trained after the change', byB.map((p) => p.score), b.rows.map((r) => r.score));
    const batchB = await batchScores(b.version);
    sameScores('batch scoring of the model trained after the change', idsB.map((id) => batchB.get(id)), b.rows.map((r) => r.score));
    // ...while the older model, no longer champion, still answers its own scores.
    sameScores('predict-entities of the older model, pinned by version', (await predictEntities(a.version, ids)).map((p) => p.score), want);
  } catch (err) {
    for (const tail of platform.logTails()) t.diagnostic(tail);
    throw err;
  }
});
