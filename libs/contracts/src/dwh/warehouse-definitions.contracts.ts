import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';
import { EventSchemaDocument } from './tracking-plan.contracts';

/**
 * A team's warehouse definitions, applied as one project (`POST /v1/warehouse/apply`): its import
 * sources, tracking-plan event schemas, transformation models with their tests and freshness SLAs,
 * the outcomes that label its models' live predictions, and its KPIs. Every name is global in the
 * warehouse and owned by the project that first applied it; another project's apply of the same
 * name is a 409 that names the owner. The project files (`docs/projects.md`) hold exactly these
 * objects, one per file.
 */

export const PROJECT_NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';
export const WAREHOUSE_IDENTIFIER_PATTERN = '^[a-z_][a-z0-9_]{0,62}$';
/** A duration: a whole number of seconds, minutes, hours or days (`90s`, `30m`, `6h`, `7d`). */
export const DURATION_PATTERN = '^[1-9][0-9]{0,6}(s|m|h|d)$';

const Identifier = (description?: string) => Type.String({ pattern: WAREHOUSE_IDENTIFIER_PATTERN, ...(description ? { description } : {}) });
const Duration = (description: string) => Type.String({ pattern: DURATION_PATTERN, description });
const Description = Type.Optional(Type.String({ maxLength: 2000 }));

export const ProjectName = Type.String({ pattern: PROJECT_NAME_PATTERN, description: 'Lower-case letters, digits and dashes, e.g. acme-shop' });

export const FreshnessPolicy = Type.Object(
  {
    /** The column holding each row's data time; the age of the dataset is now minus its maximum. */
    column: Type.Optional(Identifier('Data-time column (default: loaded_at for sources; required for models)')),
    warn_after: Duration('Warn when the newest data is older than this'),
    error_after: Duration('Error when the newest data is older than this'),
  },
  { additionalProperties: false },
);
export type FreshnessPolicy = Static<typeof FreshnessPolicy>;

export const SourceColumnType = Type.Union(
  ['text', 'integer', 'bigint', 'numeric', 'double', 'boolean', 'date', 'timestamptz'].map((t) => Type.Literal(t)),
);
export type SourceColumnType = Static<typeof SourceColumnType>;

export const SourceColumn = Type.Object(
  {
    name: Identifier(),
    type: SourceColumnType,
    required: Type.Optional(Type.Boolean({ description: 'A row without a value is rejected (default false)' })),
    pattern: Type.Optional(Type.String({ maxLength: 500, description: 'Text: a regular expression the value must match' })),
    max_length: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    minimum: Type.Optional(Type.Number()),
    maximum: Type.Optional(Type.Number()),
    values: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 1000, description: 'Text: the accepted values' })),
    description: Description,
  },
  { additionalProperties: false },
);
export type SourceColumn = Static<typeof SourceColumn>;

/** An import source: files posted to `/v1/imports/{name}` land in `dwh.src_<name>`. */
export const SourceDefinition = defineContract(
  'dwh.SourceDefinition',
  Type.Object(
    {
      name: Identifier('The source; its table is dwh.src_<name>'),
      description: Description,
      columns: Type.Array(SourceColumn, { minItems: 1, maxItems: 500 }),
      /** When set, a later import's row replaces the stored row with the same key (otherwise rows append). */
      primary_key: Type.Optional(Type.Array(Identifier(), { minItems: 1, maxItems: 8 })),
      freshness: Type.Optional(FreshnessPolicy),
    },
    { additionalProperties: false },
  ),
);
export type SourceDefinition = Static<typeof SourceDefinition.schema>;

const Severity = Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('warn')], { description: 'error (default) stops publication; warn publishes and reports' }));

