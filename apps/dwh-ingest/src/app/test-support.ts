import type { EventSchemaDocument, SourceDefinition, WarehouseApplyPlan, WarehouseApplyRequest, WarehouseModelDefinition } from '@mlp/contracts';
import { callService, type CallTarget } from '@mlp/service-kit/testing';

let counter = 0;
/** A valid demo track message; override anything. */
export function trackMessage(over: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    type: 'track',
    messageId: `m-${Date.now().toString(36)}-${counter}`,
    userId: 'u1',
    event: 'product_viewed',
    timestamp: '2026-11-20T10:00:00.000Z',
    properties: { product_id: 'p1', price: 9.5 },
    ...over,
  };
}

/** Something `query` can run SQL with (the app's Database, a pg client). */
interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Stores warehouse definitions as `POST /v1/warehouse/apply` leaves them (`dwh.projects`,
 * `dwh.project_objects`), for tests of their consumers (outcomes, KPIs) without the apply API.
 */
export async function storeProjectObjects(db: Queryable, project: string, objects: Array<{ kind: 'outcome' | 'kpi'; name: string; definition: Record<string, unknown> }>): Promise<void> {
  await db.query(`INSERT INTO "dwh".projects (name, version) VALUES ($1, 1) ON CONFLICT (name) DO NOTHING`, [project]);
  for (const o of objects) {
    await db.query(
      `INSERT INTO "dwh".project_objects (kind, name, project, definition, definition_sha256, version)
       VALUES ($1, $2, $3, $4::jsonb, md5($4::text), 1)
       ON CONFLICT (kind, name) DO UPDATE SET definition = EXCLUDED.definition, definition_sha256 = EXCLUDED.definition_sha256, updated_at = now()`,
      [o.kind, o.name, project, JSON.stringify(o.definition)],
    );
  }
}

const isoDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' };
const productId = { type: 'string', minLength: 1, maxLength: 64 };
const money = { type: 'number', minimum: 0 };

