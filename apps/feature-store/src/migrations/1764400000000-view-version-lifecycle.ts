import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Immutable feature view versions and their life online. Every change of a view's data (entities,
 * features, source SQL, timestamp field, ttl) now makes a new version, so older versions are what
 * models were trained on and must keep being served while they are in use:
 *
 * - `superseded_at`: when a newer version became the head (the idle clock of retirement starts
 *   there). Versions that are not the head today get the time of this migration (when they were
 *   superseded is not known; this gives them a full idle period).
 * - `last_online_read_at`: the last online read of the version, flushed by the replicas.
 * - `retired_at`, `retired_reason`: the version is no longer materialized or served online
 *   (still readable offline); `online_dropped_at` once its online values are deleted (a separate
 *   step: Redis is outside the transaction, so the janitor repeats it until it succeeds).
 * - `freshness_state` is kept per version (every live version is watched), so its key becomes
 *   (view, version); existing rows belong to the head.
 */
export class ViewVersionLifecycle1764400000000 implements MigrationInterface {
  name = 'ViewVersionLifecycle1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "features".feature_views
      ADD COLUMN superseded_at timestamptz,
      ADD COLUMN last_online_read_at timestamptz,
      ADD COLUMN retired_at timestamptz,
      ADD COLUMN retired_reason text,
      ADD COLUMN online_dropped_at timestamptz`);
    await q.query(`UPDATE "features".feature_views v SET superseded_at = now()
      FROM "features".feature_view_heads h WHERE h.name = v.name AND h.version <> v.version`);
    await q.query(`ALTER TABLE "features".freshness_state ADD COLUMN version integer`);
    await q.query(`UPDATE "features".freshness_state f SET version = h.version FROM "features".feature_view_heads h WHERE h.name = f.view`);
    await q.query(`DELETE FROM "features".freshness_state WHERE version IS NULL`);
    await q.query(`ALTER TABLE "features".freshness_state ALTER COLUMN version SET NOT NULL, DROP CONSTRAINT freshness_state_pkey, ADD PRIMARY KEY (view, version)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "features".freshness_state f USING "features".feature_view_heads h WHERE h.name = f.view AND h.version <> f.version`);
    await q.query(`ALTER TABLE "features".freshness_state DROP CONSTRAINT freshness_state_pkey, DROP COLUMN version, ADD PRIMARY KEY (view)`);
    await q.query(`ALTER TABLE "features".feature_views DROP COLUMN superseded_at, DROP COLUMN last_online_read_at, DROP COLUMN retired_at, DROP COLUMN retired_reason, DROP COLUMN online_dropped_at`);
  }
}
