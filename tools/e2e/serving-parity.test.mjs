// Every serving route gives the trainer's own score. Real models of each kind (network, logistic
// regression, random forest, written rule) are trained through the trainer on a real PostgreSQL (the four services as processes), then the same held-out rows are
// scored through V2 (raw inputs; [n] and [n, 1]; declared, float and integer datatypes), TF-Serving
// (instances and inputs), predict-entities and batch scoring (online, and point-in-time into a dwh
// table read back through the API and by a warehouse mart), and each answer is compared with the
// score the trainer recorded for that row. The prediction log and drift must hold the raw values.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { http, poll } from '../runner/demo-pipeline.mjs';
import { callOk as call, materializeViews, trainToEnd } from './platform-calls.mjs';
import { startPlatform } from './platform-processes.mjs';
import { seededRandom } from './seeded-random.mjs';

const ITEMS = 600;
const DAY = 86_400_000;

/** One row per item: its features an hour before its label, so the online value is the one the label row saw. */
function items() {
  const rnd = seededRandom(16);
  const now = Date.now();
  return Array.from({ length: ITEMS }, (_, i) => {
    const labelAt = new Date(now - 40 * DAY + Math.floor((i * 40 * DAY) / ITEMS) + 60_000);
    const n = Math.floor(rnd() * 51);
    const x = Math.round((rnd() * 4 - 2) * 1e6) / 1e6;
    const flag = rnd() < 0.4;
    const color = rnd() < 0.08 ? null : ['red', 'green', 'blue'][Math.floor(rnd() * 3)];
    const gap = rnd() < 0.2 ? null : Math.round(rnd() * 1000) / 10;
    const z = 0.07 * n - 1.8 + 0.9 * x + (flag ? 0.6 : 0) + (color === 'red' ? 0.8 : color === 'blue' ? -0.5 : 0);
    const label = rnd() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    const target = 3 * n + (gap ?? 40) * 0.5 + (color === 'green' ? 10 : 0) + (rnd() - 0.5) * 4;
    return { item_id: `item-${String(i).padStart(4, '0')}`, feature_at: new Date(labelAt.getTime() - 3_600_000), label_at: labelAt, n, x, flag, color, gap, label, target };
  });
}

const MODELS = [
  // All inputs numeric (int64, float64, bool): the case V2 and TF-Serving used to misread.
  { name: 'parity_numeric', service: 'parity_numeric', task: 'binary_classification', metric: 'auc', labelColumn: 'label', algorithm: { kind: 'logistic_regression', epochs: 40, batchSize: 64, learningRate: 0.05, l2: 0.001 } },
  // Numeric plus categorical, a network.
  { name: 'parity_mixed', service: 'parity_mixed', task: 'binary_classification', metric: 'auc', labelColumn: 'label', algorithm: { kind: 'mlp', hiddenUnits: [8], dropout: 0, epochs: 30, batchSize: 64, learningRate: 0.01 } },
  // Missing values (float and categorical), a regression.
  { name: 'parity_missing', service: 'parity_missing', task: 'regression', metric: 'rmse', labelColumn: 'target', algorithm: { kind: 'mlp', hiddenUnits: [8], dropout: 0, epochs: 40, batchSize: 64, learningRate: 0.01 } },
  // A tree ensemble over numeric and one-hot inputs, and one with missing values (regression).
  { name: 'parity_forest', service: 'parity_mixed', task: 'binary_classification', metric: 'auc', labelColumn: 'label', algorithm: { kind: 'random_forest', nEstimators: 30, maxDepth: 6 } },
  { name: 'parity_forest_missing', service: 'parity_missing', task: 'regression', metric: 'rmse', labelColumn: 'target', algorithm: { kind: 'random_forest', nEstimators: 20 } },
  // Written rules over the raw values (int64, float64, bool; a float with gaps, filled as in training).
  { name: 'parity_rule', service: 'parity_numeric', task: 'binary_classification', metric: 'auc', labelColumn: 'label', algorithm: { kind: 'rule', expression: '(x_float > 0 && flag) || n_int > 40 ? 0.8 : x_float > 0.5 ? 0.6 : 0.2' } },
  { name: 'parity_rule_missing', service: 'parity_missing', task: 'regression', metric: 'rmse', labelColumn: 'target', algorithm: { kind: 'rule', expression: '3 * n_int + 0.5 * y_gap' } },
];

let platform;
let urls;
let db;

