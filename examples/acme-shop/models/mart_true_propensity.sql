-- The same file imported twice (another Idempotency-Key) must not double the rows.
SELECT user_id, as_of_date, max(p_order_7d)::float8 AS p_order_7d, now() AS updated_at
  FROM src_true_propensity
 GROUP BY user_id, as_of_date
