import type { ModelSpec } from '@mlp/contracts';
import type { Database, Outbox } from '@mlp/service-kit';
import { createTestDatabase, startTestService, type TestDatabase } from '@mlp/service-kit/testing';
import { Pool } from 'pg';
import { service } from '../../service';
import { ORDER_WITHIN_7D_SPEC } from '../test-fixtures/model-spec-fixtures';
import { AppModule } from '../app.module';
import { RunQueue } from './run-queue';
import { testPool } from '../test-fixtures/test-pool';

// The queue's own SQL against a real PostgreSQL, each "replica" with its own connection pool; the
// events it publishes are recorded with whether they were part of a transaction.
const published: Array<{ pattern: string; payload: Record<string, unknown>; inTransaction: boolean }> = [];
const queueOn = (pool: Pool) => {
  const database = {
    query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows,
    transaction: async <T>(work: (m: unknown) => Promise<T>): Promise<T> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const manager = { inTransaction: true, query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows };
        const out = await work(manager);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    },
  };
  const outbox = {
    publish: async (event: { pattern: string }, payload: Record<string, unknown>, m?: { inTransaction?: boolean }) => {
      published.push({ pattern: event.pattern, payload, inTransaction: m?.inTransaction === true });
    },
  };
  return new RunQueue(database as unknown as Database, outbox as unknown as Outbox);
};

describe('training run queue on a real PostgreSQL', () => {
  let db: TestDatabase;
  let pools: Pool[];
  const models = Array.from({ length: 24 }, (_, i) => `model_${i}`);

  beforeAll(async () => {
    db = await createTestDatabase();
    // Migrations through the real service, then it stops: the queues below are the replicas.
    const svc = await startTestService(service, AppModule, { db, env: { TRAINER_CONCURRENCY: '0', TRAINER_SCHEDULER_MS: '0' } });
    await svc.shutdown('migrated');
    pools = [testPool({ connectionString: db.url, max: 4 }), testPool({ connectionString: db.url, max: 4 })];
    for (const name of models) {
      await pools[0].query(`INSERT INTO registry.models (name, spec, spec_hash) VALUES ($1, $2::jsonb, 'x')`, [name, JSON.stringify({ ...ORDER_WITHIN_7D_SPEC, name })]);
    }
  }, 60000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  const enqueue = (q: RunQueue, model: string, maxAttempts = 3) =>
    q.enqueue({ model, spec: { ...ORDER_WITHIN_7D_SPEC, name: model } as ModelSpec, trigger: 'test', requestedBy: 'test', codeVersion: 'test', maxAttempts });

  it('never gives the same run to two replicas claiming at the same time', async () => {
    const [a, b] = pools.map(queueOn);
    for (const m of models) await enqueue(a, m);
    const claimAll = async (q: RunQueue, owner: string) => {
      const got: string[] = [];
      for (;;) {
        const run = await q.claim(owner, 60000);
        if (!run) return got;
        got.push(run.id);
      }
    };
    try {
      // Four claimers per replica at once: the two replicas race for every row. How the work splits
      // depends on scheduling (one replica may even take it all); what must hold is that no run is
      // handed out twice and every run is handed out once.
      const claimers = (q: RunQueue, owner: string) => Promise.all([0, 1, 2, 3].map(() => claimAll(q, owner))).then((lists) => lists.flat());
      const [byA, byB] = await Promise.all([claimers(a, 'replica-a'), claimers(b, 'replica-b')]);
      const all = [...byA, ...byB];
      expect(new Set(all).size).toBe(all.length);
      expect(all).toHaveLength(models.length);
      const owners = (await pools[0].query(`SELECT lease_owner, count(*)::int AS n FROM registry.training_runs GROUP BY lease_owner ORDER BY lease_owner`)).rows;
      expect(owners).toEqual(
        [
          { lease_owner: 'replica-a', n: byA.length },
          { lease_owner: 'replica-b', n: byB.length },
        ].filter((o) => o.n > 0),
      );
    } finally {
      await pools[0].query(`UPDATE registry.training_runs SET status = 'cancelled', lease_owner = NULL`);
    }
  });

  it('requeues a run whose trainer stopped heart-beating, and the old trainer can no longer write to it', async () => {
    const [a, b] = pools.map(queueOn);
    const run = await enqueue(a, 'model_0');
    expect((await a.claim('killed-trainer', 300))?.id).toBe(run.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(await b.reclaimExpired()).toEqual([{ id: run.id, status: 'queued' }]);
    const retried = await b.claim('healthy-trainer', 60000);
    expect(retried).toMatchObject({ id: run.id, attempts: 2, status: 'running' });
    expect(await a.heartbeat(run.id, 'killed-trainer', 300, 0.5, [], null)).toEqual({ held: false, cancelRequested: false });
    expect(await a.finish(run.id, 'killed-trainer', 'failed', { message: 'x', code: 'X' })).toBe(false);
    expect((await b.get(run.id)).lease_owner).toBe('healthy-trainer');
    await pools[0].query(`UPDATE registry.training_runs SET status = 'cancelled', lease_owner = NULL WHERE id = $1`, [run.id]);
  });

  it('fails a run with LEASE_EXPIRED once its attempts are used up, never leaving it running', async () => {
    const [a] = pools.map(queueOn);
    const run = await enqueue(a, 'model_1', 1);
    await a.claim('killed-trainer', 200);
    await new Promise((r) => setTimeout(r, 400));
    expect(await a.reclaimExpired()).toEqual([{ id: run.id, status: 'failed' }]);
    const row = await a.get(run.id);
    expect(row).toMatchObject({ status: 'failed', lease_owner: null });
    expect(row.error).toMatch(/lost its lease/);
    expect(row.finished_at).not.toBeNull();
    // Reported to the webhooks, in the transaction that failed it; a requeue is not a failure.
    expect(published.filter((e) => e.payload['runId'] === run.id)).toEqual([
      {
        pattern: 'training.run.failed.v1',
        inTransaction: true,
        payload: expect.objectContaining({ runId: run.id, model: 'model_1', attempts: 1, errorCode: 'LEASE_EXPIRED', error: expect.stringMatching(/lost its lease/) }),
      },
    ]);
  });

  it('allows one active run per model and hands a gracefully released run back without using an attempt', async () => {
    const [a] = pools.map(queueOn);
    const run = await enqueue(a, 'model_2');
    await expect(enqueue(a, 'model_2')).rejects.toMatchObject({ status: 409, code: 'RUN_IN_PROGRESS' });
    await a.claim('replica-a', 60000);
    expect(await a.release(run.id, 'replica-a')).toBe(true);
    expect(await a.get(run.id)).toMatchObject({ status: 'queued', attempts: 0, lease_owner: null });
  });
});
