-- One row per order. Labels such as "ordered in the next 7 days" are computed point-in-time from it.
SELECT DISTINCT ON (order_id) order_id, user_id, ordered_at, revenue, now() AS updated_at
  FROM stg_orders
 WHERE loaded_at >= {{from}} AND loaded_at < {{to}}
 ORDER BY order_id, ordered_at DESC
