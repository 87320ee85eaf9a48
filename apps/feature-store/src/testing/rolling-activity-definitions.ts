import type { ApplyRequest, FeatureField, FeatureValueType } from '@mlp/contracts';

const typed = (type: FeatureValueType) => (...names: string[]): FeatureField[] => names.map((name) => ({ name, type }));
const int64 = typed('int64');
const float64 = typed('float64');

const ACTIVITY_FEATURES: FeatureField[] = [
  ...int64('page_views_7d', 'product_views_7d', 'add_to_carts_7d', 'orders_7d'),
  ...float64('revenue_7d'),
  ...int64('page_views_28d', 'product_views_28d', 'checkouts_28d', 'orders_28d', 'active_days_28d'),
  ...float64('revenue_28d'),
  ...int64('page_views_total', 'product_views_total', 'add_to_carts_total', 'checkouts_total', 'orders_total', 'active_days_total'),
  ...int64('days_observed', 'days_since_active', 'tenure_days'),
  ...float64('log_page_view_rate', 'log_view_depth', 'log_cart_depth', 'log_checkout_rate', 'log_order_rate', 'log_tenure'),
];

/**
 * One row per user and UTC day from the user's first active day to yesterday, active or not (a date
 * spine LEFT JOINed to the daily mart). A row holds the windows as of the end of its day
 * (`activity_date + 1`), so a training row at time T sees the last complete day before T, and every
 * known user has a row within the ttl online: a user who was quiet for a week is served "7 quiet
 * days", exactly as such a day looks in training, instead of NOT_FOUND and a filled median.
 *
 * Lifetime totals over the days observed estimate how active a user is in general, which short
 * windows of a sparse user cannot. The smoothed log rates (a count plus a small prior over the
 * exposure) put those estimates on the scale where a user's propensity is additive, which a small
 * model learns far more easily from a few thousand users than from raw, heavy-tailed counts.
 */
const USER_ACTIVITY_SQL = `WITH spine AS (
  SELECT f.user_id, d::date AS activity_date, f.first_day
    FROM (SELECT user_id, min(activity_date) AS first_day FROM dwh.mart_user_activity_daily GROUP BY user_id) f
   CROSS JOIN LATERAL generate_series(f.first_day, (now() AT TIME ZONE 'UTC')::date - 1, interval '1 day') d
), daily AS (
  SELECT s.user_id, s.activity_date, s.first_day,
         coalesce(a.page_views, 0) AS page_views, coalesce(a.product_views, 0) AS product_views,
         coalesce(a.add_to_carts, 0) AS add_to_carts, coalesce(a.checkouts, 0) AS checkouts,
         coalesce(a.orders, 0) AS orders, coalesce(a.revenue, 0) AS revenue, (a.user_id IS NOT NULL)::int AS active
    FROM spine s
    LEFT JOIN dwh.mart_user_activity_daily a ON a.user_id = s.user_id AND a.activity_date = s.activity_date
), windows AS (
  SELECT user_id, activity_date, first_day,
         sum(page_views) OVER w7 AS page_views_7d, sum(product_views) OVER w7 AS product_views_7d,
         sum(add_to_carts) OVER w7 AS add_to_carts_7d, sum(orders) OVER w7 AS orders_7d, sum(revenue) OVER w7 AS revenue_7d,
         sum(page_views) OVER w28 AS page_views_28d, sum(product_views) OVER w28 AS product_views_28d,
         sum(checkouts) OVER w28 AS checkouts_28d, sum(orders) OVER w28 AS orders_28d,
         sum(active) OVER w28 AS active_days_28d, sum(revenue) OVER w28 AS revenue_28d,
         sum(page_views) OVER wall AS page_views_total, sum(product_views) OVER wall AS product_views_total,
         sum(add_to_carts) OVER wall AS add_to_carts_total, sum(checkouts) OVER wall AS checkouts_total,
         sum(orders) OVER wall AS orders_total, sum(active) OVER wall AS active_days_total,
         max(CASE WHEN active = 1 THEN activity_date END) OVER wall AS last_active
    FROM daily
  WINDOW w7 AS (PARTITION BY user_id ORDER BY activity_date ROWS BETWEEN 6 PRECEDING AND CURRENT ROW),
         w28 AS (PARTITION BY user_id ORDER BY activity_date ROWS BETWEEN 27 PRECEDING AND CURRENT ROW),
         wall AS (PARTITION BY user_id ORDER BY activity_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT w.user_id,
       (w.activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp,
       page_views_7d, product_views_7d, add_to_carts_7d, orders_7d, revenue_7d,
       page_views_28d, product_views_28d, checkouts_28d, orders_28d, active_days_28d, revenue_28d,
       page_views_total, product_views_total, add_to_carts_total, checkouts_total, orders_total, active_days_total,
       (w.activity_date + 1) - w.first_day AS days_observed,
       w.activity_date - w.last_active AS days_since_active,
       (w.activity_date + 1) - p.signup_date AS tenure_days,
       ln((page_views_total + 2.5) / ((w.activity_date + 1) - w.first_day + 10.0)) AS log_page_view_rate,
       ln((product_views_total + 1.0) / (page_views_total + 2.5)) AS log_view_depth,
       ln((add_to_carts_total + 0.5) / (product_views_total + 1.0)) AS log_cart_depth,
       ln((checkouts_total + 0.3) / ((w.activity_date + 1) - w.first_day + 10.0)) AS log_checkout_rate,
       ln((orders_total + 0.3) / ((w.activity_date + 1) - w.first_day + 10.0)) AS log_order_rate,
       ln(1.0 + greatest((w.activity_date + 1) - p.signup_date, 0)) AS log_tenure
  FROM windows w
  LEFT JOIN dwh.mart_user_profile p ON p.user_id = w.user_id`;

