/* mlp
description: One row per labelled colour, with the time it was loaded (features and labels are valid from then)
layer: marts
materialized: table
unique_key: [colour_id]
tests:
  - { kind: unique, columns: [colour_id] }
  - { kind: not_null, column: is_warm }
  - { kind: accepted_values, column: is_warm, values: ['0', '1'] }
  - kind: sql
    name: channels_are_bytes
    sql: SELECT * FROM {{model}} WHERE r NOT BETWEEN 0 AND 255 OR g NOT BETWEEN 0 AND 255 OR b NOT BETWEEN 0 AND 255
  # A labelled set needs both classes in proportion: a file of one class only (a broken export)
  # must not reach the features and the next model.
  - kind: sql
    name: both_classes_in_proportion
    sql: SELECT count(*) AS colours, avg(is_warm) AS warm_share FROM {{model}} HAVING avg(is_warm) NOT BETWEEN 0.2 AND 0.8
*/
SELECT colour_id, r, g, b, is_warm, loaded_at
  FROM src_colours