export const DataTestDefinition = Type.Union([
  Type.Object({ kind: Type.Literal('unique'), columns: Type.Array(Identifier(), { minItems: 1, maxItems: 8 }), severity: Severity }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('not_null'), column: Identifier(), severity: Severity }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('accepted_values'), column: Identifier(), values: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 1000 }), severity: Severity },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('relationships'), column: Identifier(), to: Identifier('Another model'), field: Identifier(), severity: Severity },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('sql'),
      name: Identifier('The test'),
      /** A SELECT returning the offending rows; `{{model}}` is the model under test. Zero rows pass. */
      sql: Type.String({ minLength: 10, maxLength: 20000 }),
      severity: Severity,
    },
    { additionalProperties: false },
  ),
]);
export type DataTestDefinition = Static<typeof DataTestDefinition>;

/**
 * A transformation model (dbt-like): one SELECT (or WITH ... SELECT) reading sources
 * (`src_<name>`), tracked events (`events`), the prediction log (`prediction_log`) and other models,
 * all by their unqualified names. Incremental models filter their input with `{{from}}` and `{{to}}`
 * (the loaded-at window of this run). Output columns and their types come from the SQL.
 */
export const WarehouseModelDefinition = defineContract(
  'dwh.ModelDefinition',
  Type.Object(
    {
      name: Identifier('The model; its relation is dwh.<name>'),
      description: Description,
      layer: Type.Union([Type.Literal('staging'), Type.Literal('marts')], { description: 'marts are published: features and training read them' }),
      materialized: Type.Union([Type.Literal('view'), Type.Literal('table'), Type.Literal('incremental')]),
      sql: Type.String({ minLength: 8, maxLength: 100_000 }),
      unique_key: Type.Optional(Type.Array(Identifier(), { minItems: 1, maxItems: 8, description: 'Incremental: the upsert key; table: the primary key' })),
      indexes: Type.Optional(Type.Array(Type.Array(Identifier(), { minItems: 1, maxItems: 8 }), { maxItems: 16 })),
      tests: Type.Optional(Type.Array(DataTestDefinition, { maxItems: 100 })),
      freshness: Type.Optional(FreshnessPolicy),
      /** Table models rebuild when an input changed, or at least this often (outputs that depend on now()). */
      max_age: Type.Optional(Duration('Rebuild a table model at least this often')),
    },
    { additionalProperties: false },
  ),
);
export type WarehouseModelDefinition = Static<typeof WarehouseModelDefinition.schema>;

/**
 * What labels a model's live predictions: a SELECT over marts returning the model's entity keys, a
 * label value and optionally the time each outcome happened. A prediction's label aggregates the
 * outcome rows with its entity keys in (predicted_at, predicted_at + horizon]; without a time
 * column, the outcome row of the entity is the label as soon as it exists.
 */
export const OutcomeDefinition = defineContract(
  'dwh.OutcomeDefinition',
  Type.Object(
    {
      model: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,62}$', description: 'The model spec this outcome labels' }),
      sql: Type.String({ minLength: 10, maxLength: 20000 }),
      keys: Type.Array(Identifier(), { minItems: 1, maxItems: 8, description: "The model's entity keys, as columns of the SQL" }),
      label_column: Identifier(),
      timestamp_column: Type.Optional(Identifier()),
      horizon: Type.Optional(Duration('With a time column: how long after a prediction its outcome counts (required then)')),
      aggregate: Type.Optional(
        Type.Union([Type.Literal('max'), Type.Literal('sum'), Type.Literal('count'), Type.Literal('last')], { description: 'How outcome rows in the horizon combine (default max)' }),
      ),
      /** The label when no outcome row falls in the horizon (e.g. 0: "did not order"). Absent: the prediction stays unlabelled. */
      default: Type.Optional(Type.Number()),
      description: Description,
    },
    { additionalProperties: false },
  ),
);
export type OutcomeDefinition = Static<typeof OutcomeDefinition.schema>;

