import type { ApplyRequest } from '@mlp/contracts';
import { Client } from 'pg';

/** The published marts (as dwh-ingest defines them), created by tests in their own database. */
export async function createMarts(databaseUrl: string): Promise<void> {
  await sql(databaseUrl, async (c) => {
    await c.query(`CREATE SCHEMA IF NOT EXISTS dwh`);
    await c.query(`CREATE TABLE IF NOT EXISTS dwh.mart_user_profile (user_id text PRIMARY KEY, signup_date date, country text, plan text, updated_at timestamptz)`);
    await c.query(`CREATE TABLE IF NOT EXISTS dwh.mart_user_activity_daily (
      user_id text, activity_date date, page_views int, product_views int, add_to_carts int, checkouts int, orders int,
      revenue numeric(12,2), updated_at timestamptz, PRIMARY KEY (user_id, activity_date))`);
  });
}

export async function sql<T>(databaseUrl: string, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

export interface ActivityRow {
  user_id: string;
  activity_date: string;
  orders: number;
  revenue?: number;
  page_views?: number;
}

export async function insertActivity(databaseUrl: string, rows: ActivityRow[]): Promise<void> {
  await sql(databaseUrl, (c) =>
    c.query(
      `INSERT INTO dwh.mart_user_activity_daily (user_id, activity_date, page_views, product_views, add_to_carts, checkouts, orders, revenue, updated_at)
       SELECT u, d::date, pv, 0, 0, 0, o, r, now() FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::numeric[]) AS x(u, d, o, pv, r)
       ON CONFLICT (user_id, activity_date) DO UPDATE SET orders = EXCLUDED.orders, revenue = EXCLUDED.revenue, page_views = EXCLUDED.page_views, updated_at = now()`,
      [rows.map((r) => r.user_id), rows.map((r) => r.activity_date), rows.map((r) => r.orders), rows.map((r) => r.page_views ?? 0), rows.map((r) => r.revenue ?? 0)],
    ),
  );
}

/** A direct (no window) view over the daily mart: values as of the end of each activity day. */
export const ACTIVITY_DEFINITIONS: ApplyRequest = {
  entities: [{ name: 'customer', join_key: 'user_id', value_type: 'string' }],
  feature_views: [
    {
      name: 'daily_activity',
      entities: ['customer'],
      features: [
        { name: 'orders', type: 'int64' },
        { name: 'revenue', type: 'float64' },
      ],
      source: {
        sql: `SELECT user_id, (activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp, orders, revenue FROM dwh.mart_user_activity_daily`,
      },
      ttl_seconds: 2 * 86400,
      online: true,
      owner: 'tests',
    },
    {
      name: 'profile',
      entities: ['customer'],
      features: [
        { name: 'country', type: 'string' },
        { name: 'plan', type: 'string' },
      ],
      source: { sql: `SELECT user_id, updated_at AS event_timestamp, country, plan FROM dwh.mart_user_profile` },
      ttl_seconds: 365 * 86400,
      online: true,
    },
  ],
  feature_services: [{ name: 'churn', features: ['daily_activity:orders', 'daily_activity:revenue', 'profile:country'] }],
};

/** Parses an NDJSON training set: data rows and the final `_metadata` line. */
export function parseTrainingSet(text: string): { rows: Array<Record<string, unknown>>; metadata: Record<string, unknown>; body: string } {
  const lines = text.split('\n').filter(Boolean);
  const last = JSON.parse(lines[lines.length - 1]) as { _metadata: Record<string, unknown> };
  const bodyEnd = text.lastIndexOf(lines[lines.length - 1]);
  return { rows: lines.slice(0, -1).map((l) => JSON.parse(l)), metadata: last._metadata, body: text.slice(0, bodyEnd) };
}
