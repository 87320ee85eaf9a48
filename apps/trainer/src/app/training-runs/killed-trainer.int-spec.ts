import type { ModelSpec, TrainingRun } from '@mlp/contracts';
import { callService, createTestDatabase, freePort, startTestService, type TestDatabase, type TestService } from '@mlp/service-kit/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import { service } from '../../service';
import { AppModule } from '../app.module';
import { syntheticPurchases } from '../test-fixtures/synthetic-purchases';
import { seedSyntheticMarts, startTrainingSetServer, type TrainingSetServer } from '../test-fixtures/training-set-server';
import { testPool } from '../test-fixtures/test-pool';

const ROOT = path.resolve(__dirname, '../../../../..');
const END = '2026-06-01T00:00:00.000Z';
const SLOW_SPEC: ModelSpec = {
  name: 'slow_model',
  featureService: 'purchase_propensity',
  labelSource: { sql: 'SELECT user_id, event_timestamp, label FROM dwh.mart_purchase_labels', joinKeys: ['user_id'], labelColumn: 'label' },
  task: 'binary_classification',
  algorithm: { kind: 'mlp', hiddenUnits: [64, 64], dropout: 0, epochs: 1000, batchSize: 16, learningRate: 0.001 },
  primaryMetric: 'auc',
  split: { lookbackDays: 60, holdoutDays: 12 },
  promotion: { minEvalRows: 10 },
};

/**
 * A real trainer process (the app's main.ts through the workspace TypeScript hook) is SIGKILLed in
 * the middle of a run; the surviving replica must notice the lapsed lease and requeue the run.
 */
describe('a trainer killed mid-run', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: TrainingSetServer;
  let api: TestService;
  let child: ChildProcess | undefined;
  let runId = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool({ connectionString: db.url, max: 2 });
    await seedSyntheticMarts(pool, syntheticPurchases({ rows: 3000, end: new Date(END), days: 60, seed: 3 }));
    store = await startTrainingSetServer(db.url);
    // The surviving replica: API and lease reaper, trains nothing itself.
    api = await startTestService(service, AppModule, {
      db,
      env: { FEATURE_STORE_URL: store.url, TRAINER_CONCURRENCY: '0', TRAINER_POLL_MS: '100', TRAINER_SCHEDULER_MS: '0' },
    });
  }, 60000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await api?.close();
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  it('leaves no run stuck in running: the lapsed lease sends it back to the queue', async () => {
    expect((await callService(api, 'POST', '/v1/model-specs', SLOW_SPEC)).status).toBe(201);
    const id = (await callService(api, 'POST', '/v1/training-runs', { model: 'slow_model', overrides: { end: END } })).json['id'] as string;
    child = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/ts-hook/register.cjs'), path.join(ROOT, 'apps/trainer/src/main.ts')], {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        PORT: String(await freePort()),
        TCP_PORT: String(await freePort()),
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        FEATURE_STORE_URL: store.url,
        TRAINER_BACKEND: 'cpu',
        TRAINER_POLL_MS: '100',
        TRAINER_HEARTBEAT_MS: '200',
        TRAINER_LEASE_MS: '2000',
        TRAINER_SCHEDULER_MS: '0',
      },
    });
    const pid = child.pid as number;
    let run: TrainingRun | undefined;
    for (let i = 0; i < 400; i++) {
      run = (await callService<TrainingRun>(api, 'GET', `/v1/training-runs/${id}`)).json;
      if (run.status === 'running' && run.curves.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run).toMatchObject({ status: 'running', attempts: 1 });
    const [{ lease_owner }] = (await pool.query(`SELECT lease_owner FROM registry.training_runs WHERE id = $1`, [id])).rows;
    expect(lease_owner).toContain(`:${pid}:`);

    child.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));

    for (let i = 0; i < 100; i++) {
      run = (await callService<TrainingRun>(api, 'GET', `/v1/training-runs/${id}`)).json;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run).toMatchObject({ status: 'queued', attempts: 1 });
    expect(run?.error).toMatch(/lost its lease/);
    expect(api.logs.find((l) => l['msg'] === 'reclaimed a training run whose trainer lost its lease' && l['runId'] === id)).toHaveLength(1);
    runId = id;
  }, 90000);

  it('a replica shutting down gracefully hands its run straight back to the queue without using an attempt', async () => {
    // Takes over the requeued run (attempt 2), then stops while training.
    const replica = await startTestService(service, AppModule, {
      db,
      env: { FEATURE_STORE_URL: store.url, TRAINER_BACKEND: 'cpu', TRAINER_POLL_MS: '100', TRAINER_HEARTBEAT_MS: '200', TRAINER_SCHEDULER_MS: '0' },
    });
    let run: TrainingRun | undefined;
    for (let i = 0; i < 300; i++) {
      run = (await callService<TrainingRun>(api, 'GET', `/v1/training-runs/${runId}`)).json;
      if (run.status === 'running' && run.attempts === 2 && run.curves.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(run).toMatchObject({ status: 'running', attempts: 2 });
    await replica.shutdown('rolling deploy');
    // Lease is the 30 s default: being queued right away means it was released, not reclaimed.
    run = (await callService<TrainingRun>(api, 'GET', `/v1/training-runs/${runId}`)).json;
    expect(run).toMatchObject({ status: 'queued', attempts: 1 });
  }, 60000);
});
