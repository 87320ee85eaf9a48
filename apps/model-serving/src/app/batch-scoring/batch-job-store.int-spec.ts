import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import type { Pool } from 'pg';
import { migrateServingSchema, poolDatabase, testPool } from '../../testing/serving-database';
import type { ModelStore } from '../models/model-store';
import { BatchJobStore } from './batch-job-store';
import { BatchSourceReader } from './batch-source-reader';

// The API's batch jobs against a real PostgreSQL; the model store is a stand-in serving `churn` only.
describe('batch job store on a real PostgreSQL', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: BatchJobStore;
  const source = { mart: 'mart_user_profile', key: 'user_id' };
  const count = async () => (await pool.query(`SELECT count(*)::int AS n FROM "serving".batch_jobs`)).rows[0].n as number;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateServingSchema(db.url);
    pool = testPool(db.url);
    await pool.query(`CREATE SCHEMA dwh; CREATE TABLE dwh.mart_user_profile (user_id text)`);
    const database = poolDatabase(pool);
    store = new BatchJobStore(database, { knows: (m: string) => m === 'churn' } as unknown as ModelStore, new BatchSourceReader(database));
  }, 60000);

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('creates a job due at once, with the default chunk size and the pinned version shown', async () => {
    const before = Date.now();
    const job = await store.create({ model: 'churn', version: 3, source });
    expect(job).toMatchObject({ model: 'churn', version: 3, source, chunkSize: 500, schedule: null, status: 'queued', run: 1, scored: 0, chunks: 0, cursor: null, error: null, startedAt: null, finishedAt: null });
    expect(Date.parse(job.nextRunAt as string)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(job.nextRunAt as string)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await store.get(job.id)).toEqual(job);
  });

  it('refuses a model it does not serve, a bad schedule and an unknown source, storing nothing', async () => {
    const before = await count();
    await expect(store.create({ model: 'other', source })).rejects.toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND' });
    await expect(store.create({ model: 'churn', source, schedule: 'every tuesday' })).rejects.toMatchObject({ status: 400, code: 'INVALID_SCHEDULE' });
    await expect(store.create({ model: 'churn', source: { mart: 'mart_nope', key: 'user_id' } })).rejects.toMatchObject({ status: 400, code: 'UNKNOWN_MART' });
    await expect(store.create({ model: 'churn', source: { sql: 'SELECT nope FROM dwh.mart_user_profile', key: 'user_id' } })).rejects.toMatchObject({ status: 400, code: 'INVALID_SQL' });
    expect(await count()).toBe(before);
  });

  it('stores where results go and which features to take, the defaults being scores_<model> replaced and online', async () => {
    expect(await store.create({ model: 'churn', source })).toMatchObject({ results: { table: 'scores_churn', mode: 'replace' }, features: { mode: 'online' } });
    const pit = { mode: 'point_in_time' as const, asOf: '2026-11-30T00:00:00.000Z' };
    const job = await store.create({ model: 'churn', source, results: { table: 'scores_churn_daily', mode: 'append' }, features: pit });
    expect(await store.get(job.id)).toMatchObject({ results: { table: 'scores_churn_daily', mode: 'append' }, features: pit });
  });

  it('refuses a results table that exists for create, or that lacks the columns the job writes, storing nothing', async () => {
    await pool.query(`CREATE TABLE dwh.scores_by_user (job_id bigint, run int, model text, version int, user_id text, as_of timestamptz, score float8, outputs float8[], scored_at timestamptz, loaded_at timestamptz)`);
    await pool.query(`CREATE TABLE dwh.scores_by_customer (job_id bigint, run int, model text, version int, customer_id text, as_of timestamptz, score float8, outputs float8[], scored_at timestamptz, loaded_at timestamptz)`);
    const before = await count();
    await expect(store.create({ model: 'churn', source, results: { table: 'scores_by_user', mode: 'create' } })).rejects.toMatchObject({ status: 409, code: 'RESULTS_TABLE_EXISTS' });
    await expect(store.create({ model: 'churn', source, results: { table: 'scores_by_customer', mode: 'append' } })).rejects.toMatchObject({
      status: 409,
      code: 'RESULTS_TABLE_MISMATCH',
      details: [{ path: '$.results.table', code: 'RESULTS_TABLE_MISMATCH', message: 'user_id' }],
    });
    expect(await count()).toBe(before);
    // A table of the same shape takes another job's runs.
    expect(await store.create({ model: 'churn', source, results: { table: 'scores_by_user', mode: 'append' } })).toMatchObject({ status: 'queued' });
  });

  it('lists the newest jobs first', async () => {
    const a = await store.create({ model: 'churn', source, chunkSize: 10 });
    const b = await store.create({ model: 'churn', source, schedule: '0 3 * * *' });
    const listed = await store.list();
    expect(listed.slice(0, 2).map((j) => [j.id, j.schedule, j.chunkSize])).toEqual([
      [b.id, '0 3 * * *', 500],
      [a.id, null, 10],
    ]);
    expect(listed.map((j) => Number(j.id))).toEqual([...listed.map((j) => Number(j.id))].sort((x, y) => y - x));
  });

  it('cancels a job, once, and answers 404 for ids it does not have', async () => {
    const job = await store.create({ model: 'churn', source });
    const cancelled = await store.cancel(job.id);
    expect([cancelled.status, cancelled.nextRunAt, cancelled.finishedAt !== null]).toEqual(['cancelled', null, true]);
    expect((await store.cancel(job.id)).finishedAt).toBe(cancelled.finishedAt); // cancelling again changes nothing
    for (const id of ['999999', '0', 'abc', '1; DROP TABLE x', '12345678901234567890']) {
      await expect(store.get(id)).rejects.toMatchObject({ status: 404 });
    }
    await expect(store.cancel('999999')).rejects.toMatchObject({ status: 404 });
  });
});
