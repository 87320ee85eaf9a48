import { ModelDriftDetectedEvent } from '@mlp/contracts';
import { createLogger } from '@mlp/runtime';
import type { Outbox, PlatformConfig } from '@mlp/service-kit';
import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import type { Pool } from 'pg';
import { migrateServingSchema, poolDatabase, testPool } from '../../testing/serving-database';
import { DriftAlerts } from './drift-alerts';

// The alerts' cooldown SQL against a real PostgreSQL. The outbox stand-in writes the event row
// through the transaction it is given, as the kit's outbox does, so an event exists only if the
// claim that allowed it committed; each pool stands for one replica.
const config = { env: { DRIFT_ALERT_COOLDOWN_MS: 3_600_000, DRIFT_ALERT_PSI: 0.25, DRIFT_WINDOW: 200 } } as unknown as PlatformConfig;
const log = createLogger('drift-alerts-test', 'silent');

const outboxOn = (pool: Pool) =>
  ({
    publish: async (event: { pattern: string; payload: { parse(v: unknown): unknown } }, payload: unknown, tx: { query(sql: string, params: unknown[]): Promise<unknown> }) => {
      event.payload.parse(payload); // what the kit checks before it writes
      await tx.query(`INSERT INTO "serving".outbox (pattern, destination, payload) VALUES ($1, 'trainer', $2::jsonb)`, [event.pattern, JSON.stringify(payload)]);
    },
    pool,
  }) as unknown as Outbox;

describe('drift alerts on a real PostgreSQL', () => {
  let db: TestDatabase;
  let pools: Pool[];
  let alerts: DriftAlerts[];
  const connected = { value: true };

  const events = async (model: string) =>
    (await pools[0].query(`SELECT payload FROM "serving".outbox WHERE pattern = $1 AND payload->>'model' = $2 ORDER BY id`, [ModelDriftDetectedEvent.pattern, model])).rows.map(
      (r) => r.payload as { model: string; version: number; features: Array<{ feature: string; psi: number }>; threshold: number; window: number; at: string },
    );
  const breach = (...features: string[]) => features.map((feature, i) => ({ feature, psi: 0.3 + i / 10 }));

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateServingSchema(db.url);
    pools = [testPool(db.url), testPool(db.url)];
    alerts = pools.map((p) => new DriftAlerts(poolDatabase(p, connected), outboxOn(p), config, log));
  }, 60000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  it('publishes model.drift.detected.v1 with the breached features, threshold and window', async () => {
    const before = Date.now();
    expect(await alerts[0].raise({ name: 'payload', version: 3 }, breach('v:x', 'v:y'))).toBe(true);
    const [event] = await events('payload');
    expect(event).toEqual({ model: 'payload', version: 3, features: [{ feature: 'v:x', psi: 0.3 }, { feature: 'v:y', psi: 0.4 }], threshold: 0.25, window: 200, at: expect.any(String) });
    expect(Date.parse(event.at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('alerts once per cooldown, again when another feature starts drifting, never for flapping ones', async () => {
    const m = { name: 'cooldown', version: 1 };
    expect(await alerts[0].raise(m, breach('v:a'))).toBe(true);
    expect(await alerts[0].raise(m, breach('v:a'))).toBe(false);
    expect(await alerts[0].raise(m, breach('v:a', 'v:b'))).toBe(true); // b is new
    expect(await alerts[0].raise(m, breach('v:b'))).toBe(false); // a stopped, b alerted already
    expect(await alerts[0].raise(m, breach('v:a'))).toBe(false); // a back: alerted in this period
    expect(await alerts[1].raise({ name: 'cooldown', version: 2 }, breach('v:a'))).toBe(true); // another version has its own cooldown
    expect((await events('cooldown')).map((e) => [e.version, e.features.map((f) => f.feature)])).toEqual([
      [1, ['v:a']],
      [1, ['v:a', 'v:b']],
      [2, ['v:a']],
    ]);
  });

  it('starts a new period after the cooldown, with only the features then in breach', async () => {
    const m = { name: 'expired', version: 1 };
    expect(await alerts[0].raise(m, breach('v:a', 'v:b'))).toBe(true);
    await pools[0].query(`UPDATE "serving".drift_alerts SET last_alert_at = now() - interval '61 minutes' WHERE model = 'expired'`);
    expect(await alerts[0].raise(m, breach('v:a'))).toBe(true);
    expect(await alerts[0].raise(m, breach('v:a'))).toBe(false);
    // The new period remembers a only: b drifting again alerts.
    expect(await alerts[0].raise(m, breach('v:b'))).toBe(true);
    expect((await events('expired')).map((e) => e.features.map((f) => f.feature))).toEqual([['v:a', 'v:b'], ['v:a'], ['v:b']]);
  });

  it('lets only one of two replicas alert the same breach at the same moment', async () => {
    const m = { name: 'race', version: 1 };
    for (let round = 0; round < 10; round++) {
      await pools[0].query(`DELETE FROM "serving".drift_alerts WHERE model = 'race'`);
      const results = await Promise.all(alerts.map((a) => a.raise(m, breach('v:a'))));
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    expect(await events('race')).toHaveLength(10);
  });

  it('publishes nothing without a breach or while the database is away', async () => {
    const m = { name: 'quiet', version: 1 };
    expect(await alerts[0].raise(m, [])).toBe(false);
    connected.value = false;
    try {
      expect(await alerts[0].raise(m, breach('v:a'))).toBe(false);
    } finally {
      connected.value = true;
    }
    expect(await events('quiet')).toEqual([]);
    // The breach still alerts once the database is back (no cooldown was claimed meanwhile).
    expect(await alerts[0].raise(m, breach('v:a'))).toBe(true);
  });
});