/** The shop events the dwh-ingest tests track (each test file applies it as its own project). */
export const TRACKING_PLAN_FIXTURE: EventSchemaDocument[] = [
  {
    name: 'page_viewed',
    version: '1-0-0',
    description: 'A page of the product was shown',
    schema: {
      type: 'object',
      properties: { path: { type: 'string', maxLength: 2048 }, title: { type: 'string', maxLength: 512 }, referrer: { type: 'string', maxLength: 2048 } },
      additionalProperties: false,
    },
  },
  {
    name: 'product_viewed',
    version: '1-0-0',
    description: 'A product detail page was shown',
    schema: { type: 'object', required: ['product_id', 'price'], properties: { product_id: productId, price: money }, additionalProperties: false },
  },
  {
    name: 'added_to_cart',
    version: '1-0-0',
    description: 'A product was added to the cart',
    schema: {
      type: 'object',
      required: ['product_id', 'price', 'quantity'],
      properties: { product_id: productId, price: money, quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
      additionalProperties: false,
    },
  },
  {
    name: 'checkout_started',
    version: '1-0-0',
    description: 'The checkout began',
    schema: { type: 'object', required: ['cart_value'], properties: { cart_value: money }, additionalProperties: false },
  },
  {
    name: 'order_completed',
    version: '1-0-0',
    description: 'An order was placed and paid',
    schema: {
      type: 'object',
      required: ['order_id', 'revenue', 'items'],
      properties: { order_id: { type: 'string', minLength: 1, maxLength: 64 }, revenue: money, items: { type: 'integer', minimum: 1 } },
      additionalProperties: false,
    },
  },
  {
    name: 'identify',
    version: '1-0-0',
    description: 'Traits of a user (identify calls)',
    schema: {
      type: 'object',
      properties: {
        signup_date: isoDate,
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        plan: { type: 'string', enum: ['free', 'plus', 'pro'] },
        email: { type: 'string', maxLength: 320 },
        name: { type: 'string', maxLength: 256 },
      },
      additionalProperties: false,
    },
  },
];

/** Applies warehouse definitions and expects them accepted (the fixtures of a test file). */
export async function applyWarehouse(svc: CallTarget, body: WarehouseApplyRequest, headers: Record<string, string> = {}): Promise<WarehouseApplyPlan> {
  const res = await callService<WarehouseApplyPlan>(svc, 'POST', '/v1/warehouse/apply', body, headers);
  if (res.status !== 200) throw new Error(`apply of ${body.project} answered ${res.status}: ${res.text}`);
  return res.json;
}

/** The tracking plan fixture as a project of its own. */
export const applyTrackingPlan = (svc: CallTarget, headers: Record<string, string> = {}) =>
  applyWarehouse(svc, { project: 'tracking-fixture', event_schemas: TRACKING_PLAN_FIXTURE }, headers);

/** The marketing agency's daily spend, as the import tests declare it (its table exists from an old migration: adopted). */
export const MARKETING_SPEND_FIXTURE: SourceDefinition = {
  name: 'marketing_spend',
  description: 'Daily ad spend per country and channel from the marketing agency',
  columns: [
    { name: 'date', type: 'date', required: true },
    { name: 'country', type: 'text', required: true, pattern: '^[A-Z]{2}$' },
    { name: 'channel', type: 'text', required: true, max_length: 64 },
    { name: 'spend', type: 'numeric', required: true, minimum: 0 },
  ],
};

const window = 'loaded_at >= {{from}} AND loaded_at < {{to}}';

/**
 * The shop DAG the transformation and live-quality tests run (raw events -> staging -> marts, as
 * the demo shop had it), declared as a project of the test. Its marts' tables exist from the old
 * migrations, so applying it also exercises adoption.
 */
export const SHOP_MODELS_FIXTURE: WarehouseModelDefinition[] = [
  {
    name: 'stg_events',
    layer: 'staging',
    materialized: 'incremental',
    unique_key: ['message_id'],
    indexes: [['user_id', 'event_at'], ['loaded_at']],
    sql: `SELECT message_id, type, event, user_id, anonymous_id, derived_at AS event_at, properties, loaded_at, now() AS transformed_at
            FROM events WHERE ${window}`,
    tests: [{ kind: 'unique', columns: ['message_id'] }, { kind: 'not_null', column: 'event_at' }],
  },
  {
    name: 'stg_identifies',
    layer: 'staging',
    materialized: 'view',
    sql: `SELECT message_id, user_id, event_at, loaded_at, properties->>'signup_date' AS signup_date,
                 properties->>'country' AS country, properties->>'plan' AS plan
            FROM stg_events WHERE type = 'identify' AND user_id IS NOT NULL`,
  },
  {
    name: 'stg_orders',
    layer: 'staging',
    materialized: 'view',
    sql: `SELECT properties->>'order_id' AS order_id, user_id, event_at AS ordered_at,
                 (properties->>'revenue')::numeric(12,2) AS revenue, loaded_at
            FROM stg_events WHERE type = 'track' AND event = 'order_completed'`,
  },
  {
    name: 'mart_user_profile',
    layer: 'marts',
    materialized: 'incremental',
    unique_key: ['user_id'],
    sql: `WITH changed AS (SELECT DISTINCT user_id FROM stg_identifies WHERE ${window})
          SELECT i.user_id,
                 ((array_agg(i.signup_date ORDER BY i.event_at DESC) FILTER (WHERE i.signup_date IS NOT NULL))[1])::date AS signup_date,
                 (array_agg(i.country ORDER BY i.event_at DESC) FILTER (WHERE i.country IS NOT NULL))[1] AS country,
                 (array_agg(i.plan ORDER BY i.event_at DESC) FILTER (WHERE i.plan IS NOT NULL))[1] AS plan,
                 now() AS updated_at
            FROM stg_identifies i JOIN changed c ON c.user_id = i.user_id
           GROUP BY i.user_id`,
    freshness: { column: 'updated_at', warn_after: '2h', error_after: '1d' },
    tests: [
      { kind: 'unique', columns: ['user_id'] },
      { kind: 'not_null', column: 'user_id' },
      { kind: 'accepted_values', column: 'plan', values: ['free', 'plus', 'pro'] },
    ],
  },
  {
    name: 'mart_user_activity_daily',
    layer: 'marts',
    materialized: 'incremental',
    unique_key: ['user_id', 'activity_date'],
    sql: `WITH changed AS (
            SELECT DISTINCT user_id, (event_at AT TIME ZONE 'UTC')::date AS activity_date
              FROM stg_events WHERE type = 'track' AND user_id IS NOT NULL AND ${window})
          SELECT c.user_id, c.activity_date,
                 count(*) FILTER (WHERE e.event = 'page_viewed')::int AS page_views,
                 count(*) FILTER (WHERE e.event = 'product_viewed')::int AS product_views,
                 count(*) FILTER (WHERE e.event = 'added_to_cart')::int AS add_to_carts,
                 count(*) FILTER (WHERE e.event = 'checkout_started')::int AS checkouts,
                 count(*) FILTER (WHERE e.event = 'order_completed')::int AS orders,
                 coalesce(sum((e.properties->>'revenue')::numeric) FILTER (WHERE e.event = 'order_completed'), 0)::numeric(12,2) AS revenue,
                 now() AS updated_at
            FROM changed c
            JOIN stg_events e ON e.user_id = c.user_id AND e.type = 'track'
             AND e.event_at >= (c.activity_date::timestamp AT TIME ZONE 'UTC')
             AND e.event_at < ((c.activity_date + 1)::timestamp AT TIME ZONE 'UTC')
           GROUP BY c.user_id, c.activity_date`,
    tests: [
      { kind: 'unique', columns: ['user_id', 'activity_date'] },
      { kind: 'not_null', column: 'user_id' },
      { kind: 'relationships', column: 'user_id', to: 'mart_user_profile', field: 'user_id', severity: 'warn' },
    ],
  },
  {
    name: 'mart_orders',
    layer: 'marts',
    materialized: 'incremental',
    unique_key: ['order_id'],
    sql: `SELECT DISTINCT ON (order_id) order_id, user_id, ordered_at, revenue, now() AS updated_at
            FROM stg_orders WHERE ${window}
           ORDER BY order_id, ordered_at DESC`,
    tests: [
      { kind: 'unique', columns: ['order_id'] },
      { kind: 'not_null', column: 'order_id' },
      { kind: 'not_null', column: 'ordered_at' },
    ],
  },
  {
    name: 'mart_predictions',
    layer: 'marts',
    materialized: 'table',
    unique_key: ['prediction_id'],
    max_age: '1h',
    sql: `SELECT p.prediction_id, p.model, p.version, p.arm, p.entity->>'user_id' AS user_id, p.output, p.predicted_at,
                 (p.predicted_at + interval '7 days' <= now()) AS label_available,
                 count(o.order_id) > 0 AS ordered_within_7d,
                 count(o.order_id)::int AS orders_within_7d,
                 coalesce(sum(o.revenue), 0)::numeric(12,2) AS revenue_within_7d,
                 now() AS updated_at
            FROM prediction_log p
            LEFT JOIN mart_orders o
              ON o.user_id = p.entity->>'user_id' AND o.ordered_at > p.predicted_at AND o.ordered_at <= p.predicted_at + interval '7 days'
           GROUP BY p.prediction_id`,
    tests: [{ kind: 'unique', columns: ['prediction_id'] }, { kind: 'not_null', column: 'predicted_at' }],
  },
  {
    name: 'mart_true_propensity',
    layer: 'marts',
    materialized: 'table',
    unique_key: ['user_id', 'as_of_date'],
    sql: `SELECT user_id, as_of_date, max(p_order_7d)::float8 AS p_order_7d, now() AS updated_at
            FROM src_true_propensity GROUP BY user_id, as_of_date`,
    tests: [{ kind: 'unique', columns: ['user_id', 'as_of_date'] }],
  },
];

export const TRUE_PROPENSITY_FIXTURE: SourceDefinition = {
  name: 'true_propensity',
  columns: [
    { name: 'user_id', type: 'text', required: true, max_length: 128 },
    { name: 'as_of_date', type: 'date', required: true },
    { name: 'p_order_7d', type: 'numeric', required: true, minimum: 0 },
  ],
};

/** The tracking plan and the shop DAG, as one project. */
export const applyShopFixture = (svc: CallTarget) =>
  applyWarehouse(svc, { project: 'shop-fixture', event_schemas: TRACKING_PLAN_FIXTURE, sources: [TRUE_PROPENSITY_FIXTURE], models: SHOP_MODELS_FIXTURE });
