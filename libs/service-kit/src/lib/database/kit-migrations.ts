import type { DataSource } from 'typeorm';

/**
 * The kit's own changes to tables it manages in every service's schema, applied by `runMigrations`
 * right after the service's migrations, under the same advisory lock. They are idempotent and check
 * before they change anything (no table lock when there is nothing to do), and they follow the
 * service's migrations whatever their timestamps, so a service that creates its outbox later
 * (a generated one) gets them too.
 */
export async function applyKitSchema(ds: DataSource, schema: string): Promise<string[]> {
  const applied: string[] = [];
  const [table] = await ds.query(`SELECT to_regclass($1) AS t`, [`"${schema}".outbox`]);
  if (!table?.t) return applied;
  // Webhook deliveries that used up their attempts are kept as dead letters, to be read and
  // redelivered through the API, instead of being retried forever.
  const [column] = await ds.query(`SELECT 1 AS present FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'outbox' AND column_name = 'dead_at'`, [schema]);
  if (!column) {
    await ds.query(`ALTER TABLE "${schema}".outbox ADD COLUMN dead_at timestamptz`);
    await ds.query(`CREATE INDEX IF NOT EXISTS outbox_dead_idx ON "${schema}".outbox (id) WHERE dead_at IS NOT NULL`);
    applied.push('kit: outbox.dead_at');
  }
  return applied;
}
