SELECT message_id, user_id, event_at, loaded_at,
       properties->>'signup_date' AS signup_date,
       properties->>'country' AS country,
       properties->>'plan' AS plan
  FROM stg_events
 WHERE type = 'identify' AND user_id IS NOT NULL