/** A KPI: named SQL over marts returning a date, a value and optionally a dimension. */
export const KpiDefinition = defineContract(
  'dwh.KpiDefinition',
  Type.Object(
    {
      name: Identifier(),
      description: Description,
      sql: Type.String({ minLength: 10, maxLength: 20000 }),
      date_column: Type.Optional(Identifier('default: date')),
      value_column: Type.Optional(Identifier('default: value')),
      dimension_column: Type.Optional(Identifier()),
      unit: Type.Optional(Type.String({ maxLength: 32 })),
      /** A scheduled report: the KPI's points of the last `window_days` sent to a webhook receiver of dwh-ingest (`dwh.kpi.report.v1`). */
      report: Type.Optional(
        Type.Object(
          {
            schedule: Type.String({ minLength: 9, maxLength: 120, description: 'Cron expression, 5 fields, UTC (e.g. "0 7 * * 1": Mondays at 07:00)' }),
            webhook: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: "The name of one of dwh-ingest's webhook receivers (WEBHOOKS)" }),
            window_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'Days of points in the report, ending the day before it is due (default 7)' })),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
);
export type KpiDefinition = Static<typeof KpiDefinition.schema>;

export const WarehouseApplyRequest = defineContract(
  'dwh.WarehouseApplyRequest',
  Type.Object(
    {
      project: ProjectName,
      description: Description,
      owner: Type.Optional(Type.String({ maxLength: 200 })),
      sources: Type.Optional(Type.Array(SourceDefinition.schema, { maxItems: 500 })),
      event_schemas: Type.Optional(Type.Array(EventSchemaDocument, { maxItems: 500 })),
      models: Type.Optional(Type.Array(WarehouseModelDefinition.schema, { maxItems: 1000 })),
      outcomes: Type.Optional(Type.Array(OutcomeDefinition.schema, { maxItems: 500 })),
      kpis: Type.Optional(Type.Array(KpiDefinition.schema, { maxItems: 500 })),
      /** Plan only: nothing is written. */
      dry_run: Type.Optional(Type.Boolean()),
      /** Remove this project's objects that are not in the request (never another project's). */
      prune: Type.Optional(Type.Boolean()),
      /** Sources and models whose breaking change may drop and rebuild their table (data of a source is lost). */
      full_refresh: Type.Optional(Type.Array(Identifier(), { maxItems: 1000 })),
    },
    { additionalProperties: false },
  ),
);
export type WarehouseApplyRequest = Static<typeof WarehouseApplyRequest.schema>;

export const WarehouseObjectKind = Type.Union(['source', 'event_schema', 'model', 'outcome', 'kpi'].map((k) => Type.Literal(k)));
export type WarehouseObjectKind = Static<typeof WarehouseObjectKind>;

const WarehousePlanItem = Type.Object(
  {
    kind: WarehouseObjectKind,
    name: Type.String(),
    /** Top-level fields that differ from the applied definition. */
    fields: Type.Optional(Type.Array(Type.String())),
    /** Readable consequences, e.g. "add column channel text", "rebuild (full refresh)". */
    changes: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type WarehousePlanItem = Static<typeof WarehousePlanItem>;

export const WarehouseApplyPlan = defineContract(
  'dwh.WarehouseApplyPlan',
  Type.Object(
    {
      project: Type.String(),
      dry_run: Type.Boolean(),
      /** The project's definitions version after this apply (unchanged on a dry run or a no-op). */
      version: Type.Integer({ minimum: 0 }),
      created: Type.Array(WarehousePlanItem),
      changed: Type.Array(WarehousePlanItem),
      removed: Type.Array(WarehousePlanItem),
      unchanged: Type.Array(WarehousePlanItem),
    },
    { additionalProperties: false },
  ),
);
export type WarehouseApplyPlan = Static<typeof WarehouseApplyPlan.schema>;

export const ProjectSummary = defineContract(
  'dwh.ProjectSummary',
  Type.Object(
    {
      name: Type.String(),
      description: Type.Union([Type.String(), Type.Null()]),
      owner: Type.Union([Type.String(), Type.Null()]),
      version: Type.Integer({ minimum: 1 }),
      applied_at: Type.String({ format: 'date-time' }),
      applied_by: Type.Union([Type.String(), Type.Null()], { description: 'The token that applied it (null when auth is open)' }),
      objects: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'Number of objects of each kind' }),
    },
    { additionalProperties: false },
  ),
);
export type ProjectSummary = Static<typeof ProjectSummary.schema>;
