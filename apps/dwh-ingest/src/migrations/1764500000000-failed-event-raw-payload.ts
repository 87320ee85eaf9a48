import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The exact JSON text of a rejected message that jsonb cannot hold (a U+0000 in a string or key),
 * so such a message is kept byte for byte and replays as what was sent; `payload` then holds a
 * readable copy with U+FFFD in place of each U+0000.
 */
export class FailedEventRawPayload1764500000000 implements MigrationInterface {
  name = 'FailedEventRawPayload1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".failed_events ADD COLUMN payload_raw text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".failed_events DROP COLUMN payload_raw`);
  }
}
