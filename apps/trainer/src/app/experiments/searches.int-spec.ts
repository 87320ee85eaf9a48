import type { HoldoutPredictions, ModelSpec, RunComparison, Search, TrainingRun } from '@mlp/contracts';
import { callService, createTestDatabase, startTestService, type JsonObject, type TestDatabase, type TestService } from '@mlp/service-kit/testing';
import { Pool } from 'pg';
import { service } from '../../service';
import { AppModule } from '../app.module';
import { syntheticPurchases } from '../test-fixtures/synthetic-purchases';
import { seedSyntheticMarts, startTrainingSetServer, type TrainingSetServer } from '../test-fixtures/training-set-server';
import { testPool } from '../test-fixtures/test-pool';

// A search end to end on a real PostgreSQL with two trainer replicas sharing the queue: trials run
// in parallel, only the winner is registered (one version), and the gate judges it on test rows no
// trial's selection used.
const END = '2026-06-01T00:00:00.000Z';
const TOKENS = JSON.stringify([
  { name: 'ops-admin', token: 'admin-token-0123456789ab', scopes: ['admin'] },
  { name: 'ds-alice', token: 'writer-token-0123456789', scopes: ['trainer:write', 'trainer:read'] },
]);
const ADMIN = { authorization: 'Bearer admin-token-0123456789ab' };
const WRITER = { authorization: 'Bearer writer-token-0123456789' };

const SPEC: ModelSpec = {
  name: 'searched_purchases',
  featureService: 'purchase_propensity',
  labelSource: { sql: 'SELECT user_id, event_timestamp, label, true_probability FROM dwh.mart_purchase_labels', joinKeys: ['user_id'], labelColumn: 'label', referenceScoreColumn: 'true_probability' },
  task: 'binary_classification',
  algorithm: { kind: 'logistic_regression', epochs: 8, batchSize: 128, learningRate: 0.05 },
  primaryMetric: 'auc',
  split: { kind: 'random', testFraction: 0.25, validationFraction: 0.2 },
  promotion: { minEvalRows: 100 },
  seed: 3,
};
const GRID = { strategy: 'grid', parameters: { learningRate: { values: [0.0005, 0.05] }, l2: { values: [0, 0.05] } }, budget: { maxTrials: 4, maxSeconds: 600 } };

const call = <T extends object = JsonObject>(svc: TestService, method: string, url: string, body?: unknown, headers: Record<string, string> = WRITER) => callService<T>(svc, method, url, body, headers);

