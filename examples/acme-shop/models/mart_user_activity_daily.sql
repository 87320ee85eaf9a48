-- Per user and UTC day: counts of each product event and revenue. Only the (user, day) groups
-- touched by new events are recomputed, each over all its events.
WITH changed AS (
  SELECT DISTINCT user_id, (event_at AT TIME ZONE 'UTC')::date AS activity_date
    FROM stg_events
   WHERE type = 'track' AND user_id IS NOT NULL AND loaded_at >= {{from}} AND loaded_at < {{to}}
)
SELECT c.user_id, c.activity_date,
       count(*) FILTER (WHERE e.event = 'page_viewed')::int AS page_views,
       count(*) FILTER (WHERE e.event = 'product_viewed')::int AS product_views,
       count(*) FILTER (WHERE e.event = 'added_to_cart')::int AS add_to_carts,
       count(*) FILTER (WHERE e.event = 'checkout_started')::int AS checkouts,
       count(*) FILTER (WHERE e.event = 'order_completed')::int AS orders,
       coalesce(sum((e.properties->>'revenue')::numeric) FILTER (WHERE e.event = 'order_completed'), 0)::numeric(12,2) AS revenue,
       max(e.event_at) AS last_event_at,
       now() AS updated_at
  FROM changed c
  JOIN stg_events e
    ON e.user_id = c.user_id AND e.type = 'track'
   AND e.event_at >= (c.activity_date::timestamp AT TIME ZONE 'UTC')
   AND e.event_at < ((c.activity_date + 1)::timestamp AT TIME ZONE 'UTC')
 GROUP BY c.user_id, c.activity_date
