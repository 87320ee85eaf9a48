import type { ModelSpec } from '@mlp/contracts';
import { decodeArtifact, encodeArtifact } from '../artifacts/artifact-codec';
import { predictWithArtifact } from '../models/artifact-predictor';
import { initBackend } from '../models/tfjs-backend';
import { irisRows } from '../test-fixtures/iris-rows';
import { RowsSource } from '../test-fixtures/rows-source';
import { syntheticPurchases } from '../test-fixtures/synthetic-purchases';
import { featureInputsOf, runTrainingPipeline, type TrainingJob, type TrainingOutcome } from './training-pipeline';

const END = new Date('2026-06-01T00:00:00Z');
/** The model a (non-trial) run built. */
const artifactOf = (o: TrainingOutcome) => {
  if (!o.artifact) throw new Error('the run built no artifact');
  return o.artifact;
};
const spec = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  name: 'purchase_propensity',
  featureService: 'purchase_propensity',
  labelSource: { sql: 'SELECT 1 AS fixture_only', joinKeys: ['user_id'], labelColumn: 'label', referenceScoreColumn: 'true_probability' },
  task: 'binary_classification',
  algorithm: { kind: 'logistic_regression', epochs: 25, batchSize: 128, learningRate: 0.05 },
  primaryMetric: 'auc',
  split: { lookbackDays: 60, holdoutDays: 12 },
  promotion: { minEvalRows: 100 },
  seed: 7,
  ...over,
});
const job = (s: ModelSpec, champion: TrainingJob['champion'] = null): TrainingJob => ({ spec: s, seed: s.seed ?? 0, end: END.toISOString(), champion });

