import { callService, createTestDatabase, startTestService, type JsonObject, type TestDatabase, type TestService } from '@mlp/service-kit/testing';
import type { Pool } from 'pg';
import { service } from '../../service';
import { AppModule } from '../app.module';
import { ORDER_WITHIN_7D_SPEC } from '../test-fixtures/model-spec-fixtures';
import { testPool } from '../test-fixtures/test-pool';

// The trainer's run and version lists walked page by page over HTTP against a real PostgreSQL:
// the pages together must be the whole list in order, each row once, also when rows share a
// creation time and when runs are added between two pages.
describe('cursor pagination of runs and versions', () => {
  let db: TestDatabase;
  let svc: TestService;
  let pool: Pool;

  const insertRuns = (model: string, n: number, status: string, secondsAgo: string) =>
    pool.query(
      `INSERT INTO registry.training_runs (id, model, status, trigger, spec, spec_hash, seed, data_end, code_version, created_at)
       SELECT gen_random_uuid(), $1, $2, 'api', '{}'::jsonb, 'x', 1, now(), 'test', now() - (${secondsAgo}) * interval '1 second'
         FROM generate_series(1, $3) AS i`,
      [model, status, n],
    );

  async function walk(path: string, key: 'runs' | 'versions', limit: number, from: string | null = null): Promise<{ ids: Array<string | number>; pages: number }> {
    const ids: Array<string | number> = [];
    let cursor: string | null = from;
    let pages = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await callService<JsonObject>(svc, 'GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      const rows = res.json[key] as Array<{ id?: string; version?: number }>;
      expect(rows.length).toBeLessThanOrEqual(limit);
      ids.push(...rows.map((r) => (key === 'runs' ? (r.id as string) : (r.version as number))));
      cursor = res.json['nextCursor'] as string | null;
      pages++;
      if (cursor !== null) expect(rows).toHaveLength(limit);
    } while (cursor !== null && pages < 1000);
    return { ids, pages };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    svc = await startTestService(service, AppModule, { db, env: { TRAINER_CONCURRENCY: '0', TRAINER_SCHEDULER_MS: '0', MIGRATE_ON_START: 'true' } });
    pool = testPool({ connectionString: db.url, max: 2 });
    for (const name of ['paged', 'other']) {
      await pool.query(`INSERT INTO registry.models (name, spec, spec_hash) VALUES ($1, $2::jsonb, 'x')`, [name, JSON.stringify({ ...ORDER_WITHIN_7D_SPEC, name })]);
    }
    // Groups of three runs share a creation time (ties broken by id); other models' runs interleave.
    await insertRuns('paged', 700, 'succeeded', 'i / 3');
    await insertRuns('paged', 55, 'failed', 'i * 7');
    await insertRuns('other', 300, 'succeeded', '1 + i / 2.0'); // all older than the runs the test adds later (0 s ago)
    await pool.query(
      `INSERT INTO registry.model_versions (model, version, algorithm, artifact, sha256, lineage)
       SELECT 'paged', v, 'logistic', '\\x7b7d'::bytea, repeat('a', 64), '{}'::jsonb FROM generate_series(1, 250) AS v`,
    );
  }, 120000);

  afterAll(async () => {
    await pool.end();
    await svc.close();
    await db.drop();
  });

  it.each([
    ['one model', '/v1/training-runs?model=paged', `model = 'paged'`, 100],
    ['all runs', '/v1/training-runs', 'true', 97],
    ['one status', '/v1/training-runs?status=failed', `status = 'failed'`, 20],
  ])('pages through %s: every run once, newest first', async (_what, path, where, limit) => {
    const { rows } = await pool.query(`SELECT id FROM registry.training_runs WHERE ${where} ORDER BY created_at DESC, id DESC`);
    const { ids, pages } = await walk(path, 'runs', limit);
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.max(1, Math.ceil(rows.length / limit)));
  });

  it('neither repeats nor skips a run when runs are created between two pages', async () => {
    const first = await callService<JsonObject>(svc, 'GET', '/v1/training-runs?model=other&limit=50');
    await insertRuns('other', 5, 'succeeded', '0');
    const rest = await walk('/v1/training-runs?model=other', 'runs', 50, first.json['nextCursor'] as string);
    const seen = [...(first.json['runs'] as Array<{ id: string }>).map((r) => r.id), ...rest.ids];
    const { rows } = await pool.query(`SELECT id FROM registry.training_runs WHERE model = 'other' AND created_at < now() - interval '0.5 second' ORDER BY created_at DESC, id DESC`);
    expect(seen).toEqual(rows.map((r) => r.id)); // the 300 there when the walk began, each once; the new ones are on a new first page
  });

  it('pages through versions, newest first, and ends with a null cursor', async () => {
    const { ids, pages } = await walk('/v1/models/paged/versions', 'versions', 60);
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => 250 - i));
    expect(pages).toBe(5);
    const all = await callService<JsonObject>(svc, 'GET', '/v1/models/paged/versions');
    expect([(all.json['versions'] as unknown[]).length, all.json['nextCursor']]).toEqual([100, expect.any(String)]);
  });

  it('refuses a cursor it did not give out, and a bad limit, with 400', async () => {
    const runsCursor = (await callService<JsonObject>(svc, 'GET', '/v1/training-runs?limit=1')).json['nextCursor'] as string;
    for (const path of [
      '/v1/training-runs?cursor=abc!',
      `/v1/models/paged/versions?cursor=${encodeURIComponent(runsCursor)}`,
      '/v1/training-runs?cursor=WyIxIiwiMiJd',
    ]) {
      const res = await callService<JsonObject>(svc, 'GET', path);
      expect([res.status, res.json['code']]).toEqual([400, 'INVALID_CURSOR']);
    }
    for (const path of ['/v1/training-runs?limit=0', '/v1/training-runs?limit=501', '/v1/models/paged/versions?limit=x']) {
      expect((await callService(svc, 'GET', path)).status).toBe(400);
    }
  });
});
