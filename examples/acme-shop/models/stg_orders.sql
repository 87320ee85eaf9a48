SELECT properties->>'order_id' AS order_id, user_id, event_at AS ordered_at,
       (properties->>'revenue')::numeric(12,2) AS revenue, loaded_at
  FROM stg_events
 WHERE type = 'track' AND event = 'order_completed'
