import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The kit's transactional outbox, the one table in the console's schema: the console owns no data
 * (everything it shows comes from the four services' APIs), but every service relays an outbox.
 */
export class Outbox1766500000000 implements MigrationInterface {
  name = 'Outbox1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "console".outbox (
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
    await q.query(`CREATE INDEX outbox_pending_idx ON "console".outbox (available_at, id) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "console".outbox`);
  }
}
