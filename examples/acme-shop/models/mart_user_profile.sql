-- One row per identified user: the latest known value of each trait. Only users with new identify
-- calls in this run's window are recomputed, each over all their identify calls.
WITH changed AS (
  SELECT DISTINCT user_id FROM stg_identifies WHERE loaded_at >= {{from}} AND loaded_at < {{to}}
)
SELECT i.user_id,
       ((array_agg(i.signup_date ORDER BY i.event_at DESC) FILTER (WHERE i.signup_date IS NOT NULL))[1])::date AS signup_date,
       (array_agg(i.country ORDER BY i.event_at DESC) FILTER (WHERE i.country IS NOT NULL))[1] AS country,
       (array_agg(i.plan ORDER BY i.event_at DESC) FILTER (WHERE i.plan IS NOT NULL))[1] AS plan,
       max(i.event_at) AS last_identified_at,
       now() AS updated_at
  FROM stg_identifies i
  JOIN changed c ON c.user_id = i.user_id
 GROUP BY i.user_id
