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