before(async () => {
  platform = await startPlatform({ offset: Number(process.env.E2E_PARITY_PORT_OFFSET ?? 24000), name: 'parity', env: { BATCH_POLL_MS: '200' } });
  urls = platform.urls;
  db = new pg.Client({ connectionString: platform.databaseUrl });
  await db.connect();
  // The mart a data engineer publishes (written here directly: the warehouse is PostgreSQL).
  await db.query(`CREATE TABLE dwh.mart_parity_items (item_id text PRIMARY KEY, feature_at timestamptz NOT NULL, label_at timestamptz NOT NULL,
    n_int bigint NOT NULL, x_float double precision NOT NULL, flag boolean NOT NULL, color text, y_gap double precision, label integer NOT NULL, target double precision NOT NULL)`);
  const rows = items();
  await db.query(
    `INSERT INTO dwh.mart_parity_items SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::bigint[], $5::float8[], $6::bool[], $7::text[], $8::float8[], $9::int[], $10::float8[])`,
    [rows.map((r) => r.item_id), rows.map((r) => r.feature_at), rows.map((r) => r.label_at), rows.map((r) => r.n), rows.map((r) => r.x), rows.map((r) => r.flag), rows.map((r) => r.color), rows.map((r) => r.gap), rows.map((r) => r.label), rows.map((r) => r.target)],
  );
});

after(async () => {
  await db?.end();
  await platform?.stop();
});

const close = (got, want) => Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want));
const post = (url, body) => http('POST', url, body, { timeoutMs: 60_000 });

