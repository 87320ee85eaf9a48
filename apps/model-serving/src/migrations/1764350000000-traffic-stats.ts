import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-minute request counts and latency histograms per model version, written by every replica as
 * deltas (several rows per minute: one per replica per flush) and summed when read, so the series
 * is right however many replicas serve.
 */
export class TrafficStats1764350000000 implements MigrationInterface {
  name = 'TrafficStats1764350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "serving".traffic_minutes (
      minute timestamptz NOT NULL,
      model text NOT NULL,
      version integer NOT NULL,
      successes integer NOT NULL,
      errors integer NOT NULL,
      client_errors integer NOT NULL,
      latency_buckets smallint[] NOT NULL,
      latency_counts integer[] NOT NULL,
      CHECK (cardinality(latency_buckets) = cardinality(latency_counts))
    )`);
    await q.query(`CREATE INDEX traffic_minutes_model_minute_idx ON "serving".traffic_minutes (model, minute)`);
    await q.query(`CREATE INDEX traffic_minutes_minute_idx ON "serving".traffic_minutes (minute)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "serving".traffic_minutes`);
  }
}
