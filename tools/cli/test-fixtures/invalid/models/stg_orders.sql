/* mlp
layer: staging
materialized: ephemeral
*/
SELECT order_id, customer_id, amount, ordered_at
  FROM src_orders
