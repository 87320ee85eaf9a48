import { ErrorCode, GetModelVersionMessage, ListAliasesMessage, MartRefreshedEvent, ModelDriftDetectedEvent, type ModelSpec, type TrainingRun } from '@mlp/contracts';
import { ServiceClient } from '@mlp/service-kit';
import { callService, createTestDatabase, startTestService, type JsonObject, type TestDatabase, type TestService } from '@mlp/service-kit/testing';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { service } from '../service';
import { nativeBackendAvailable } from './models/backend-preference';
import { AppModule } from './app.module';
import { RetrainScheduler } from './schedules/retrain-scheduler';
import { syntheticPurchases } from './test-fixtures/synthetic-purchases';
import { seedSyntheticMarts, startTrainingSetServer, type TrainingSetServer } from './test-fixtures/training-set-server';
import { testPool } from './test-fixtures/test-pool';

const TOKENS = JSON.stringify([
  { name: 'ops-admin', token: 'admin-token-0123456789ab', scopes: ['admin'] },
  { name: 'ds-alice', token: 'writer-token-0123456789', scopes: ['trainer:write', 'trainer:read'] },
]);
const ADMIN = { authorization: 'Bearer admin-token-0123456789ab' };
const WRITER = { authorization: 'Bearer writer-token-0123456789' };
const END = '2026-06-01T00:00:00.000Z';

const SPEC: ModelSpec = {
  name: 'synthetic_purchases',
  description: 'synthetic data with known purchase probabilities',
  featureService: 'purchase_propensity',
  labelSource: {
    sql: 'SELECT user_id, event_timestamp, label, true_probability FROM dwh.mart_purchase_labels',
    joinKeys: ['user_id'],
    labelColumn: 'label',
    referenceScoreColumn: 'true_probability',
  },
  task: 'binary_classification',
  algorithm: { kind: 'logistic_regression', epochs: 20, batchSize: 128, learningRate: 0.05 },
  primaryMetric: 'auc',
  split: { lookbackDays: 60, holdoutDays: 12 },
  promotion: { minEvalRows: 200, minAbsoluteImprovement: 0.002 },
  seed: 7,
};

/** A request to the trainer, as the writer unless other headers (another token, or none) are given. */
const call = <T extends object = JsonObject>(svc: TestService, method: string, url: string, body?: unknown, headers: Record<string, string> = WRITER) =>
  callService<T>(svc, method, url, body, headers);

