import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import type { Pool } from 'pg';
import { migrateServingSchema, poolDatabase, testPool } from '../../testing/serving-database';
import { nextRun, type JobRow } from './batch-job';
import { BatchJobQueue } from './batch-job-queue';

// The runners' SQL on serving.batch_jobs against a real PostgreSQL, each "replica" a queue on its own pool.
describe('batch job queue on a real PostgreSQL', () => {
  let db: TestDatabase;
  let pools: Pool[];
  let queues: BatchJobQueue[];

  const insertJob = async (fields: Partial<Record<string, unknown>> = {}): Promise<string> => {
    const row = {
      model: 'churn',
      source: { mart: 'mart_user_profile', key: 'user_id' },
      chunk_size: 5,
      status: 'queued',
      results: { table: 'scores_churn', mode: 'replace' },
      features: { mode: 'online' },
      ...fields,
    };
    const columns = Object.keys(row);
    const values = Object.values(row).map((v) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v));
    const { rows } = await pools[0].query(`INSERT INTO "serving".batch_jobs (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`, values);
    return String(rows[0].id);
  };
  const jobRow = async (id: string) => (await pools[0].query(`SELECT *, lease_until > now() AS leased FROM "serving".batch_jobs WHERE id = $1`, [id])).rows[0] as JobRow & { leased: boolean | null; lease_until: Date | null };
  const predictions = async (id: string) =>
    (await pools[0].query(`SELECT run, entity_key, version, score, feature_statuses FROM "serving".batch_predictions WHERE job_id = $1 ORDER BY run, entity_key`, [id])).rows;
  const chunk = (keys: string[], asOf: string | null = null) => ({
    keys,
    scores: keys.map((_, i) => i / 10),
    outputs: keys.map((_, i) => [i / 10, 1 - i / 10]),
    statuses: keys.map(() => ({ 'v:x': 'PRESENT' as const })),
    asOf,
  });
  const warehouse = async (table: string) =>
    (await pools[0].query(`SELECT job_id::text AS job, run, model, version, user_id, as_of, score, outputs FROM dwh."${table}" ORDER BY job_id, run, user_id`)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateServingSchema(db.url);
    pools = [testPool(db.url), testPool(db.url)];
    await pools[0].query('CREATE SCHEMA dwh');
    queues = pools.map((p) => new BatchJobQueue(poolDatabase(p)));
  }, 60000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  beforeEach(async () => {
    await pools[0].query(`DELETE FROM "serving".batch_jobs`);
    await pools[0].query(`DROP TABLE IF EXISTS dwh.scores_churn, dwh.scores_kept`);
  });

  it('never gives one job to two replicas claiming at the same time, and leaves jobs not yet due', async () => {
    const due = await Promise.all(Array.from({ length: 16 }, () => insertJob()));
    const later = await insertJob({ next_run_at: new Date(Date.now() + 3_600_000) });
    const claimed: string[] = [];
    const claimer = async (q: BatchJobQueue) => {
      for (let job = await q.claim(); job; job = await q.claim()) claimed.push(job.id);
    };
    await Promise.all([claimer(queues[0]), claimer(queues[0]), claimer(queues[1]), claimer(queues[1])]);
    expect([...claimed].sort()).toEqual([...due].sort());
    const row = await jobRow(due[0]);
    expect([row.status, row.leased, row.started_at !== null]).toEqual(['running', true, true]);
    expect((await jobRow(later)).status).toBe('queued');
  });

  it('takes over a running job whose lease expired, at its cursor, in the same run', async () => {
    const id = await insertJob({ status: 'running', run: 2, cursor: 'b010', scored: 10, chunks: 2, version: 4, lease_until: new Date(Date.now() - 1000), started_at: new Date('2026-12-01T00:00:00Z') });
    const held = await insertJob({ status: 'running', lease_until: new Date(Date.now() + 30_000) });
    const job = await queues[1].claim();
    expect(job).toMatchObject({ id, status: 'running', run: 2, cursor: 'b010', chunks: 2, version: 4 });
    expect(Number(job?.scored)).toBe(10);
    expect(new Date(job?.started_at as Date).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(await queues[0].claim()).toBeUndefined(); // the other one's lease holds
    expect((await jobRow(held)).status).toBe('running');
  });

  it('starts a due scheduled job as a new run from the first key, with the version chosen afresh', async () => {
    const id = await insertJob({ status: 'scheduled', schedule: '0 3 * * *', run: 3, cursor: 'b025', scored: 25, chunks: 5, version: 2, pinned_version: null, next_run_at: new Date(Date.now() - 1000) });
    const job = await queues[0].claim();
    expect(job).toMatchObject({ id, run: 4, cursor: null, chunks: 0, version: null, error: null, finished_at: null });
    expect(Number(job?.scored)).toBe(0);
  });

  it('writes a chunk with the cursor past its last key, and nothing once the job was cancelled', async () => {
    const id = await insertJob();
    const job = (await queues[0].claim()) as JobRow;
    await queues[0].pinVersion(id, 7);
    expect(await queues[0].commitChunk(job, 7, chunk(['b001', 'b002']))).toBe(true);
    expect(await queues[0].commitChunk(job, 7, chunk(['b003']))).toBe(true);
    expect(await jobRow(id)).toMatchObject({ cursor: 'b003', scored: '3', chunks: 2, version: 7 });
    expect(await predictions(id)).toEqual([
      { run: 1, entity_key: 'b001', version: 7, score: 0, feature_statuses: { 'v:x': 'PRESENT' } },
      { run: 1, entity_key: 'b002', version: 7, score: 0.1, feature_statuses: { 'v:x': 'PRESENT' } },
      { run: 1, entity_key: 'b003', version: 7, score: 0, feature_statuses: { 'v:x': 'PRESENT' } },
    ]);
    await pools[0].query(`UPDATE "serving".batch_jobs SET status = 'cancelled' WHERE id = $1`, [id]);
    expect(await queues[0].commitChunk(job, 7, chunk(['b004']))).toBe(false);
    expect(await jobRow(id)).toMatchObject({ status: 'cancelled', cursor: 'b003', scored: '3', chunks: 2 });
    expect(await predictions(id)).toHaveLength(3);
  });

  it('finishes a one-off job as succeeded and a scheduled one as due at its next cron time', async () => {
    const once = await insertJob();
    const cron = await insertJob({ schedule: '0 3 * * *', next_run_at: new Date(Date.now() - 1000) });
    const jobs = [(await queues[0].claim()) as JobRow, (await queues[0].claim()) as JobRow];
    for (const job of jobs) await queues[0].finish(job);
    const expectedNext = nextRun('0 3 * * *').toISOString();
    expect(await jobRow(once)).toMatchObject({ status: 'succeeded', lease_until: null });
    const scheduled = await jobRow(cron);
    expect([scheduled.status, new Date(scheduled.next_run_at as Date).toISOString(), scheduled.lease_until, scheduled.finished_at !== null]).toEqual(['scheduled', expectedNext, null, true]);
  });

  it('queues an interrupted job again after the retry delay, or fails it, with its error', async () => {
    const outage = await insertJob();
    const mistake = await insertJob();
    expect([(await queues[0].claim())?.id, (await queues[0].claim())?.id].sort()).toEqual([outage, mistake].sort());
    const before = Date.now();
    await queues[0].interrupt(outage, 'queued', 'feature store down: '.padEnd(1500, 'x'), 60_000);
    await queues[0].interrupt(mistake, 'failed', 'the entity query failed', 60_000);
    const queued = await jobRow(outage);
    expect([queued.status, queued.error?.length, queued.lease_until, queued.finished_at]).toEqual(['queued', 1000, null, null]);
    expect(new Date(queued.next_run_at as Date).getTime()).toBeGreaterThanOrEqual(before + 59_000);
    expect(await queues[0].claim()).toBeUndefined(); // not due before the delay
    const failed = await jobRow(mistake);
    expect([failed.status, failed.error, failed.finished_at !== null]).toEqual(['failed', 'the entity query failed', true]);
  });

  it('publishes a finished run to its warehouse table with every output and the time its features were taken', async () => {
    const id = await insertJob({ results: { table: 'scores_kept', mode: 'append' }, features: { mode: 'point_in_time', asOf: '2026-11-30T12:00:00Z' } });
    const job = (await queues[0].claim()) as JobRow;
    await queues[0].commitChunk(job, 3, chunk(['b001', 'b002'], '2026-11-30T12:00:00Z'));
    // Nothing reaches the warehouse before the run is complete.
    expect((await pools[0].query(`SELECT to_regclass('dwh.scores_kept') AS t`)).rows[0].t).toBeNull();
    expect(await queues[0].finish(job)).toBe(true);
    const asOf = new Date('2026-11-30T12:00:00Z');
    expect(await warehouse('scores_kept')).toEqual([
      { job: id, run: 1, model: 'churn', version: 3, user_id: 'b001', as_of: asOf, score: 0, outputs: [0, 1] },
      { job: id, run: 1, model: 'churn', version: 3, user_id: 'b002', as_of: asOf, score: 0.1, outputs: [0.1, 0.9] },
    ]);
  });

  it('replaces the table with each run in replace mode, and keeps every run in append mode', async () => {
    const runTwice = async (mode: 'replace' | 'append', table: string) => {
      const id = await insertJob({ results: { table, mode }, schedule: '0 3 * * *' });
      for (const keys of [['b001', 'b002'], ['b003']]) {
        await pools[0].query(`UPDATE "serving".batch_jobs SET next_run_at = now() - interval '1 second' WHERE id = $1`, [id]);
        const job = (await queues[0].claim()) as JobRow;
        await queues[0].commitChunk(job, 1, chunk(keys));
        await queues[0].finish(job);
      }
      return (await warehouse(table)).map((r) => `${r.run}:${r.user_id}`);
    };
    expect(await runTwice('replace', 'scores_churn')).toEqual(['2:b003']);
    expect(await runTwice('append', 'scores_kept')).toEqual(['1:b001', '1:b002', '2:b003']);
  });

  it('publishes nothing for a run cancelled before it finished', async () => {
    const id = await insertJob();
    const job = (await queues[0].claim()) as JobRow;
    await queues[0].commitChunk(job, 1, chunk(['b001']));
    await pools[0].query(`UPDATE "serving".batch_jobs SET status = 'cancelled' WHERE id = $1`, [id]);
    expect(await queues[0].finish(job)).toBe(false);
    expect((await pools[0].query(`SELECT to_regclass('dwh.scores_churn') AS t`)).rows[0].t).toBeNull();
  });
});
