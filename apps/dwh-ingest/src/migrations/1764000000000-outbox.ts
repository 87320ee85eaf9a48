import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: an event is written in the same transaction as the change that causes
 * it, one row per destination (a consumer service or a webhook URL), then relayed and retried.
 */
export class Outbox1764000000000 implements MigrationInterface {
  name = 'Outbox1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "dwh".outbox (
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
    await q.query(`CREATE INDEX outbox_pending_idx ON "dwh".outbox (available_at, id) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dwh".outbox`);
  }
}
