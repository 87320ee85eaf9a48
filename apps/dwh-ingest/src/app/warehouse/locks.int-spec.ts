import { Database } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { OUTCOMES_LOCK, TRANSFORMATIONS_LOCK, withSessionLock } from './locks';

describe('session advisory locks of the warehouse, on a real PostgreSQL', () => {
  let svc: TestService;
  let db: Database;
  const held = (key: string) =>
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = (hashtext($1)::bigint & 4294967295)::oid`, [key]);

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0', OUTCOMES_REFRESH_SECONDS: '0' } });
    db = svc.app.get(Database);
  });
  afterAll(() => svc.close());

  it('lets one holder work at a time, answers busy to the next without waiting, and releases the lock even when the work fails', async () => {
    const key = 'dwh.test.lock';
    const busy = () => new Error('busy');
    let release!: () => void;
    const first = withSessionLock(db, key, busy, () => new Promise<string>((r) => (release = () => r('first'))));
    await new Promise((r) => setTimeout(r, 200));
    expect(await held(key)).toEqual([{ n: 1 }]);
    await expect(withSessionLock(db, key, busy, async () => 'second')).rejects.toThrow('busy');
    release();
    expect(await first).toBe('first');
    expect(await held(key)).toEqual([{ n: 0 }]);
    await expect(withSessionLock(db, key, busy, async () => Promise.reject(new Error('work failed')))).rejects.toThrow('work failed');
    expect(await held(key)).toEqual([{ n: 0 }]);
    expect(await withSessionLock(db, key, busy, async (qr) => (await qr.query(`SELECT 7 AS v`))[0].v)).toBe(7);
  });

  it('answers a transformation run and an outcome refresh with 409 while another session holds their lock', async () => {
    for (const [key, path, code] of [
      [TRANSFORMATIONS_LOCK, '/v1/transformations/run', 'RUN_IN_PROGRESS'],
      [OUTCOMES_LOCK, '/v1/outcomes/refresh', 'REFRESH_IN_PROGRESS'],
    ] as const) {
      let release!: () => void;
      const holder = withSessionLock(db, key, () => new Error('busy'), () => new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 200));
      const res = await callService(svc, 'POST', path, {});
      release();
      await holder;
      expect([path, res.status, res.json['code']]).toEqual([path, 409, code]);
    }
  });
});
