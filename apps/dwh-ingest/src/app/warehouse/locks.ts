import { asDependencyError, type Database } from '@mlp/service-kit';
import type { QueryRunner } from 'typeorm';

/**
 * Advisory lock keys (hashtext of these) of the warehouse. A transformation run holds the first as a
 * session lock; an apply takes both as transaction locks, so applies are serialised and never
 * interleave with a run. An outcome refresh holds the third as a session lock (one replica refreshes).
 */
export const TRANSFORMATIONS_LOCK = 'dwh.transformations';
export const APPLY_LOCK = 'dwh.warehouse.apply';
export const OUTCOMES_LOCK = 'dwh.prediction_outcomes';

/**
 * Runs `work` on a connection of its own that holds the session advisory lock `key` (not waiting: a
 * lock another session holds is `busy()`), unlocking and releasing it afterwards. A database outage
 * is a dependency error (503).
 */
export async function withSessionLock<T>(db: Database, key: string, busy: () => Error, work: (qr: QueryRunner) => Promise<T>): Promise<T> {
  const qr = db.source.createQueryRunner();
  try {
    await qr.connect();
    const [lock] = await qr.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [key]);
    if (!lock.ok) throw busy();
    try {
      return await work(qr);
    } finally {
      await qr.query(`SELECT pg_advisory_unlock(hashtext($1))`, [key]).catch(() => undefined);
    }
  } catch (err) {
    throw asDependencyError(err);
  } finally {
    await qr.release().catch(() => undefined);
  }
}