/**
 * Test fixture: a shop's user activity windows over a date spine, a profile view and a service
 * (the definitions the platform used to apply at start; the demo shop's now live in its project).
 */
export const ROLLING_ACTIVITY_DEFINITIONS: ApplyRequest = {
  entities: [{ name: 'user', join_key: 'user_id', value_type: 'string', description: 'A product user (Segment userId)' }],
  feature_views: [
    {
      name: 'user_activity',
      entities: ['user'],
      features: ACTIVITY_FEATURES,
      source: { sql: USER_ACTIVITY_SQL },
      ttl_seconds: 2 * 86400,
      online: true,
      freshness_sla_seconds: 2 * 86400,
      description:
        'Rolling 7/28-day and lifetime activity per user and day (a row for every day since first seen, active or not), smoothed log rates, tenure',
      owner: 'data-platform',
      tags: { team: 'growth', source: 'dwh.mart_user_activity_daily' },
    },
    {
      name: 'user_profile',
      entities: ['user'],
      features: [
        { name: 'country', type: 'string' },
        { name: 'plan', type: 'string' },
      ],
      source: {
        // Valid from signup: stamping the profile with its refresh time would hide it from every
        // training row in the past (a point-in-time join finds nothing before "now") and the
        // model would learn without the attributes it is served with.
        sql: `SELECT user_id, signup_date::timestamp AT TIME ZONE 'UTC' AS event_timestamp, country, plan
              FROM dwh.mart_user_profile`,
      },
      // Valid from signup for as long as the user exists: only a changed profile replaces it.
      ttl_seconds: 3650 * 86400,
      online: true,
      description: 'Country and plan of each user, valid from signup',
      owner: 'data-platform',
      tags: { team: 'growth', source: 'dwh.mart_user_profile' },
    },
  ],
  feature_services: [
    {
      name: 'purchase_propensity',
      features: [
        ...ACTIVITY_FEATURES.map((f) => `user_activity:${f.name}`),
        'user_profile:country',
        'user_profile:plan',
      ],
      description: 'Inputs of the purchase propensity model (trainer and model-serving)',
      owner: 'data-science',
    },
  ],
};
