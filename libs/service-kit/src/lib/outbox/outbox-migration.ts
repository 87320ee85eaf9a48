import type { MigrationInterface, QueryRunner } from 'typeorm';

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The migration that creates a service's transactional outbox table in its own schema: an event is
 * written in the same transaction as the change that causes it, one row per destination (a consumer
 * service or a webhook URL), then relayed and retried by `Outbox`. Every service's first migration;
 * `timestamp` is the one the service recorded it under (its name stays `Outbox<timestamp>`), so
 * databases migrated before this factory existed see the same migration.
 */
export function outboxMigration(schema: string, timestamp: number): new () => MigrationInterface {
  if (!SCHEMA.test(schema)) throw new Error(`invalid schema name for the outbox: ${JSON.stringify(schema)}`);
  const table = `"${schema}".outbox`;
  return class OutboxMigration implements MigrationInterface {
    name = `Outbox${timestamp}`;

    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE TABLE ${table} (
        id bigserial PRIMARY KEY,
        pattern text NOT NULL,
        destination text NOT NULL,
        payload jsonb NOT NULL,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        available_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
      await q.query(`CREATE INDEX outbox_pending_idx ON ${table} (available_at, id) WHERE published_at IS NULL`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${table}`);
    }
  };
}
