/* mlp
layer: staging
materialized: view
description: Orders with typed columns
*/
SELECT order_id, customer_id, amount, ordered_at
  FROM src_orders