test('every serving route answers the trainer\'s own held-out score for the same raw values', { timeout: 900_000 }, async (t) => {
  try {
    await post(`${urls.features}/v1/apply`, {
      entities: [{ name: 'parity_item', join_key: 'item_id', value_type: 'string' }],
      feature_views: [
        {
          name: 'parity_items',
          entities: ['parity_item'],
          features: [
            { name: 'n_int', type: 'int64' },
            { name: 'x_float', type: 'float64' },
            { name: 'flag', type: 'bool' },
            { name: 'color', type: 'string' },
            { name: 'y_gap', type: 'float64' },
          ],
          source: { sql: 'SELECT item_id, feature_at AS event_timestamp, n_int, x_float, flag, color, y_gap FROM dwh.mart_parity_items' },
          ttl_seconds: 90 * 86400,
          online: true,
        },
      ],
      feature_services: [
        { name: 'parity_numeric', features: ['parity_items:n_int', 'parity_items:x_float', 'parity_items:flag'] },
        { name: 'parity_mixed', features: ['parity_items:n_int', 'parity_items:x_float', 'parity_items:flag', 'parity_items:color'] },
        { name: 'parity_missing', features: ['parity_items:n_int', 'parity_items:y_gap', 'parity_items:color'] },
      ],
    });
    await materializeViews(urls, ['parity_items']);

    for (const m of MODELS) {
      await t.test(m.name, async () => {
        await post(`${urls.trainer}/v1/model-specs`, {
          name: m.name,
          featureService: m.service,
          labelSource: { sql: `SELECT item_id, label_at AS event_timestamp, ${m.labelColumn} FROM dwh.mart_parity_items`, joinKeys: ['item_id'], labelColumn: m.labelColumn },
          task: m.task,
          algorithm: m.algorithm,
          primaryMetric: m.metric,
          split: { lookbackDays: 60, holdoutDays: 12, ...(m.algorithm.kind === 'mlp' ? { validationFraction: 0.1 } : {}) },
          promotion: { minEvalRows: 20 },
          seed: 7,
        });
        const run = await trainToEnd(urls, m.name);
        const { id } = run;
        const version = run.modelVersion;
        const holdout = await http('GET', `${urls.trainer}/v1/training-runs/${id}/holdout-predictions?limit=5000`);
        assert.equal(holdout.stored, holdout.total);
        assert.ok(holdout.rows.length >= 100, `held-out rows: ${holdout.rows.length}`);
        const champion = await http('GET', `${urls.trainer}/v1/models/${m.name}`);
        if (!JSON.stringify(champion).includes(`"champion":${version}`)) {
          await post(`${urls.trainer}/v1/models/${m.name}/aliases`, { alias: 'champion', version, reason: 'serving parity test' });
        }
        await poll(async () => {
          const r = await fetch(`${urls.serving}/v2/models/${m.name}`);
          return r.status === 200 && (await r.json()).parameters?.version === String(version);
        }, { what: `${m.name} v${version} served`, timeoutMs: 60_000 });

        const meta = await http('GET', `${urls.serving}/v2/models/${m.name}/versions/${version}`);
        const features = meta.inputs.map((i) => i.name);
        const rows = holdout.rows;
        const want = rows.map((r) => r.score);
        const declared = Object.fromEntries(meta.inputs.map((i) => [i.name, i.datatype]));
        // The metadata says what a client has: the raw features, typed as declared in the feature store.
        const expectedTypes = { 'parity_items:n_int': 'INT64', 'parity_items:x_float': 'FP64', 'parity_items:flag': 'BOOL', 'parity_items:color': 'BYTES', 'parity_items:y_gap': 'FP64' };
        for (const f of features) assert.equal(declared[f], expectedTypes[f], f);
        const column = (f) => rows.map((r) => r.features[f] ?? null);
        const check = (route, got) => {
          assert.equal(got.length, want.length, route);
          const bad = got.map((g, i) => [i, g]).filter(([i, g]) => typeof g !== 'number' || !close(g, want[i]));
          assert.deepEqual(bad.slice(0, 5).map(([i, g]) => ({ row: i, got: g, trainer: want[i] })), [], `${m.name} ${route}: ${bad.length} of ${got.length} answers differ from the trainer's`);
        };
        const v2 = async (route, tensors) => {
          const out = await call(`${urls.serving}/v2/models/${m.name}/versions/${version}/infer`, { inputs: tensors }, `parity-${m.name}-${route}`);
          return out.outputs[0].data;
        };
        const asFloat = (f) => (declared[f] === 'BYTES' ? 'BYTES' : declared[f] === 'BOOL' ? 'BOOL' : 'FP64');
        check('v2 declared [n]', await v2('v2-declared', features.map((f) => ({ name: f, datatype: declared[f], shape: [rows.length], data: column(f) }))));
        check('v2 [n, 1]', await v2('v2-column', features.map((f) => ({ name: f, datatype: declared[f], shape: [rows.length, 1], data: column(f).map((v) => [v]) }))));
        const numbers = (f) => (declared[f] === 'BOOL' ? column(f).map((v) => (v === null ? null : Number(v))) : column(f));
        check('v2 FP64', await v2('v2-fp64', features.map((f) => ({ name: f, datatype: declared[f] === 'BYTES' ? 'BYTES' : 'FP64', shape: [rows.length], data: declared[f] === 'BYTES' ? column(f) : numbers(f) }))));
        check('v2 FP32/INT32', await v2('v2-narrow', features.map((f) => ({ name: f, datatype: declared[f] === 'INT64' ? 'INT32' : declared[f] === 'FP64' ? 'FP32' : asFloat(f), shape: [rows.length], data: column(f) }))));

        const instances = rows.map((r) => Object.fromEntries(features.map((f) => [f, r.features[f] ?? null])));
        const tf = await call(`${urls.serving}/v1/models/${m.name}/versions/${version}:predict`, { instances }, `parity-${m.name}-tf-instances`);
        check('tf-serving instances', tf.predictions.map((p) => (Array.isArray(p) ? p[0] : p)));
        const tfCols = await call(`${urls.serving}/v1/models/${m.name}/versions/${version}:predict`, { inputs: Object.fromEntries(features.map((f) => [f, column(f)])) }, `parity-${m.name}-tf-inputs`);
        check('tf-serving inputs', tfCols.outputs.map((p) => (Array.isArray(p) ? p[0] : p)));

        const ids = rows.map((r) => r.keys.item_id);
        const byEntity = await call(`${urls.serving}/v1/models/${m.name}/predict-entities`, { entities: { item_id: ids }, version }, `parity-${m.name}-entities`);
        check('predict-entities', byEntity.predictions.map((p) => p.score));

        const job = await post(`${urls.serving}/v1/batch-jobs`, { model: m.name, version, source: { mart: 'mart_parity_items', key: 'item_id' }, chunkSize: 250 });
        const finished = await poll(async () => {
          const j = await http('GET', `${urls.serving}/v1/batch-jobs/${job.id}`);
          return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
        }, { what: `batch job of ${m.name}`, timeoutMs: 120_000 });
        assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
        const { rows: batch } = await db.query(`SELECT entity_key, score FROM serving.batch_predictions WHERE job_id = $1`, [job.id]);
        const batchScore = new Map(batch.map((b) => [b.entity_key, Number(b.score)]));
        check('batch scoring', ids.map((id) => batchScore.get(id)));

        // Point-in-time: features as of a stated time through the feature store's historical retrieval
        // (each item has one feature row, an hour before its label, so "now" sees the values the trainer
        // scored), the run published to a dwh table, read back through the API page by page.
        const asOf = new Date().toISOString();
        const table = `scores_${m.name}_pit`;
        const pitJob = await post(`${urls.serving}/v1/batch-jobs`, {
          model: m.name,
          version,
          source: { mart: 'mart_parity_items', key: 'item_id' },
          chunkSize: 250,
          features: { mode: 'point_in_time', asOf },
          results: { table, mode: 'create' },
        });
        const pitDone = await poll(async () => {
          const j = await http('GET', `${urls.serving}/v1/batch-jobs/${pitJob.id}`);
          return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
        }, { what: `point-in-time batch job of ${m.name}`, timeoutMs: 120_000 });
        assert.equal(pitDone.status, 'succeeded', JSON.stringify(pitDone));
        const { rows: published } = await db.query(`SELECT item_id, score, as_of, run, version FROM dwh."${table}"`);
        assert.equal(published.length, ITEMS);
        assert.ok(published.every((r) => r.as_of.toISOString() === asOf && r.run === 1 && r.version === version), `${table}: as_of, run, version`);
        const pitScore = new Map(published.map((r) => [r.item_id, r.score]));
        check('point-in-time batch scoring (dwh table)', ids.map((id) => pitScore.get(id)));
        const readBack = new Map();
        let pages = 0;
        for (let cursor = null; pages === 0 || cursor !== null; pages++) {
          const page = await http('GET', `${urls.serving}/v1/batch-jobs/${pitJob.id}/results?limit=250${cursor ? `&cursor=${cursor}` : ''}`);
          for (const r of page.items) {
            assert.ok(!readBack.has(r.entity.item_id), `${r.entity.item_id} read back twice`);
            readBack.set(r.entity.item_id, r.score);
          }
          cursor = page.nextCursor;
        }
        assert.equal(readBack.size, ITEMS);
        assert.equal(pages, Math.ceil(ITEMS / 250));
        check('batch results read back through the API', ids.map((id) => readBack.get(id)));

        if (m === MODELS[0]) {
          // A team's mart reads the results table through dwh-ingest's apply and run, like any warehouse input.
          const mart = { name: 'mart_parity_top_scores', layer: 'marts', materialized: 'table', unique_key: ['item_id'], sql: `SELECT item_id, score FROM ${table} WHERE score >= 0.5` };
          const applied = await post(`${urls.dwh}/v1/warehouse/apply`, { project: 'parity', models: [mart] });
          assert.equal(applied.version, 1, JSON.stringify(applied));
          const runResult = await post(`${urls.dwh}/v1/transformations/run`, {});
          assert.equal(runResult.models.find((x) => x.model === mart.name)?.status, 'built', JSON.stringify(runResult));
          const { rows: top } = await db.query(`SELECT item_id, score FROM dwh.mart_parity_top_scores ORDER BY item_id`);
          const expected = published.filter((r) => r.score >= 0.5).sort((a, b) => (a.item_id < b.item_id ? -1 : 1));
          assert.ok(expected.length > 0 && expected.length < ITEMS, `top scores: ${expected.length}`);
          assert.deepEqual(top, expected.map((r) => ({ item_id: r.item_id, score: r.score })));
        }

        // The prediction log holds the raw values and the answer of every route's rows.
        const expectedLogged = ['v2-declared', 'v2-column', 'v2-fp64', 'v2-narrow', 'tf-instances', 'tf-inputs', 'entities'].map((r) => `parity-${m.name}-${r}`);
        const logged = await poll(async () => {
          const { rows: lr } = await db.query(`SELECT request_id, entity, inputs, output FROM dwh.prediction_log WHERE model = $1 AND version = $2`, [m.name, version]);
          const count = (rid) => lr.filter((l) => l.request_id === rid).length;
          const batchLogged = lr.filter((l) => l.request_id.startsWith('batch-')).length;
          return expectedLogged.every((rid) => count(rid) === rows.length) && batchLogged >= 2 * ITEMS ? lr : undefined;
        }, { what: `prediction log of ${m.name}`, timeoutMs: 60_000 });
        const sameValue = (a, b) => (a === null || a === undefined ? b === null || b === undefined : typeof b === 'boolean' ? a === b || a === Number(b) : a === b);
        for (const l of logged.filter((x) => expectedLogged.includes(x.request_id))) {
          const i = l.entity ? ids.indexOf(l.entity.item_id) : rows.findIndex((r) => features.every((f) => sameValue(l.inputs[f], r.features[f])));
          assert.ok(i >= 0, `${l.request_id}: logged inputs ${JSON.stringify(l.inputs)} are not the raw values of any row sent`);
          for (const f of features) assert.ok(sameValue(l.inputs[f], rows[i].features[f]), `${l.request_id}: ${f} logged ${l.inputs[f]}, sent ${rows[i].features[f]}`);
          assert.ok(close(l.output, want[i]), `${l.request_id}: logged output ${l.output}, trainer ${want[i]}`);
        }
        const drift = await http('GET', `${urls.serving}/v1/models/${m.name}/drift`);
        const numeric = drift.features.find((f) => f.feature === 'parity_items:n_int');
        assert.ok(numeric && numeric.observations > 0, `drift watched the raw inputs: ${JSON.stringify(drift.features)}`);
      });
    }
  } catch (err) {
    for (const tail of platform.logTails()) t.diagnostic(tail);
    throw err;
  }
});