async function waitFor<T>(read: () => Promise<T>, done: (x: T) => boolean, timeoutMs = 240000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const x = await read();
    if (done(x)) return x;
    if (Date.now() > until) throw new Error(`timed out: ${JSON.stringify(x)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('hyperparameter search on a real PostgreSQL with two trainer replicas', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: TrainingSetServer;
  let a: TestService;
  let b: TestService;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool({ connectionString: db.url, max: 2 });
    await seedSyntheticMarts(pool, syntheticPurchases({ rows: 2000, end: new Date(END), days: 60, seed: 21 }));
    store = await startTrainingSetServer(db.url);
    const env = {
      AUTH_TOKENS: TOKENS,
      FEATURE_STORE_URL: store.url,
      TRAINER_BACKEND: 'cpu',
      TRAINER_CONCURRENCY: '1',
      TRAINER_POLL_MS: '100',
      TRAINER_HEARTBEAT_MS: '200',
      TRAINER_LEASE_MS: '10000',
      TRAINER_SCHEDULER_MS: '0',
      OUTBOX_POLL_MS: '60000',
    };
    a = await startTestService(service, AppModule, { db, env });
    b = await startTestService(service, AppModule, { db, env });
  }, 90000);

  afterAll(async () => {
    await b?.shutdown('test done');
    await a?.close();
    await store?.close();
    await pool?.end();
  });

  it('refuses bad search plans with 4xx codes before queuing anything', async () => {
    expect((await call(a, 'POST', '/v1/model-specs', SPEC, ADMIN)).status).toBe(201);
    expect((await call(a, 'POST', '/v1/model-specs', { ...SPEC, name: 'no_validation', split: { kind: 'random', testFraction: 0.25 } }, ADMIN)).status).toBe(201);
    // A declared search is checked when the spec is declared.
    const declared = await call(a, 'POST', '/v1/model-specs', { ...SPEC, name: 'bad_search', search: { ...GRID, parameters: { momentum: { values: [0.9] } } } }, ADMIN);
    expect([declared.status, declared.json['code']]).toEqual([400, 'UNKNOWN_SEARCH_PARAMETER']);
    expect(declared.json['details']).toEqual([expect.objectContaining({ path: '$.search.parameters.momentum' })]);
    const cases: Array<[unknown, number, string]> = [
      [{ model: SPEC.name, plan: { ...GRID, parameters: { momentum: { values: [0.9] } } } }, 400, 'UNKNOWN_SEARCH_PARAMETER'],
      [{ model: SPEC.name, plan: { ...GRID, parameters: { l2: { values: [] } } } }, 400, 'EMPTY_SEARCH_RANGE'],
      [{ model: SPEC.name, plan: { ...GRID, parameters: { l2: { min: 1, max: 0.1 } } } }, 400, 'EMPTY_SEARCH_RANGE'],
      [{ model: SPEC.name, plan: { ...GRID, budget: { maxTrials: 3 } } }, 400, 'GRID_EXCEEDS_BUDGET'],
      [{ model: SPEC.name, plan: { ...GRID, strategy: 'random', budget: { maxSeconds: 60 } } }, 400, 'SEARCH_BUDGET_REQUIRED'],
      [{ model: SPEC.name, plan: { ...GRID, parameters: { learningRate: { values: [20] } } } }, 400, 'INVALID_SEARCH_PARAMETER'],
      [{ model: SPEC.name }, 400, 'NO_SEARCH_PLAN'],
      [{ model: 'no_validation', plan: GRID }, 400, 'TRIAL_WITHOUT_VALIDATION'],
      [{ model: 'no_such_model', plan: GRID }, 404, 'MODEL_NOT_FOUND'],
      [{ model: SPEC.name, plan: { ...GRID, strategy: 'bayes' } }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const res = await call(a, 'POST', '/v1/searches', body);
      expect([res.status, res.json['code']]).toEqual([status, code]);
    }
    expect((await pool.query(`SELECT count(*)::int AS n FROM registry.training_runs`)).rows[0].n).toBe(0);
    expect((await pool.query(`SELECT count(*)::int AS n FROM registry.searches`)).rows[0].n).toBe(0);
  });

  it('runs the trials on both replicas, registers only the winner (one version), and the gate judges it on test rows no trial selected on', async () => {
    // A champion to beat first: the baseline (version 1).
    const first = await call(a, 'POST', '/v1/training-runs', { model: SPEC.name, overrides: { end: END, algorithm: { kind: 'baseline' } } });
    await waitFor(() => call<TrainingRun>(a, 'GET', `/v1/training-runs/${first.json['id'] as string}`).then((r) => r.json), (r) => r.status === 'succeeded');

    const created = await call<Search>(a, 'POST', '/v1/searches', { model: SPEC.name, plan: GRID, end: END });
    expect(created.status).toBe(202);
    expect(created.json).toMatchObject({ status: 'running', metric: 'auc', direction: 'max', winner: null, finalRun: null });
    expect(created.json.trials.map((t) => t.params)).toEqual([
      { l2: 0, learningRate: 0.0005 },
      { l2: 0, learningRate: 0.05 },
      { l2: 0.05, learningRate: 0.0005 },
      { l2: 0.05, learningRate: 0.05 },
    ]);
    const search = await waitFor(() => call<Search>(b, 'GET', `/v1/searches/${created.json.id}`).then((r) => r.json), (s) => ['succeeded', 'failed'].includes(s.status));
    expect(search.status).toBe('succeeded');

    // Every trial succeeded; the winner is the best validation AUC, recomputed here from the trials' runs.
    const trials = await Promise.all(search.trials.map((t) => call<TrainingRun>(a, 'GET', `/v1/training-runs/${t.runId}`).then((r) => r.json)));
    for (const t of trials) {
      expect(t).toMatchObject({ status: 'succeeded', trial: true, searchId: search.id, modelVersion: null, gate: null, seed: 3, backend: 'cpu', codeVersion: '0.1.0' });
      expect(Object.keys(t.metrics ?? {}).sort()).toEqual(['train', 'validation']);
      expect(t.dataset).toMatchObject({ evaluatedOn: 'validation', split: 'random', splitSeed: expect.any(Number) });
    }
    const best = trials.reduce((x, y) => ((y.metrics?.['validation'].auc ?? 0) > (x.metrics?.['validation'].auc ?? 0) ? y : x));
    expect(search.winner).toMatchObject({ runId: best.id, validationMetric: best.metrics?.['validation'].auc });
    // The search's trials are spread over both replicas (one run at a time each).
    const trained = (svc: TestService) => svc.logs.find((l) => l['msg'] === 'trial run succeeded').length;
    expect([trained(a) + trained(b), trained(a) > 0, trained(b) > 0]).toEqual([4, true, true]);

    // Exactly one new version: the winner's parameters, retrained as a normal run and judged against the champion.
    const final = await call<TrainingRun>(a, 'GET', `/v1/training-runs/${search.finalRun?.runId}`).then((r) => r.json);
    expect(final).toMatchObject({ status: 'succeeded', trial: false, searchId: search.id, modelVersion: 2, algorithm: { ...SPEC.algorithm, ...search.winner?.params } });
    expect(final.gate).toMatchObject({ comparedWith: 'champion', referenceVersion: 1 });
    expect(search.finalRun).toMatchObject({ modelVersion: 2, gate: final.gate });
    const versions = await call<{ versions: Array<{ version: number; lineage: Record<string, unknown> }> }>(a, 'GET', `/v1/models/${SPEC.name}/versions`);
    expect(versions.json.versions.map((v) => v.version).sort()).toEqual([1, 2]);
    const v2 = versions.json.versions.find((v) => v.version === 2);
    expect(v2?.lineage).toMatchObject({ runId: final.id, searchId: search.id, seed: 3, backend: 'cpu', split: { kind: 'random', folds: null, trainRows: final.dataset?.trainRows, validationRows: final.dataset?.validationRows, testRows: final.dataset?.holdoutRows } });
    // Same window and split for every trial and the final run.
    expect(new Set([...trials, final].map((r) => r.dataset?.fingerprint)).size).toBe(1);

    // The gate's rows (the final run's test rows) against every row any trial was judged on: disjoint.
    const rowsOf = async (id: string) => {
      const page = (await call<HoldoutPredictions>(a, 'GET', `/v1/training-runs/${id}/holdout-predictions?limit=5000`)).json;
      expect(page.stored).toBe(page.total);
      return { part: page.part, keys: new Set(page.rows.map((r) => `${String(r.keys['user_id'])}@${r.event_timestamp}`)) };
    };
    const gateRows = await rowsOf(final.id);
    expect(gateRows.part).toBe('test');
    expect(gateRows.keys.size).toBe(final.dataset?.holdoutRows);
    expect(final.metrics?.['candidate'].rows).toBe(gateRows.keys.size);
    for (const t of trials) {
      const selection = await rowsOf(t.id);
      expect(selection.part).toBe('validation');
      expect(selection.keys.size).toBe(t.dataset?.validationRows);
      expect([...selection.keys].filter((k) => gateRows.keys.has(k))).toEqual([]);
    }

    // The trials side by side.
    const ids = [...search.trials.map((t) => t.runId), final.id];
    const compared = await call<RunComparison>(a, 'GET', `/v1/runs/compare?ids=${ids.join(',')}`);
    expect(compared.status).toBe(200);
    expect(compared.json.runs.map((r) => r.id)).toEqual(ids);
    expect(compared.json.differences).toEqual(['algorithm.l2', 'algorithm.learningRate']);
    expect(compared.json.commonMetrics).toEqual(expect.arrayContaining(['validation.auc', 'train.auc']));
    expect(compared.json.runs[0].curves).toHaveLength(8);
    // The parameter repeated means the same as a comma-separated list.
    const repeated = await call<RunComparison>(a, 'GET', `/v1/runs/compare?${ids.map((i) => `ids=${i}`).join('&')}`);
    expect(repeated.json.runs.map((r) => r.id)).toEqual(ids);
    const one = await call(a, 'GET', `/v1/runs/compare?ids=${ids[0]}`);
    expect([one.status, one.json['code']]).toEqual([400, 'INVALID_RUN_IDS']);
    const unknown = await call(a, 'GET', `/v1/runs/compare?ids=${ids[0]},00000000-0000-4000-8000-000000000000`);
    expect([unknown.status, unknown.json['code']]).toEqual([404, 'RUN_NOT_FOUND']);
    const missing = await call(a, 'GET', '/v1/searches/00000000-0000-4000-8000-000000000000');
    expect([missing.status, missing.json['code']]).toEqual([404, 'SEARCH_NOT_FOUND']);

    // A cancelled search stops its trials and registers nothing.
    const doomed = await call<Search>(a, 'POST', '/v1/searches', { model: SPEC.name, plan: GRID, end: END });
    const cancelled = await call<Search>(a, 'POST', `/v1/searches/${doomed.json.id}/cancel`);
    expect([cancelled.status, cancelled.json.status, cancelled.json.errorCode]).toEqual([202, 'cancelled', 'CANCELLED']);
    const settled = await waitFor(() => call<Search>(a, 'GET', `/v1/searches/${doomed.json.id}`).then((r) => r.json), (x) => x.trials.every((t) => !['queued', 'running'].includes(t.status)));
    expect(settled.trials.map((t) => t.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const again = await call(a, 'POST', `/v1/searches/${doomed.json.id}/cancel`);
    expect([again.status, again.json['code']]).toEqual([409, 'SEARCH_FINISHED']);
    expect((await call<{ versions: unknown[] }>(a, 'GET', `/v1/models/${SPEC.name}/versions`)).json.versions).toHaveLength(2);
  }, 300000);

  it('selects by k-fold cross-validation within a time budget: trials not started in time are cancelled, the winner trains on every fold and is judged on the untouched test rows', async () => {
    const folded: ModelSpec = { ...SPEC, name: 'folded_purchases', split: { kind: 'random', testFraction: 0.25, folds: 3 } };
    expect((await call(a, 'POST', '/v1/model-specs', folded, ADMIN)).status).toBe(201);
    const plan = { strategy: 'grid', parameters: { learningRate: { min: 0.0005, max: 0.05, scale: 'log', count: 4 }, l2: { values: [0, 0.05] } }, budget: { maxTrials: 8, maxSeconds: 1 } };
    const created = await call<Search>(a, 'POST', '/v1/searches', { model: folded.name, plan, end: END });
    expect(created.json.trials).toHaveLength(8);
    const search = await waitFor(() => call<Search>(a, 'GET', `/v1/searches/${created.json.id}`).then((r) => r.json), (x) => ['succeeded', 'failed'].includes(x.status));
    expect(search.status).toBe('succeeded');
    // Two replicas cannot cross-validate eight trials in a second: the ones not started are cancelled by the budget.
    const runs = await Promise.all(search.trials.map((t) => call<TrainingRun>(a, 'GET', `/v1/training-runs/${t.runId}`).then((r) => r.json)));
    const done = runs.filter((r) => r.status === 'succeeded');
    const skipped = runs.filter((r) => r.status === 'cancelled');
    expect(done.length + skipped.length).toBe(8);
    expect(done.length).toBeGreaterThan(0);
    expect(skipped.length).toBeGreaterThan(0);
    for (const r of skipped) expect([r.startedAt, r.error]).toEqual([null, "the search's time budget ran out before this trial started"]);
    // Selection by the mean over folds, never by the test rows (the trials have none).
    for (const r of done) {
      expect(r.crossValidation).toMatchObject({ metric: 'auc', folds: 3 });
      expect(r.crossValidation?.values).toHaveLength(3);
      expect(r.metrics?.['candidate']).toBeUndefined();
    }
    const best = done.reduce((x, y) => ((y.crossValidation?.mean ?? 0) > (x.crossValidation?.mean ?? 0) ? y : x));
    expect(search.winner).toMatchObject({ runId: best.id, validationMetric: best.crossValidation?.mean });

    const final = await call<TrainingRun>(a, 'GET', `/v1/training-runs/${search.finalRun?.runId}`).then((r) => r.json);
    expect(final).toMatchObject({ status: 'succeeded', modelVersion: 1, gate: { comparedWith: 'baseline' }, dataset: { folds: 3, validationRows: 0, evaluatedOn: 'test' } });
    // The final model trains on every non-test row (a quarter, stratified per class, is the test share).
    const { trainRows, holdoutRows } = final.dataset as NonNullable<TrainingRun['dataset']>;
    expect(trainRows + holdoutRows).toBe(2000);
    expect(Math.abs(holdoutRows - 500)).toBeLessThanOrEqual(2);
    expect(final.crossValidation).toEqual(best.crossValidation);
    const versions = (await call<{ versions: Array<{ lineage: Record<string, unknown> }> }>(a, 'GET', `/v1/models/${folded.name}/versions`)).json.versions;
    expect(versions).toHaveLength(1);
    expect(versions[0].lineage).toMatchObject({ searchId: search.id, split: { kind: 'random', folds: 3, trainRows, validationRows: 0, testRows: holdoutRows }, crossValidation: { mean: best.crossValidation?.mean } });

    // Out-of-fold rows (every row the trials selected on) and the gate's test rows: disjoint, together every row.
    const keysOf = async (id: string) => {
      const page = (await call<HoldoutPredictions>(a, 'GET', `/v1/training-runs/${id}/holdout-predictions?limit=5000`)).json;
      return new Set(page.rows.map((r) => `${String(r.keys['user_id'])}@${r.event_timestamp}`));
    };
    const test = await keysOf(final.id);
    const selected = await keysOf(best.id);
    expect([test.size, selected.size]).toEqual([holdoutRows, trainRows]);
    expect([...selected].filter((k) => test.has(k))).toEqual([]);
  }, 300000);
});
