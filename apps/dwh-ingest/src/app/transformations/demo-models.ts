import type { ModelDefinition } from './model-dag';

const window = 'loaded_at >= {{from}} AND loaded_at < {{to}}';

/**
 * The warehouse DAG: raw events -> staging -> the published marts. Mart shapes are the platform's
 * agreed interface (feature-store and trainer read them); activity days are UTC calendar days.
 */
export const DemoModels: ModelDefinition[] = [
  {
    name: 'stg_events',
    layer: 'staging',
    description: 'Accepted tracking messages with their derived (skew-corrected) event time',
    materialized: 'incremental',
    deps: [],
    sources: [{ table: 'dwh.events', loadedAt: 'loaded_at' }],
    columns: [
      { name: 'message_id', type: 'text' },
      { name: 'type', type: 'text' },
      { name: 'event', type: 'text' },
      { name: 'user_id', type: 'text' },
      { name: 'anonymous_id', type: 'text' },
      { name: 'event_at', type: 'timestamptz' },
      { name: 'properties', type: 'jsonb' },
      { name: 'loaded_at', type: 'timestamptz' },
      { name: 'transformed_at', type: 'timestamptz' },
    ],
    uniqueKey: ['message_id'],
    indexes: [['user_id', 'event_at'], ['loaded_at']],
    watermark: { column: 'loaded_at' },
    sql: `SELECT message_id, type, event, user_id, anonymous_id, derived_at AS event_at, properties, loaded_at, now() AS transformed_at
            FROM "dwh".events WHERE ${window}`,
    tests: [{ kind: 'unique', columns: ['message_id'] }, { kind: 'not_null', column: 'event_at' }],
  },
  {
    name: 'stg_identifies',
    layer: 'staging',
    description: 'Identify calls of known users with their traits as columns',
    materialized: 'view',
    deps: ['stg_events'],
    sql: `SELECT message_id, user_id, event_at, loaded_at, properties->>'signup_date' AS signup_date,
                 properties->>'country' AS country, properties->>'plan' AS plan
            FROM "dwh".stg_events WHERE type = 'identify' AND user_id IS NOT NULL`,
    tests: [],
  },
  {
    name: 'stg_orders',
    layer: 'staging',
    description: 'order_completed events as orders',
    materialized: 'view',
    deps: ['stg_events'],
    sql: `SELECT properties->>'order_id' AS order_id, user_id, event_at AS ordered_at,
                 (properties->>'revenue')::numeric(12,2) AS revenue, loaded_at
            FROM "dwh".stg_events WHERE type = 'track' AND event = 'order_completed'`,
    tests: [],
  },
  {
    name: 'mart_user_profile',
    layer: 'marts',
    description: 'One row per identified user: the latest known value of each trait',
    materialized: 'incremental',
    deps: ['stg_identifies'],
    columns: [
      { name: 'user_id', type: 'text' },
      { name: 'signup_date', type: 'date' },
      { name: 'country', type: 'text' },
      { name: 'plan', type: 'text' },
      { name: 'updated_at', type: 'timestamptz' },
    ],
    uniqueKey: ['user_id'],
    watermark: { column: 'loaded_at' },
    sql: `WITH changed AS (SELECT DISTINCT user_id FROM "dwh".stg_identifies WHERE ${window})
          SELECT i.user_id,
                 ((array_agg(i.signup_date ORDER BY i.event_at DESC) FILTER (WHERE i.signup_date IS NOT NULL))[1])::date AS signup_date,
                 (array_agg(i.country ORDER BY i.event_at DESC) FILTER (WHERE i.country IS NOT NULL))[1] AS country,
                 (array_agg(i.plan ORDER BY i.event_at DESC) FILTER (WHERE i.plan IS NOT NULL))[1] AS plan,
                 now() AS updated_at
            FROM "dwh".stg_identifies i JOIN changed c ON c.user_id = i.user_id
           GROUP BY i.user_id`,
    tests: [
      { kind: 'unique', columns: ['user_id'] },
      { kind: 'not_null', column: 'user_id' },
      { kind: 'accepted_values', column: 'plan', values: ['free', 'plus', 'pro'] },
    ],
  },
  {
    name: 'mart_user_activity_daily',
    layer: 'marts',
    description: 'Per user and UTC day: counts of each product event and revenue',
    materialized: 'incremental',
    // After the profile, so the relationships test sees this run's users.
    deps: ['stg_events', 'mart_user_profile'],
    columns: [
      { name: 'user_id', type: 'text' },
      { name: 'activity_date', type: 'date' },
      { name: 'page_views', type: 'int' },
      { name: 'product_views', type: 'int' },
      { name: 'add_to_carts', type: 'int' },
      { name: 'checkouts', type: 'int' },
      { name: 'orders', type: 'int' },
      { name: 'revenue', type: 'numeric(12,2)' },
      { name: 'updated_at', type: 'timestamptz' },
    ],
    uniqueKey: ['user_id', 'activity_date'],
    watermark: { column: 'loaded_at' },
    // Only the (user, day) groups touched by new events are recomputed, each over all its events.
    sql: `WITH changed AS (
            SELECT DISTINCT user_id, (event_at AT TIME ZONE 'UTC')::date AS activity_date
              FROM "dwh".stg_events WHERE type = 'track' AND user_id IS NOT NULL AND ${window})
          SELECT c.user_id, c.activity_date,
                 count(*) FILTER (WHERE e.event = 'page_viewed')::int AS page_views,
                 count(*) FILTER (WHERE e.event = 'product_viewed')::int AS product_views,
                 count(*) FILTER (WHERE e.event = 'added_to_cart')::int AS add_to_carts,
                 count(*) FILTER (WHERE e.event = 'checkout_started')::int AS checkouts,
                 count(*) FILTER (WHERE e.event = 'order_completed')::int AS orders,
                 coalesce(sum((e.properties->>'revenue')::numeric) FILTER (WHERE e.event = 'order_completed'), 0)::numeric(12,2) AS revenue,
                 now() AS updated_at
            FROM changed c
            JOIN "dwh".stg_events e ON e.user_id = c.user_id AND e.type = 'track'
             AND e.event_at >= (c.activity_date::timestamp AT TIME ZONE 'UTC')
             AND e.event_at < ((c.activity_date + 1)::timestamp AT TIME ZONE 'UTC')
           GROUP BY c.user_id, c.activity_date`,
    tests: [
      { kind: 'unique', columns: ['user_id', 'activity_date'] },
      { kind: 'not_null', column: 'user_id' },
      // Users may be tracked before their first identify call: a warning, not an error.
      { kind: 'relationships', column: 'user_id', to: 'mart_user_profile', field: 'user_id', severity: 'warn' },
    ],
  },
  {
    name: 'mart_orders',
    layer: 'marts',
    description: 'One row per order (labels such as "purchased in the next 7 days" are computed point-in-time from it)',
    materialized: 'incremental',
    deps: ['stg_orders'],
    columns: [
      { name: 'order_id', type: 'text' },
      { name: 'user_id', type: 'text' },
      { name: 'ordered_at', type: 'timestamptz' },
      { name: 'revenue', type: 'numeric(12,2)' },
      { name: 'updated_at', type: 'timestamptz' },
    ],
    uniqueKey: ['order_id'],
    watermark: { column: 'loaded_at' },
    sql: `SELECT DISTINCT ON (order_id) order_id, user_id, ordered_at, revenue, now() AS updated_at
            FROM "dwh".stg_orders WHERE ${window}
           ORDER BY order_id, ordered_at DESC`,
    tests: [
      { kind: 'unique', columns: ['order_id'] },
      { kind: 'not_null', column: 'order_id' },
      { kind: 'not_null', column: 'ordered_at' },
      { kind: 'relationships', column: 'user_id', to: 'mart_user_profile', field: 'user_id', severity: 'warn' },
    ],
  },
  {
    name: 'mart_predictions',
    layer: 'marts',
    description: 'Prediction log joined with outcomes: did the user order within 7 days after the prediction',
    materialized: 'table',
    deps: ['mart_orders'],
    sources: [{ table: 'dwh.prediction_log', loadedAt: 'loaded_at' }],
    // label_available flips as predictions age past 7 days, so the table is rebuilt at least hourly.
    maxAgeSeconds: 3600,
    columns: [
      { name: 'prediction_id', type: 'text' },
      { name: 'model', type: 'text' },
      { name: 'version', type: 'int' },
      { name: 'arm', type: 'text' },
      { name: 'user_id', type: 'text' },
      { name: 'output', type: 'double precision' },
      { name: 'predicted_at', type: 'timestamptz' },
      { name: 'label_available', type: 'boolean' },
      { name: 'ordered_within_7d', type: 'boolean' },
      { name: 'orders_within_7d', type: 'int' },
      { name: 'revenue_within_7d', type: 'numeric(12,2)' },
      { name: 'updated_at', type: 'timestamptz' },
    ],
    uniqueKey: ['prediction_id'],
    sql: `SELECT p.prediction_id, p.model, p.version, p.arm, p.user_id, p.output, p.predicted_at,
                 (p.predicted_at + interval '7 days' <= now()) AS label_available,
                 count(o.order_id) > 0 AS ordered_within_7d,
                 count(o.order_id)::int AS orders_within_7d,
                 coalesce(sum(o.revenue), 0)::numeric(12,2) AS revenue_within_7d,
                 now() AS updated_at
            FROM "dwh".prediction_log p
            LEFT JOIN "dwh".mart_orders o
              ON o.user_id = p.user_id AND o.ordered_at > p.predicted_at AND o.ordered_at <= p.predicted_at + interval '7 days'
           GROUP BY p.prediction_id`,
    tests: [
      { kind: 'unique', columns: ['prediction_id'] },
      { kind: 'not_null', column: 'predicted_at' },
      { kind: 'accepted_values', column: 'arm', values: ['champion', 'challenger', 'shadow', 'pinned'] },
    ],
  },
  {
    name: 'mart_true_propensity',
    layer: 'marts',
    description: 'Demo only: the data generator\'s true 7-day order probability per user and day (empty for real data)',
    materialized: 'table',
    deps: [],
    sources: [{ table: 'dwh.src_true_propensity', loadedAt: 'loaded_at' }],
    columns: [
      { name: 'user_id', type: 'text' },
      { name: 'as_of_date', type: 'date' },
      { name: 'p_order_7d', type: 'double precision' },
      { name: 'updated_at', type: 'timestamptz' },
    ],
    uniqueKey: ['user_id', 'as_of_date'],
    // The same file imported twice (another Idempotency-Key) must not double the rows.
    sql: `SELECT user_id, as_of_date, max(p_order_7d)::float8 AS p_order_7d, now() AS updated_at
            FROM "dwh".src_true_propensity GROUP BY user_id, as_of_date`,
    tests: [
      { kind: 'unique', columns: ['user_id', 'as_of_date'] },
      { kind: 'not_null', column: 'p_order_7d' },
    ],
  },
];
