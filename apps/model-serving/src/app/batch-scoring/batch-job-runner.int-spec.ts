import { createLogger, PlatformError } from '@mlp/runtime';
import type { PlatformConfig } from '@mlp/service-kit';
import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import type { Pool } from 'pg';
import { migrateServingSchema, poolDatabase, testPool } from '../../testing/serving-database';
import type { EntityFeatures } from '../entity-predictions/entity-features';
import type { InferenceService, PredictRequest } from '../inference/inference.service';
import type { ModelStore } from '../models/model-store';
import { BatchJobQueue } from './batch-job-queue';
import { BatchJobRunner } from './batch-job-runner';
import { BatchSourceReader } from './batch-source-reader';
import type { PointInTimeFeatures } from './point-in-time-features';

// The run loop with the real queue and source reader on a real PostgreSQL. The inference path is a
// stand-in that answers two outputs per row (score = the key's number / 100, then 9) and records
// what it was asked; `onChunk` lets a test interfere with the n-th chunk.
const config = { env: { BATCH_POLL_MS: 60_000, BATCH_RETRY_MS: 10 } } as unknown as PlatformConfig;
const log = createLogger('batch-runner-test', 'silent');

interface Call {
  model: string;
  version: number | undefined;
  requestId: string;
  entities: Array<Record<string, string>>;
  asOf?: string;
}

