-- Accepted tracking messages with their derived (skew-corrected) event time.
SELECT message_id, type, event, user_id, anonymous_id, derived_at AS event_at, properties, loaded_at,
       now() AS transformed_at
  FROM events
 WHERE loaded_at >= {{from}} AND loaded_at < {{to}}
