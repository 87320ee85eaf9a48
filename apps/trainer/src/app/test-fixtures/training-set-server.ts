import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import type { SyntheticRow } from './synthetic-purchases';
import { testPool } from './test-pool';

/**
 * A small, real HTTP server implementing the feature store's `POST /v1/historical-features`
 * contract (label_source {sql, start, end}, NDJSON rows with `view__feature` columns, a final
 * `_metadata` line with the fingerprint) over rows in the test's PostgreSQL database: the label SQL
 * runs against `dwh` fixture marts, features are joined from a fixture table by key and timestamp.
 * It stands in for the feature-store service so the trainer's tests do not depend on another app.
 */
export interface TrainingSetServer {
  url: string;
  requests: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function seedSyntheticMarts(pool: Pool, rows: SyntheticRow[]): Promise<void> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS dwh`);
  await pool.query(`CREATE TABLE IF NOT EXISTS dwh.mart_purchase_labels (user_id text, event_timestamp timestamptz, label int, true_probability double precision)`);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS fixture_features`);
  await pool.query(`CREATE TABLE IF NOT EXISTS fixture_features.purchase_propensity (
    user_id text, event_timestamp timestamptz, page_views_7d int, orders_30d int, revenue_30d numeric(12,2), plan text)`);
  await pool.query(
    `INSERT INTO dwh.mart_purchase_labels SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::float8[])`,
    [rows.map((r) => r.user_id), rows.map((r) => r.event_timestamp), rows.map((r) => r.label), rows.map((r) => r.true_probability)],
  );
  await pool.query(
    `INSERT INTO fixture_features.purchase_propensity SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[], $5::numeric[], $6::text[])`,
    [
      rows.map((r) => r.user_id),
      rows.map((r) => r.event_timestamp),
      rows.map((r) => r.activity__page_views_7d),
      rows.map((r) => r.activity__orders_30d),
      rows.map((r) => r.activity__revenue_30d),
      rows.map((r) => r.profile__plan),
    ],
  );
}

export async function startTrainingSetServer(databaseUrl: string): Promise<TrainingSetServer> {
  const pool = testPool({ connectionString: databaseUrl, max: 2 });
  const requests: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.url !== '/v1/historical-features') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found', code: 'ROUTE_NOT_FOUND', details: [] }));
          return;
        }
        const request = JSON.parse(body) as { feature_service: string; label_source: { sql: string; start: string; end: string } };
        requests.push(request);
        if (request.feature_service !== 'purchase_propensity') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unknown feature service', code: 'FEATURE_SERVICE_NOT_FOUND', details: [] }));
          return;
        }
        const { rows } = await pool.query(
          `SELECT l.*, f.page_views_7d AS activity__page_views_7d, f.orders_30d AS activity__orders_30d,
                  f.revenue_30d AS activity__revenue_30d, f.plan AS profile__plan
             FROM (${request.label_source.sql}) l
             LEFT JOIN fixture_features.purchase_propensity f ON f.user_id = l.user_id AND f.event_timestamp = l.event_timestamp
            WHERE l.event_timestamp >= $1 AND l.event_timestamp < $2
            ORDER BY l.event_timestamp, l.user_id`,
          [request.label_source.start, request.label_source.end],
        );
        const hash = createHash('sha256');
        res.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-feature-service-version': '4' });
        for (const row of rows) {
          const line = `${JSON.stringify({ ...row, event_timestamp: (row.event_timestamp as Date).toISOString() })}\n`;
          hash.update(line);
          res.write(line);
        }
        // As the feature store does: the exact view version of every feature column.
        const features = ['activity__page_views_7d', 'activity__orders_30d', 'activity__revenue_30d', 'profile__plan'];
        const featureRefs = features.map((f) => f.replace('__', '@v1:'));
        res.end(`${JSON.stringify({ _metadata: { rows: rows.length, features, feature_refs: featureRefs, fingerprint: `sha256:${hash.digest('hex')}`, created_at: new Date().toISOString() } })}\n`);
      })().catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e), code: 'INTERNAL', details: [] }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      await new Promise((r) => server.close(r));
      await pool.end();
    },
  };
}
