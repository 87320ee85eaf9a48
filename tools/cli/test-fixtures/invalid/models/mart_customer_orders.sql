SELECT customer_id,
       count(*) AS orders,
       sum(amount) AS revenue,
       max(ordered_at) AS last_order_at
  FROM stg_orders
 GROUP BY customer_id
