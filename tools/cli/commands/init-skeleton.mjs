// The files `mlp init` writes: one commented example of each kind, valid as written, so a team
// starts from something that `mlp validate` accepts and edits it into its own.

/**
 * @param {string} name the project name
 * @param {(kind: string, file: string) => string} schemaRef where a file's JSON Schema is, as seen from the file
 * @returns {Record<string, string>} relative path -> content
 */
export function skeletonFiles(name, schemaRef) {
  const header = (kind, file) => `# yaml-language-server: $schema=${schemaRef(kind, file)}\n`;
  const files = {
    'mlp.yaml': `${header('mlp', 'mlp.yaml')}# The project. Every name it applies (sources, models, feature views, model specs, ...) is owned by
# it: another project applying the same name is refused. Names are global per service, so prefix
# them when several teams share the platform.
name: ${name}
owner: my-team
description: What this project is for
`,
    'sources/orders.yaml': `${header('source', 'sources/orders.yaml')}# An import source: files posted with \`mlp import orders orders.csv\` land in the warehouse table
# dwh.src_orders (models read it as src_orders). One source per file, named for it.
name: orders
description: Orders exported by the shop backend every night
columns:
  - name: order_id
    type: text          # text, integer, bigint, numeric, double, boolean, date, timestamptz
    required: true      # a row without it is rejected
  - name: customer_id
    type: text
    required: true
    max_length: 64
  - name: amount
    type: numeric
    minimum: 0
  - name: ordered_at
    type: timestamptz
    required: true
# A later import's row replaces the stored row with the same key (without it, rows append).
primary_key: [order_id]
# The newest import must be younger than this (age of loaded_at unless column is given).
freshness:
  warn_after: 2d
  error_after: 7d
`,
    'sources/tracking-plan.yaml': `${header('events', 'sources/tracking-plan.yaml')}# A tracking plan: the schemas of tracked events (POST /v1/track). Models read them as \`events\`.
kind: events
events:
  - name: signed_up
    version: 1-0-0      # SchemaVer MODEL-REVISION-ADDITION
    description: A visitor created an account
    schema:             # JSON Schema (draft-07) of the event's properties
      type: object
      properties:
        plan: { type: string, enum: [free, pro] }
      additionalProperties: false
`,
    'models/stg_orders.sql': `/* mlp
# The model's configuration can sit at the top of its SQL, as here, or in models/<name>.yaml.
layer: staging          # staging or marts (marts are published: features and training read them)
materialized: view      # view, table or incremental
description: Orders with a day column
*/
-- One SELECT; relations by their unqualified names: src_<source>, events, prediction_log, other models.
SELECT order_id,
       customer_id,
       amount,
       ordered_at,
       ordered_at::date AS order_date
  FROM src_orders
`,
    'models/mart_customer_orders.sql': `-- The SQL of mart_customer_orders; its configuration is models/mart_customer_orders.yaml.
SELECT customer_id,
       count(*) AS orders,
       coalesce(sum(amount), 0)::double precision AS revenue,
       max(ordered_at) AS last_order_at
  FROM stg_orders
 GROUP BY customer_id
`,
    'models/mart_customer_orders.yaml': `${header('model', 'models/mart_customer_orders.yaml')}layer: marts
materialized: table
unique_key: [customer_id]
description: One row per customer with their order totals
# Data tests run after each build; an error-severity failure stops publication.
tests:
  - kind: unique
    columns: [customer_id]
  - kind: not_null
    column: customer_id
  - kind: sql               # a SELECT returning the offending rows; {{model}} is this model
    name: no_negative_revenue
    sql: SELECT * FROM {{model}} WHERE revenue < 0
    severity: warn
freshness:
  column: last_order_at     # each row's data time
  warn_after: 1d
  error_after: 3d
`,
    'features/customers.yaml': `${header('features', 'features/customers.yaml')}# Entities, feature views and feature services; any number of files, any split.
entities:
  - name: customer
    join_key: customer_id
    value_type: string        # string or int64
feature_views:
  - name: customer_orders
    entities: [customer]
    features:
      - name: orders
        type: int64
      - name: revenue
        type: float64
    source:
      # Feature sources read published marts as dwh.<name>.
      sql: SELECT customer_id, last_order_at AS event_timestamp, orders, revenue FROM dwh.mart_customer_orders
      timestamp_field: event_timestamp
    ttl_seconds: 2592000      # values older than 30 days count as missing
    online: true
feature_services:
  - name: repeat_order_features
    features: [customer_orders:orders, customer_orders:revenue]
`,
    'training/repeat_order.yaml': `${header('training', 'training/repeat_order.yaml')}# A model spec: what to train, on which data, how to judge it and when to retrain it.
name: repeat_order
description: Will a customer order again within 30 days
featureService: repeat_order_features
labelSource:
  # Join keys, event_timestamp and the label, over published marts.
  sql: SELECT customer_id, last_order_at AS event_timestamp, CASE WHEN orders > 1 THEN 1 ELSE 0 END AS ordered_again FROM dwh.mart_customer_orders
  joinKeys: [customer_id]
  labelColumn: ordered_again
  labelDelayDays: 30
task: binary_classification
algorithm:
  kind: logistic_regression   # baseline, logistic_regression, mlp, random_forest or rule (docs/projects.md)
  epochs: 20
  batchSize: 256
  learningRate: 0.05
primaryMetric: auc
split:
  lookbackDays: 180
  holdoutDays: 30
promotion:
  minEvalRows: 200            # fewer held-out rows and the gate refuses
# What labels this model's live predictions (applied to the warehouse as its outcome).
outcome:
  sql: SELECT customer_id, ordered_at, 1 AS ordered FROM dwh.stg_orders
  keys: [customer_id]
  label_column: ordered
  timestamp_column: ordered_at
  horizon: 30d                # an order within 30 days of a prediction labels it
  aggregate: max
  default: 0                  # no order in the horizon: label 0
`,
    'kpis/orders_per_day.yaml': `${header('kpi', 'kpis/orders_per_day.yaml')}# A KPI: SQL over marts returning a date, a value and optionally a dimension.
name: orders_per_day
description: Orders placed per day
sql: SELECT order_date AS date, count(*) AS value FROM dwh.stg_orders GROUP BY 1
unit: orders
`,
    '.gitignore': `# Local CLI configuration (service URLs and a token): never commit it.
.mlp/
`,
  };
  return files;
}