async function waitForRun(svc: TestService, id: string, done: (r: TrainingRun) => boolean, timeoutMs = 90000): Promise<TrainingRun> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = (await call<TrainingRun>(svc, 'GET', `/v1/training-runs/${id}`)).json;
    if (done(run)) return run;
    if (Date.now() > until) throw new Error(`run ${id} still ${run.status}: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const finished = (r: TrainingRun) => ['succeeded', 'failed', 'cancelled'].includes(r.status);

describe('trainer on a real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: TrainingSetServer;
  let svc: TestService;
  let firstRun: TrainingRun;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool({ connectionString: db.url, max: 2 });
    await seedSyntheticMarts(pool, syntheticPurchases({ rows: 5000, end: new Date(END), days: 60, seed: 5 }));
    store = await startTrainingSetServer(db.url);
    svc = await startTestService(service, AppModule, {
      db,
      env: {
        AUTH_TOKENS: TOKENS,
        FEATURE_STORE_URL: store.url,
        TRAINER_BACKEND: 'wasm',
        TRAINER_POLL_MS: '100',
        TRAINER_HEARTBEAT_MS: '200',
        TRAINER_LEASE_MS: '5000',
        TRAINER_SCHEDULER_MS: '0',
        OUTBOX_POLL_MS: '60000',
      },
    });
  }, 60000);

  afterAll(async () => {
    await svc?.close();
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('declares no model of its own at start: specs arrive through the API', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const res = await call(svc, 'GET', '/v1/model-specs');
    expect([res.status, res.json['models']]).toEqual([200, []]);
  });

  it('answers invalid specs with 400 and machine-readable codes, and only admins may declare models', async () => {
    const schema = await call(svc, 'POST', '/v1/model-specs', { ...SPEC, name: 'Bad Name', algorithm: { kind: 'mlp', hiddenUnits: [], dropout: 2 } }, ADMIN);
    expect([schema.status, schema.json['code']]).toEqual([400, 'INVALID_MODEL_SPEC']);
    expect(schema.json['details']).toEqual(expect.arrayContaining([expect.objectContaining({ path: '$.name', code: 'PATTERN_MISMATCH' })]));
    const cases: Array<[Partial<ModelSpec>, string]> = [
      [{ primaryMetric: 'rmse' }, 'METRIC_TASK_MISMATCH'],
      [{ schedule: { cron: '0 25 * * *' } }, 'INVALID_CRON'],
      [{ labelSource: { ...SPEC.labelSource, sql: 'SELECT * FROM registry.models' } }, 'LABEL_SQL_OUTSIDE_WAREHOUSE'],
      [{ split: { lookbackDays: 10, holdoutDays: 10 } }, 'INVALID_SPLIT'],
      [{ algorithm: { kind: 'rule', expression: 'page_views_7d > (' } }, 'RULE_SYNTAX_ERROR'],
      [{ algorithm: { kind: 'rule', expression: 'require("fs")' } }, 'RULE_CONSTRUCT_NOT_ALLOWED'],
    ];
    for (const [change, code] of cases) {
      const res = await call(svc, 'POST', '/v1/model-specs', { ...SPEC, ...change }, ADMIN);
      expect([res.status, res.json['code']]).toEqual([400, code]);
    }
    const named = await call(svc, 'POST', '/v1/model-specs', { ...SPEC, algorithm: { kind: 'rule', expression: 'x.constructor' } }, ADMIN);
    expect([named.status, JSON.stringify(named.json)]).toEqual([400, expect.stringMatching(/member access/)]);
    expect((await call(svc, 'POST', '/v1/model-specs', SPEC, WRITER)).status).toBe(403);
    const created = await call(svc, 'POST', '/v1/model-specs', SPEC, ADMIN);
    expect(created.status).toBe(201);
    expect((await call(svc, 'POST', '/v1/model-specs', SPEC, ADMIN)).status).toBe(200);
    const unknown = await call(svc, 'POST', '/v1/training-runs', { model: 'no_such_model' });
    expect([unknown.status, unknown.json['code']]).toEqual([404, 'MODEL_NOT_FOUND']);
  });

  it('trains in a worker thread and shows status, curves, metrics, lineage; AUC within 0.02 of the true probabilities and above the baseline', async () => {
    const accepted = await call(svc, 'POST', '/v1/training-runs', { model: 'synthetic_purchases', overrides: { end: END } });
    expect(accepted.status).toBe(202);
    const id = accepted.json['id'] as string;
    const again = await call(svc, 'POST', '/v1/training-runs', { model: 'synthetic_purchases', overrides: { end: END } });
    expect([again.status, again.json['code']]).toEqual([409, 'RUN_IN_PROGRESS']);
    firstRun = await waitForRun(svc, id, finished);
    expect(firstRun).toMatchObject({ status: 'succeeded', progress: 1, backend: 'wasm', modelVersion: 1, featureServiceVersion: '4', codeVersion: '0.1.0', attempts: 1, error: null });
    expect(firstRun.curves).toHaveLength(20);
    expect(firstRun.curves[19].loss).toBeLessThan(firstRun.curves[0].loss);
    const m = firstRun.metrics as Record<string, Record<string, number>>;
    expect(Math.abs(m['candidate'].auc - m['reference'].auc)).toBeLessThan(0.02);
    expect(m['candidate'].auc).toBeGreaterThan(m['baseline'].auc + 0.1);
    expect(firstRun.dataset).toMatchObject({ end: END, start: '2026-04-02T00:00:00.000Z', holdoutStart: '2026-05-20T00:00:00.000Z' });
    const dataset = firstRun.dataset as NonNullable<TrainingRun['dataset']>;
    expect(dataset.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(dataset.trainRows + dataset.holdoutRows).toBe(5000);
    expect(firstRun.durationMs).toBeGreaterThan(0);
    expect(firstRun.gate).toMatchObject({ promoted: true, code: 'BEATS_BASELINE', comparedWith: 'baseline' });
    // The reliability diagram covers every held-out row; a well-specified model is about as well
    // calibrated as the true probabilities themselves (whose ECE is sampling noise alone).
    const bins = firstRun.calibration ?? [];
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(dataset.holdoutRows);
    expect(m['candidate'].ece).toBeLessThan(m['reference'].ece + 0.03);
    expect(store.requests[0]).toMatchObject({ feature_service: 'purchase_propensity', format: 'ndjson', label_source: { start: '2026-04-02T00:00:00.000Z', end: END } });
    expect(svc.logs.find((l) => l['msg'] === 'training backend selected' && l['backend'] === 'wasm')).toHaveLength(1);

    const model = await call(svc, 'GET', '/v1/models/synthetic_purchases');
    expect(model.json).toMatchObject({ name: 'synthetic_purchases', latestVersion: 1, aliases: { champion: 1, challenger: null } });
    const version = await call(svc, 'GET', '/v1/models/synthetic_purchases/versions/1');
    expect(version.json).toMatchObject({
      version: 1,
      aliases: ['champion'],
      status: 'promoted',
      lineage: { runId: id, datasetFingerprint: dataset.fingerprint, featureServiceVersion: '4', specHash: firstRun.specHash, backend: 'wasm', featureViewVersions: { activity: 1, profile: 1 } },
    });
    const [event] = (await pool.query(`SELECT payload FROM registry.outbox WHERE pattern = 'model.promoted.v1'`)).rows;
    expect(event.payload).toMatchObject({ model: 'synthetic_purchases', alias: 'champion', version: 1, previousVersion: null });
  }, 120000);

  it('serves the artifact byte for byte with its sha256, over HTTP and the transport', async () => {
    const res = await call(svc, 'GET', '/v1/models/synthetic_purchases/versions/1/artifact');
    expect(res.status).toBe(200);
    const sha = createHash('sha256').update(res.text).digest('hex');
    expect(res.headers.get('x-artifact-sha256')).toBe(sha);
    // The exact view versions the training set was joined from, which serving will fetch.
    expect(JSON.parse(res.text)).toMatchObject({ format: 'mlp-model/v1', version: 1, algorithm: 'logistic_regression', model: { kind: 'tfjs-layers' }, featureViewVersions: { activity: 1, profile: 1 } });
    const client = new ServiceClient('trainer', 'trainer-test', { ...svc.config, peers: new Map([['trainer', { host: '127.0.0.1', port: svc.tcpPort }]]) });
    try {
      const reply = await client.send(GetModelVersionMessage, { model: 'synthetic_purchases', alias: 'champion' });
      expect(reply).toMatchObject({ version: 1, sha256: sha, aliases: ['champion'] });
      expect(reply.artifactJson).toBe(res.text);
      expect(await client.send(ListAliasesMessage, {})).toEqual({
        models: expect.arrayContaining([{ model: 'synthetic_purchases', champion: 1, challenger: null }]),
      });
    } finally {
      await client.close();
    }
  });

  it('scores the champion on the same held-out window and refuses a worse candidate, recording why', async () => {
    const accepted = await call(svc, 'POST', '/v1/training-runs', { model: 'synthetic_purchases', overrides: { end: END, algorithm: { kind: 'baseline' } } });
    const run = await waitForRun(svc, accepted.json['id'] as string, finished);
    expect(run).toMatchObject({ status: 'succeeded', modelVersion: 2, gate: { promoted: false, code: 'NOT_BETTER_THAN_CHAMPION', comparedWith: 'champion', referenceVersion: 1 } });
    const m = run.metrics as Record<string, Record<string, number>>;
    // The champion re-scored now on the same window scores what it scored when it was trained.
    expect(m['champion'].auc).toBeCloseTo((firstRun.metrics as Record<string, Record<string, number>>)['candidate'].auc, 5);
    const v2 = await call(svc, 'GET', '/v1/models/synthetic_purchases/versions/2');
    expect(v2.json).toMatchObject({ status: 'candidate', aliases: [], gate: { code: 'NOT_BETTER_THAN_CHAMPION' } });
    expect((v2.json['gate'] as { reason: string }).reason).toMatch(/champion v1/);
    expect((await call(svc, 'GET', '/v1/models/synthetic_purchases')).json).toMatchObject({ aliases: { champion: 1 } });
  }, 120000);

  it('reproduces a run: same data, spec and seed give the same model, on the wasm backend too', async () => {
    const accepted = await call(svc, 'POST', '/v1/training-runs', { model: 'synthetic_purchases', overrides: { end: END } });
    const run = await waitForRun(svc, accepted.json['id'] as string, finished);
    expect(run).toMatchObject({ status: 'succeeded', modelVersion: 3, specHash: firstRun.specHash, seed: firstRun.seed, gate: { code: 'NOT_BETTER_THAN_CHAMPION' } });
    expect(run.dataset?.fingerprint).toBe(firstRun.dataset?.fingerprint);
    const artifact = async (v: number) => {
      const { version, ...rest } = JSON.parse((await call(svc, 'GET', `/v1/models/synthetic_purchases/versions/${v}/artifact`)).text) as Record<string, unknown>;
      expect(version).toBe(v);
      return rest;
    };
    expect(await artifact(3)).toEqual(await artifact(1));
    expect(run.curves).toEqual(firstRun.curves);
  }, 120000);

  it('refuses a tampered artifact (sha256 mismatch) on every path that loads it', async () => {
    await pool.query(
      `UPDATE registry.model_versions SET artifact = convert_to(replace(convert_from(artifact, 'UTF8'), '"link":"logit"', '"link":"identity"'), 'UTF8')
        WHERE model = 'synthetic_purchases' AND version = 2`,
    );
    const http = await call(svc, 'GET', '/v1/models/synthetic_purchases/versions/2/artifact');
    expect([http.status, http.json['code']]).toEqual([409, 'ARTIFACT_INTEGRITY_FAILED']);
    const alias = await call(svc, 'POST', '/v1/models/synthetic_purchases/aliases', { alias: 'challenger', version: 2, reason: 'shadow test' }, ADMIN);
    expect([alias.status, alias.json['code']]).toEqual([409, 'ARTIFACT_INTEGRITY_FAILED']);
    const client = new ServiceClient('trainer', 'trainer-test', { ...svc.config, peers: new Map([['trainer', { host: '127.0.0.1', port: svc.tcpPort }]]) });
    try {
      await expect(client.send(GetModelVersionMessage, { model: 'synthetic_purchases', version: 2 })).rejects.toMatchObject({ status: 409, code: 'ARTIFACT_INTEGRITY_FAILED' });
    } finally {
      await client.close();
    }
  });

  it('records every alias move in an audit log that cannot be rewritten through the API or in the database', async () => {
    expect((await call(svc, 'POST', '/v1/models/synthetic_purchases/aliases', { alias: 'challenger', version: 1, reason: 'shadow' }, WRITER)).status).toBe(403);
    const moved = await call(svc, 'POST', '/v1/models/synthetic_purchases/aliases', { alias: 'challenger', version: 1, reason: 'shadow the champion' }, ADMIN);
    expect(moved.json).toMatchObject({ alias: 'challenger', version: 1, previousVersion: null, changed: true });
    const audit = await call(svc, 'GET', '/v1/models/synthetic_purchases/audit');
    const entries = audit.json['entries'] as Array<Record<string, unknown>>;
    expect(entries.map((e) => [e['alias'], e['from'], e['to'], e['actor']])).toEqual([
      ['champion', null, 1, 'promotion-gate'],
      ['challenger', null, 1, 'ops-admin'],
    ]);
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await call(svc, method, '/v1/models/synthetic_purchases/audit', method === 'DELETE' ? undefined : { entries: [] }, ADMIN);
      expect(res.status).toBe(404);
    }
    await expect(pool.query(`UPDATE registry.alias_audit SET actor = 'someone-else'`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM registry.alias_audit`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE registry.alias_audit`)).rejects.toThrow(/append-only/);
    expect((await call(svc, 'GET', '/v1/models/synthetic_purchases/audit')).json['entries']).toEqual(entries);
  });

  it('cancels a running run at its next heartbeat', async () => {
    const accepted = await call(svc, 'POST', '/v1/training-runs', {
      model: 'synthetic_purchases',
      overrides: { end: END, algorithm: { kind: 'mlp', hiddenUnits: [64, 64], dropout: 0, epochs: 1000, batchSize: 32, learningRate: 0.001 } },
    });
    const id = accepted.json['id'] as string;
    await waitForRun(svc, id, (r) => r.status === 'running' && r.curves.length > 0);
    const cancelled = await call(svc, 'POST', `/v1/training-runs/${id}/cancel`);
    expect(cancelled.status).toBe(202);
    const run = await waitForRun(svc, id, finished);
    expect(run.status).toBe('cancelled');
    expect(run.modelVersion).toBeNull();
    expect((await call(svc, 'GET', '/v1/models/synthetic_purchases')).json['latestVersion']).toBe(3);
  }, 60000);

  it('schedules retraining by cron without stacking missed runs or overlapping a running one', async () => {
    const scheduled = { ...SPEC, name: 'scheduled_purchases', schedule: { cron: '*/5 * * * *' } };
    expect((await call(svc, 'POST', '/v1/model-specs', scheduled, ADMIN)).status).toBe(201);
    await pool.query(`UPDATE registry.models SET schedule_handled_at = now() - interval '3 days' WHERE name = 'scheduled_purchases'`);
    const scheduler = svc.app.get(RetrainScheduler);
    const first = (await scheduler.tick()).find((t) => t.model === 'scheduled_purchases');
    expect(first?.action).toBe('enqueue');
    const again = (await scheduler.tick()).find((t) => t.model === 'scheduled_purchases');
    expect(again?.action).toBe('idle');
    const later = (await scheduler.tick(new Date(Date.now() + 5 * 60_000))).find((t) => t.model === 'scheduled_purchases');
    const runs = (await pool.query(`SELECT status, trigger FROM registry.training_runs WHERE model = 'scheduled_purchases'`)).rows;
    expect(runs).toHaveLength(1);
    expect(runs[0].trigger).toMatch(/^schedule:/);
    // The next occurrence finds the first run still queued or running (skipped), or done (a new run).
    expect(['skip_overlap', 'enqueue']).toContain(later?.action);
    if (later?.action === 'skip_overlap') expect(['queued', 'running']).toContain(runs[0].status);
  }, 30000);
});

describe('backend configuration', () => {
  it('refuses to start with TRAINER_BACKEND=tensorflow where @tensorflow/tfjs-node is not installed', async () => {
    if (nativeBackendAvailable()) return; // installed here: the preference is valid
    await expect(startTestService(service, AppModule, { env: { TRAINER_BACKEND: 'tensorflow', TRAINER_SCHEDULER_MS: '0' } })).rejects.toThrow(
      /TRAINER_BACKEND=tensorflow needs the package @tensorflow\/tfjs-node/,
    );
  });
});

describe('event-triggered retraining', () => {
  it('queues a run when a watched mart is refreshed and does not stack a second one on drift', async () => {
    const db = await createTestDatabase();
    const svc = await startTestService(service, AppModule, { db, env: { TRAINER_CONCURRENCY: '0', TRAINER_SCHEDULER_MS: '0' } });
    const client = new ServiceClient('trainer', 'dwh-ingest', { ...svc.config, peers: new Map([['trainer', { host: '127.0.0.1', port: svc.tcpPort }]]) });
    const pool = testPool({ connectionString: db.url, max: 1 });
    try {
      const spec = { ...SPEC, name: 'watching_model', triggers: { martsRefreshed: ['dwh.mart_purchase_labels'], onDrift: true } };
      expect((await call(svc, 'POST', '/v1/model-specs', spec, {})).status).toBe(201);
      const runs = async () => (await pool.query(`SELECT trigger, status FROM registry.training_runs WHERE model = 'watching_model' ORDER BY created_at`)).rows;
      await client.emit(MartRefreshedEvent, { mart: 'dwh.mart_orders', watermark: new Date().toISOString() });
      await client.emit(MartRefreshedEvent, { mart: 'dwh.mart_purchase_labels', watermark: new Date().toISOString() });
      for (let i = 0; i < 50 && (await runs()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      await client.emit(ModelDriftDetectedEvent, { model: 'watching_model', version: 1, features: [{ feature: 'activity:page_views_7d', psi: 0.4 }], threshold: 0.2, window: 1000, at: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, 300));
      expect(await runs()).toEqual([{ trigger: 'mart-refreshed:dwh.mart_purchase_labels', status: 'queued' }]);
    } finally {
      await client.close();
      await pool.end();
      await svc.close();
      await db.drop();
    }
  });

  it('starts at most one event-triggered run per minIntervalMinutes, however many events arrive', async () => {
    const db = await createTestDatabase();
    const svc = await startTestService(service, AppModule, { db, env: { TRAINER_CONCURRENCY: '0', TRAINER_SCHEDULER_MS: '0' } });
    const pool = testPool({ connectionString: db.url, max: 1 });
    try {
      const scheduler = svc.app.get(RetrainScheduler);
      const debounced = { ...SPEC, name: 'debounced_model', triggers: { onDrift: true, minIntervalMinutes: 30 } };
      const eager = { ...SPEC, name: 'eager_model', triggers: { onDrift: true } };
      for (const spec of [debounced, eager]) expect((await call(svc, 'POST', '/v1/model-specs', spec, {})).status).toBe(201);
      const finishAll = () => pool.query(`UPDATE registry.training_runs SET status = 'cancelled', finished_at = now() WHERE status = 'queued'`);
      const wantsDrift = (spec: ModelSpec) => spec.triggers?.onDrift === true;

      // The first drift report starts a run; once it has ended, further reports within 30 minutes do not.
      expect(await scheduler.trigger('debounced_model', 'drift:v1', wantsDrift)).toEqual(expect.any(String));
      await finishAll();
      expect(await scheduler.trigger('debounced_model', 'drift:v1', wantsDrift)).toBeNull();
      // An explicit run is not an event and does not hold events back.
      await pool.query(`UPDATE registry.training_runs SET created_at = now() - interval '31 minutes' WHERE model = 'debounced_model'`);
      expect((await call(svc, 'POST', '/v1/training-runs', { model: 'debounced_model' }, {})).status).toBe(202);
      await finishAll();
      expect(await scheduler.trigger('debounced_model', 'drift:v1', wantsDrift)).toEqual(expect.any(String));

      // Without the setting every event after the previous run ended starts one.
      expect(await scheduler.trigger('eager_model', 'drift:v1', wantsDrift)).toEqual(expect.any(String));
      await finishAll();
      expect(await scheduler.trigger('eager_model', 'drift:v1', wantsDrift)).toEqual(expect.any(String));
    } finally {
      await pool.end();
      await svc.close();
      await db.drop();
    }
  });
});

describe('error shape', () => {
  it('answers bad run ids and bodies with 4xx codes, never 500', async () => {
    const db = await createTestDatabase();
    const svc = await startTestService(service, AppModule, { db, env: { TRAINER_CONCURRENCY: '0', TRAINER_SCHEDULER_MS: '0' } });
    try {
      const bad = await call(svc, 'GET', '/v1/training-runs/not-a-uuid', undefined, {});
      expect([bad.status, bad.json['code']]).toEqual([400, 'INVALID_RUN_ID']);
      const missing = await call(svc, 'GET', '/v1/training-runs/7b0a3c52-0c43-4a5e-9d6e-1f2a3b4c5d6e', undefined, {});
      expect([missing.status, missing.json['code']]).toEqual([404, 'RUN_NOT_FOUND']);
      const body = await call(svc, 'POST', '/v1/training-runs', { model: 'x', overrides: { epochs: 3 } }, {});
      expect([body.status, body.json['code']]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
      const version = await call(svc, 'GET', '/v1/models/x/versions/abc', undefined, {});
      expect([version.status, version.json['code']]).toEqual([400, 'INVALID_VERSION']);
      const doc = (await call(svc, 'GET', '/openapi.json', undefined, {})).json as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/training-runs', '/v1/model-specs', '/v1/models/{name}/aliases', '/v1/models/{name}/versions/{version}/artifact']));
      expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['training.ModelSpec', 'training.TrainingRun', 'training.MoveAlias']));
    } finally {
      await svc.close();
      await db.drop();
    }
  });
});