describe('batch job runner on a real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let calls: Call[];
  let onChunk: (n: number) => Promise<void> | void;

  const newRunner = () => {
    const database = poolDatabase(pool);
    const features = { inputsFor: (entities: Array<Record<string, string>>) => ({ entities }) } as unknown as EntityFeatures;
    const inference = {
      predict: async (req: PredictRequest) => {
        const { entities, asOf } = req.inputs as unknown as { entities: Array<Record<string, string>>; asOf?: string };
        calls.push({ model: req.model, version: 'version' in req.target ? (req.target.version as number) : undefined, requestId: req.requestId, entities, asOf });
        await onChunk(calls.length);
        const keys = entities.map((e) => Object.values(e)[0]);
        const outputs = new Float32Array(keys.flatMap((k) => [Number(k.slice(1)) / 100, 9]));
        return { model: { rowAnswers: (out: Float32Array) => out }, rows: { rows: keys.length, statuses: keys.map((k) => ({ 'v:x': k === 'b002' ? 'NOT_FOUND' : 'PRESENT' })) }, outputs };
      },
    } as unknown as InferenceService;
    const models = { alias: (_m: string, _a: string) => ({ version: 5 }) } as unknown as ModelStore;
    const pointInTime = { inputsAsOf: (entities: Array<Record<string, string>>, asOf: string) => ({ entities, asOf }) } as unknown as PointInTimeFeatures;
    return new BatchJobRunner(database, new BatchJobQueue(database), new BatchSourceReader(database), models, inference, features, pointInTime, config, log);
  };
  const insertJob = async (fields: Record<string, unknown> = {}) => {
    const row = {
      model: 'churn',
      source: JSON.stringify({ mart: 'mart_user_profile', key: 'user_id' }),
      chunk_size: 4,
      status: 'queued',
      results: JSON.stringify({ table: 'scores_churn', mode: 'replace' }),
      features: JSON.stringify({ mode: 'online' }),
      ...fields,
    };
    const cols = Object.keys(row);
    const { rows } = await pool.query(`INSERT INTO "serving".batch_jobs (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`, Object.values(row));
    return String(rows[0].id);
  };
  const job = async (id: string) => (await pool.query(`SELECT status, run, version, scored::int, chunks, cursor, error FROM "serving".batch_jobs WHERE id = $1`, [id])).rows[0];
  const predictions = async (id: string) =>
    (await pool.query(`SELECT run, entity_key AS key, version, score, feature_statuses->>'v:x' AS status FROM "serving".batch_predictions WHERE job_id = $1 ORDER BY run, entity_key`, [id])).rows;
  const keysAsked = () => calls.flatMap((c) => c.entities.map((e) => e['user_id']));

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateServingSchema(db.url);
    pool = testPool(db.url);
    await pool.query(`CREATE SCHEMA dwh; CREATE TABLE dwh.mart_user_profile (user_id text PRIMARY KEY)`);
    await pool.query(`INSERT INTO dwh.mart_user_profile SELECT 'b' || lpad(g::text, 3, '0') FROM generate_series(1, 10) g`);
  }, 60000);

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  beforeEach(async () => {
    calls = [];
    onChunk = () => undefined;
    await pool.query(`DELETE FROM "serving".batch_jobs`);
  });

  it('scores every key in chunks with the champion, the first output of each row as its score', async () => {
    const id = await insertJob();
    await newRunner().drain();
    expect(await job(id)).toEqual({ status: 'succeeded', run: 1, version: 5, scored: 10, chunks: 3, cursor: 'b010', error: null });
    expect(calls.map((c) => [c.model, c.version, c.requestId, c.entities.length])).toEqual([
      ['churn', 5, `batch-${id}-1`, 4],
      ['churn', 5, `batch-${id}-1`, 4],
      ['churn', 5, `batch-${id}-1`, 2],
    ]);
    const rows = await predictions(id);
    expect(rows).toHaveLength(10);
    expect(rows.slice(0, 2)).toEqual([
      { run: 1, key: 'b001', version: 5, score: expect.closeTo(0.01, 6), status: 'PRESENT' },
      { run: 1, key: 'b002', version: 5, score: expect.closeTo(0.02, 6), status: 'NOT_FOUND' },
    ]);
  });

  it('takes point-in-time features as of the stated time and publishes the run to its warehouse table', async () => {
    const asOf = '2026-11-30T12:00:00.000Z';
    const id = await insertJob({ features: JSON.stringify({ mode: 'point_in_time', asOf }), results: JSON.stringify({ table: 'scores_churn_pit', mode: 'create' }) });
    await newRunner().drain();
    expect(new Set(calls.map((c) => c.asOf))).toEqual(new Set([asOf]));
    const { rows } = await pool.query(`SELECT job_id::text AS job, run, version, user_id, as_of, score, outputs FROM dwh.scores_churn_pit ORDER BY user_id`);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({ job: id, run: 1, version: 5, user_id: 'b001', as_of: new Date(asOf), score: Math.fround(0.01), outputs: [Math.fround(0.01), 9] });
    // Online jobs ask for online features (no time) and record when they were scored.
    calls = [];
    await insertJob();
    await newRunner().drain();
    expect(calls.every((c) => c.asOf === undefined)).toBe(true);
  });

  it('scores with the pinned version, and a scheduled job waits for its next run', async () => {
    const id = await insertJob({ pinned_version: 2, schedule: '0 3 * * *' });
    await newRunner().drain();
    expect(await job(id)).toMatchObject({ status: 'scheduled', version: 2, scored: 10 });
    expect(new Set(calls.map((c) => c.version))).toEqual(new Set([2]));
  });

  it('queues a job an outage interrupts and resumes it after its last committed chunk', async () => {
    const id = await insertJob();
    onChunk = (n) => {
      if (n === 2) throw new PlatformError(503, 'FEATURE_STORE_UNAVAILABLE', 'feature store down');
    };
    const runner = newRunner();
    await runner.drain();
    expect(await job(id)).toMatchObject({ status: 'queued', scored: 4, chunks: 1, cursor: 'b004', error: 'feature store down' });
    onChunk = () => undefined;
    await new Promise((r) => setTimeout(r, 50)); // BATCH_RETRY_MS
    await runner.drain();
    expect(await job(id)).toMatchObject({ status: 'succeeded', run: 1, scored: 10, chunks: 3, cursor: 'b010', error: null });
    expect(keysAsked()).toEqual(['b001', 'b002', 'b003', 'b004', 'b005', 'b006', 'b007', 'b008', 'b005', 'b006', 'b007', 'b008', 'b009', 'b010']);
    expect((await predictions(id)).map((p) => p.key)).toEqual(['b001', 'b002', 'b003', 'b004', 'b005', 'b006', 'b007', 'b008', 'b009', 'b010']);
  });

  it('fails a job on a client mistake', async () => {
    const id = await insertJob();
    onChunk = () => {
      throw PlatformError.badRequest('model churn v5 needs a feature the store does not have', [], 'MISSING_FEATURE');
    };
    await newRunner().drain();
    expect(await job(id)).toMatchObject({ status: 'failed', scored: 0, error: 'model churn v5 needs a feature the store does not have' });
  });

  it('stops a job cancelled during a run without writing the chunk in flight', async () => {
    const id = await insertJob();
    onChunk = async (n) => {
      if (n === 2) await pool.query(`UPDATE "serving".batch_jobs SET status = 'cancelled' WHERE id = $1`, [id]);
    };
    await newRunner().drain();
    expect(calls).toHaveLength(2);
    expect(await job(id)).toMatchObject({ status: 'cancelled', scored: 4, cursor: 'b004' });
    expect(await predictions(id)).toHaveLength(4);
  });

  it('on shutdown finishes the chunk in flight and leaves the rest to the lease', async () => {
    const id = await insertJob();
    const runner = newRunner();
    let stopping: Promise<void> | undefined;
    onChunk = (n) => {
      if (n === 1) stopping = runner.onApplicationShutdown();
    };
    runner.kick();
    for (let i = 0; i < 200 && !stopping; i++) await new Promise((r) => setTimeout(r, 10));
    await stopping;
    expect(calls).toHaveLength(1);
    expect(await job(id)).toMatchObject({ status: 'running', scored: 4, chunks: 1, cursor: 'b004' });
    runner.kick(); // stopped: does nothing
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(1);
  });
});