describe('training pipeline on synthetic data with known probabilities', () => {
  const rows = syntheticPurchases({ rows: 6000, end: END, days: 60, seed: 11 }) as unknown as Array<Record<string, unknown>>;
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('splits data without a meaningful time at random, stratified and seeded by the model, and still learns', async () => {
    // A static table: every row carries the same (import) timestamp, so a time split would hold out all or nothing.
    const flat: Array<Record<string, unknown>> = rows.slice(0, 3000).map((r) => ({ ...r, event_timestamp: '2026-05-01T00:00:00.000Z' }));
    const randomSpec = spec({ split: { kind: 'random', testFraction: 0.25, validationFraction: 0.1 } });
    const source = new RowsSource(flat);
    const a = await runTrainingPipeline(job(randomSpec), source);
    expect(source.requests[0].start.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(a.dataset.split).toBe('random');
    expect(a.dataset.holdoutRows).toBe(a.holdout.length);
    expect(a.dataset.holdoutRows / a.dataset.rows).toBeCloseTo(0.25, 2);
    const rate = (xs: Array<{ label: number }>) => xs.filter((x) => x.label === 1).length / xs.length;
    const positives = flat.filter((r) => Number(r['label']) === 1).length / flat.length;
    expect(rate(a.holdout)).toBeCloseTo(positives, 2);
    expect(Math.abs(a.metrics.candidate.auc - a.metrics.reference.auc)).toBeLessThan(0.03);
    // Another training seed trains another model, but judges it on the same held-out rows.
    const b = await runTrainingPipeline(job({ ...randomSpec, seed: 99 }), new RowsSource(flat));
    const ids = (o: typeof a) => o.holdout.map((h) => JSON.stringify(h.keys)).sort();
    expect(ids(b)).toEqual(ids(a));
  }, 60000);

  it('trains logistic regression to within 0.02 AUC of the true probabilities and above the baseline', async () => {
    const source = new RowsSource(rows);
    const out = await runTrainingPipeline(job(spec()), source);
    expect(source.requests[0].start.toISOString()).toBe('2026-04-02T00:00:00.000Z');
    const { candidate, baseline, reference } = out.metrics;
    expect(reference.auc).toBeGreaterThan(0.7);
    expect(Math.abs(candidate.auc - reference.auc)).toBeLessThan(0.02);
    expect(candidate.auc).toBeGreaterThan(baseline.auc + 0.1);
    expect(baseline.auc).toBe(0.5);
    expect(out.dataset.holdoutRows + out.dataset.trainRows).toBe(out.dataset.rows);
    expect(out.dataset.holdoutRows).toBeGreaterThan(1000);
    expect(out.curves).toHaveLength(25);
    expect(out.curves[24].loss).toBeLessThan(out.curves[0].loss);
    expect(artifactOf(out).features).toEqual(['activity:orders_30d', 'activity:page_views_7d', 'activity:revenue_30d', 'profile:plan']);
    expect(artifactOf(out).preprocessing.features.map((f) => f.kind)).toEqual(['numeric', 'numeric', 'numeric', 'categorical']);
  }, 60000);

  it('is reproducible: the same data and seed give byte-identical artifacts', async () => {
    const s = spec({ algorithm: { kind: 'mlp', hiddenUnits: [8], dropout: 0.1, epochs: 3, batchSize: 256, learningRate: 0.01 } });
    const a = await runTrainingPipeline(job(s), new RowsSource(rows));
    const b = await runTrainingPipeline(job(s), new RowsSource(rows));
    const c = await runTrainingPipeline(job({ ...s, seed: 8 }), new RowsSource(rows));
    const hash = (o: typeof a) => encodeArtifact({ ...artifactOf(o), version: 1 }).sha256;
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).not.toBe(hash(c));
  }, 60000);

  it('stops early on a flat validation loss and keeps the curve it trained', async () => {
    const s = spec({
      algorithm: { kind: 'mlp', hiddenUnits: [16, 8], dropout: 0, epochs: 200, batchSize: 64, learningRate: 0.05, earlyStopping: { patience: 2, minDelta: 0.001 } },
      split: { lookbackDays: 60, holdoutDays: 12, validationFraction: 0.2 },
    });
    const out = await runTrainingPipeline(job(s), new RowsSource(rows));
    expect(out.curves.length).toBeLessThan(200);
    expect(out.curves.every((p) => p.valLoss !== undefined && p.valMetric !== undefined)).toBe(true);
    expect(out.dataset.validationRows).toBeGreaterThan(0);
  }, 60000);

  it('re-scores the champion on the same held-out window with its own artifact', async () => {
    const first = await runTrainingPipeline(job(spec()), new RowsSource(rows));
    const encoded = encodeArtifact({ ...artifactOf(first), version: 1 });
    const second = await runTrainingPipeline(job(spec({ seed: 9 }), { version: 1, artifactJson: encoded.json, sha256: encoded.sha256 }), new RowsSource(rows));
    expect(second.metrics.champion.auc).toBeCloseTo(first.metrics.candidate.auc, 6);
    expect(second.championError).toBeNull();
    // The stored artifact predicts what the in-process model predicted.
    const loaded = decodeArtifact(encoded.json, encoded.sha256);
    const p = await predictWithArtifact(loaded, [{ 'activity:page_views_7d': 39, 'activity:orders_30d': 4, 'profile:plan': 'pro' }]);
    expect(p[0]).toBeGreaterThan(0.5);
  }, 60000);

  it('trains a regression (linear) model that beats the mean baseline on RMSE and MAE', async () => {
    const regression = rows.map((r) => ({ ...r, label: 10 * Number(r['true_probability']) }));
    const s = spec({ task: 'regression', primaryMetric: 'rmse', labelSource: { ...spec().labelSource, referenceScoreColumn: undefined } });
    const out = await runTrainingPipeline(job(s), new RowsSource(regression));
    expect(artifactOf(out).signature.outputs[0].name).toBe('prediction');
    expect(out.metrics.candidate.rmse).toBeLessThan(out.metrics.baseline.rmse * 0.6);
    expect(out.metrics.candidate.mae).toBeLessThan(out.metrics.baseline.mae);
  }, 60000);

  it('fits a baseline as the training prior', async () => {
    const out = await runTrainingPipeline(job(spec({ algorithm: { kind: 'baseline' } })), new RowsSource(rows));
    expect(artifactOf(out).model).toMatchObject({ kind: 'baseline', link: 'logit' });
    expect(out.metrics.candidate).toEqual(out.metrics.baseline);
    expect(out.curves).toEqual([]);
  });

  it('trains a written rule on the raw values (recorded unscaled in the artifact) and scores held-out rows as computed by hand', async () => {
    const out = await runTrainingPipeline(job(spec({ algorithm: { kind: 'rule', expression: 'page_views_7d > 20 || orders_30d >= 3' } })), new RowsSource(rows));
    const views = artifactOf(out).preprocessing.features.find((t) => t.name === 'activity:page_views_7d');
    expect(views).toMatchObject({ kind: 'numeric', mean: 0, std: 1 });
    const orders = artifactOf(out).preprocessing.features.find((t) => t.name === 'activity:orders_30d');
    const fill = orders?.kind === 'numeric' ? orders.fill : Number.NaN;
    const byHand = (f: Record<string, unknown>) => (Number(f['activity:page_views_7d']) > 20 || (f['activity:orders_30d'] === null ? fill : Number(f['activity:orders_30d'])) >= 3 ? 1 : 0);
    expect(out.holdout.map((h) => h.score)).toEqual(out.holdout.map((h) => byHand(h.features)));
    // Served from the artifact, as model-serving does.
    const encoded = encodeArtifact({ ...artifactOf(out), version: 1 });
    const artifact = decodeArtifact(encoded.json, encoded.sha256);
    expect(Array.from(await predictWithArtifact(artifact, out.holdout.map((h) => h.features)))).toEqual(out.holdout.map((h) => h.score));
    expect(out.metrics.candidate.auc).toBeGreaterThan(out.metrics.baseline.auc);
  });

  it('fails a rule naming a feature the model does not have with its code, not retried', async () => {
    const run = runTrainingPipeline(job(spec({ algorithm: { kind: 'rule', expression: 'basket_size > 3' } })), new RowsSource(rows));
    await expect(run).rejects.toMatchObject({ name: 'TrainingSpecError', code: 'RULE_UNKNOWN_FEATURE' });
  });

  it('trains a random forest through the pipeline: same scores from the artifact, near the true probabilities', async () => {
    const out = await runTrainingPipeline(job(spec({ algorithm: { kind: 'random_forest', nEstimators: 20, maxDepth: 5 } })), new RowsSource(rows.slice(0, 1200)));
    expect(artifactOf(out).model.kind).toBe('tree-ensemble');
    expect(out.curves).toHaveLength(2);
    const encoded = encodeArtifact({ ...artifactOf(out), version: 1 });
    const artifact = decodeArtifact(encoded.json, encoded.sha256);
    expect(Array.from(await predictWithArtifact(artifact, out.holdout.map((h) => h.features)))).toEqual(out.holdout.map((h) => h.score));
    expect(out.metrics.candidate.auc).toBeGreaterThan(out.metrics.baseline.auc + 0.1);
    expect(Math.abs(out.metrics.candidate.auc - out.metrics.reference.auc)).toBeLessThan(0.05);
  }, 120000);

  it('refuses a window without labelled rows with a code, not a crash', async () => {
    await expect(runTrainingPipeline({ ...job(spec()), end: '2020-01-01T00:00:00Z' }, new RowsSource(rows))).rejects.toMatchObject({ code: 'EMPTY_TRAINING_SET' });
  });
  it('names inputs view:feature and records the exact view versions the training set reports, pinned columns included', async () => {
    // The same data as a service pinning activity@v3 (columns view__v3__feature) and reading profile's head, v1.
    const pinned = rows.slice(0, 3000).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.startsWith('activity__') ? k.replace('activity__', 'activity__v3__') : k, v])));
    const refs = {
      activity__v3__orders_30d: 'activity@v3:orders_30d',
      activity__v3__page_views_7d: 'activity@v3:page_views_7d',
      activity__v3__revenue_30d: 'activity@v3:revenue_30d',
      profile__plan: 'profile@v1:plan',
    };
    const versioned = await runTrainingPipeline(job(spec()), new RowsSource(pinned, refs));
    const plain = await runTrainingPipeline(job(spec()), new RowsSource(rows.slice(0, 3000)));
    expect(artifactOf(versioned).features).toEqual(['activity:orders_30d', 'activity:page_views_7d', 'activity:revenue_30d', 'profile:plan']);
    expect(artifactOf(versioned).featureViewVersions).toEqual({ activity: 3, profile: 1 });
    expect(artifactOf(plain).featureViewVersions).toBeUndefined();
    // The same values under other column names: the same model, answering the same scores.
    expect(versioned.holdout.map((h) => h.score)).toEqual(plain.holdout.map((h) => h.score));
    const encoded = encodeArtifact({ ...artifactOf(versioned), version: 1 });
    expect(decodeArtifact(encoded.json, encoded.sha256).featureViewVersions).toEqual({ activity: 3, profile: 1 });
  }, 60000);

  it('refuses a training set that gives a model two versions of one view, or one feature twice', () => {
    expect(featureInputsOf(['b__x', 'a__y'], undefined)).toEqual({ columns: ['a__y', 'b__x'], features: ['a:y', 'b:x'] });
    expect(() => featureInputsOf([], { a__x: 'a@v1:x', a__v2__y: 'a@v2:y' })).toThrow(expect.objectContaining({ code: 'MIXED_FEATURE_VIEW_VERSIONS' }));
    expect(() => featureInputsOf([], { a__x: 'a@v2:x', a__v2__x: 'a@v2:x' })).toThrow(expect.objectContaining({ code: 'DUPLICATE_FEATURE' }));
  });
  describe('multiclass (iris: 150 flowers, 3 species, a random split)', () => {
    const iris = irisRows() as unknown as Array<Record<string, unknown>>;
    const irisSpec = (over: Partial<ModelSpec> = {}): ModelSpec =>
      spec({
        name: 'iris_species',
        labelSource: { sql: 'SELECT 1 AS fixture_only', joinKeys: ['flower_id'], labelColumn: 'species' },
        task: 'multiclass_classification',
        primaryMetric: 'accuracy',
        algorithm: { kind: 'logistic_regression', epochs: 100, batchSize: 16, learningRate: 0.05 },
        split: { kind: 'random', testFraction: 0.3 },
        promotion: { minEvalRows: 10 },
        ...over,
      });

    it('learns the classes from the training split in one order, records them in the artifact and answers one probability per class', async () => {
      const out = await runTrainingPipeline(job(irisSpec()), new RowsSource(iris));
      expect(artifactOf(out).classes).toEqual(['setosa', 'versicolor', 'virginica']);
      expect(artifactOf(out).signature.outputs).toEqual([
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
      ]);
      // stratified by species: 15 of each 50 held out
      expect(out.dataset.holdoutRows).toBe(45);
      expect([0, 1, 2].map((k) => out.holdout.filter((h) => h.label === k).length)).toEqual([15, 15, 15]);
      expect(Object.keys(out.metrics.candidate).sort()).toEqual(['accuracy', 'log_loss', 'macro_f1', 'rows']);
      expect(out.metrics.candidate.accuracy).toBeGreaterThan(0.85);
      // the prior predicts one class for every row: a third right
      expect(out.metrics.baseline.accuracy).toBeCloseTo(1 / 3, 6);
      expect(out.metrics.candidate.log_loss).toBeLessThan(out.metrics.baseline.log_loss);
      expect(out.calibration).toBeNull();
      // the stored artifact answers what the trainer recorded, row for row
      const encoded = encodeArtifact({ ...artifactOf(out), version: 1 });
      const served = await predictWithArtifact(decodeArtifact(encoded.json, encoded.sha256), out.holdout.map((h) => h.features));
      out.holdout.forEach((h, i) => {
        expect(h.probabilities).toHaveLength(3);
        h.probabilities?.forEach((p, k) => expect(Math.abs(p - served[i * 3 + k])).toBeLessThan(1e-6));
        expect(h.score).toBe(Math.max(...(h.probabilities as number[])));
      });
      // labels written as integers are classes too, ordered numerically
      const numbered = iris.map((r) => ({ ...r, species: { setosa: 10, versicolor: 2, virginica: 7 }[r['species'] as string] }));
      const byNumber = await runTrainingPipeline(job(irisSpec({ algorithm: { kind: 'baseline' } })), new RowsSource(numbered));
      expect(artifactOf(byNumber).classes).toEqual(['2', '7', '10']);
    }, 60000);

    it('counts a held-out class the training split never had as a mistake, and refuses a single training class', async () => {
      // A time split whose held-out window brings a fourth species.
      const dated = iris.map((r, i) => ({ ...r, event_timestamp: new Date(END.getTime() - (40 - (i % 30)) * 86_400_000).toISOString() }));
      const newcomer = Array.from({ length: 6 }, (_, i) => ({ ...iris[i], flower_id: `new-${i}`, species: 'hybrid', event_timestamp: new Date(END.getTime() - 86_400_000).toISOString() }));
      const s = irisSpec({ split: { lookbackDays: 60, holdoutDays: 12 }, algorithm: { kind: 'baseline' } });
      const out = await runTrainingPipeline(job(s), new RowsSource([...dated, ...newcomer]));
      expect(artifactOf(out).classes).toEqual(['setosa', 'versicolor', 'virginica']);
      const unseen = out.holdout.filter((h) => h.label === 3);
      expect(unseen).toHaveLength(6);
      const right = out.holdout.filter((h) => h.label < 3 && h.probabilities && h.probabilities.indexOf(Math.max(...h.probabilities)) === h.label).length;
      expect(out.metrics.candidate.accuracy).toBeCloseTo(right / out.holdout.length, 10);
      const one = iris.filter((r) => r['species'] === 'setosa');
      await expect(runTrainingPipeline(job(irisSpec()), new RowsSource(one))).rejects.toMatchObject({ code: 'TOO_FEW_CLASSES' });
    }, 60000);

    it('judges a champion trained on other classes on the candidate\'s classes, by name', async () => {
      const two = iris.filter((r) => r['species'] !== 'setosa');
      const first = await runTrainingPipeline(job(irisSpec()), new RowsSource(two));
      expect(artifactOf(first).classes).toEqual(['versicolor', 'virginica']);
      const encoded = encodeArtifact({ ...artifactOf(first), version: 1 });
      const second = await runTrainingPipeline(job(irisSpec({ seed: 9 }), { version: 1, artifactJson: encoded.json, sha256: encoded.sha256 }), new RowsSource(iris));
      expect(second.championError).toBeNull();
      // the champion never answers setosa: at best it gets the other two thirds right
      expect(second.metrics.champion.accuracy).toBeLessThanOrEqual(2 / 3 + 1e-9);
      expect(second.metrics.champion.accuracy).toBeGreaterThan(0.5);
    }, 60000);
  });
});
