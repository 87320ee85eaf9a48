import { Type, type Static } from '@sinclair/typebox';
import { ProjectName } from '../dwh/warehouse-definitions.contracts';
import { defineContract, Int32 } from '../lib/contract-exports';

/** Lower-case identifiers only: they end up as SQL identifiers after registry checks. */
export const FEATURE_NAME_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
export const FeatureName = Type.String({ pattern: FEATURE_NAME_PATTERN });

export const EntityValueType = Type.Union([Type.Literal('string'), Type.Literal('int64')]);
export type EntityValueType = Static<typeof EntityValueType>;

export const FeatureValueType = Type.Union([Type.Literal('int64'), Type.Literal('float64'), Type.Literal('string'), Type.Literal('bool')]);
export type FeatureValueType = Static<typeof FeatureValueType>;

const Tags = Type.Record(Type.String({ pattern: '^[a-zA-Z0-9_.:/-]{1,63}$' }), Type.String({ maxLength: 256 }), { maxProperties: 32, additionalProperties: false });

const EntitySchema = Type.Object(
  {
    name: FeatureName,
    /** The entity's single join key; or give `join_keys` for a composite key (exactly one of the two). */
    join_key: Type.Optional(FeatureName),
    /** Composite key, e.g. `["user_id", "merchant_id"]`: every key is needed to address an entity row. */
    join_keys: Type.Optional(Type.Array(FeatureName, { minItems: 1, maxItems: 8, uniqueItems: true })),
    /** Type of every join key value. */
    value_type: EntityValueType,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const EntityDefinition = defineContract('features.Entity', EntitySchema);
export type EntityDefinition = Static<typeof EntitySchema>;

const FeatureFieldSchema = Type.Object(
  { name: FeatureName, type: FeatureValueType, description: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
export type FeatureField = Static<typeof FeatureFieldSchema>;

const FeatureViewSchema = Type.Object(
  {
    name: FeatureName,
    /** Entity names; one entity per view (its join key is the row key). */
    entities: Type.Array(FeatureName, { minItems: 1, maxItems: 1 }),
    features: Type.Array(FeatureFieldSchema, { minItems: 1, maxItems: 200 }),
    source: Type.Object(
      {
        /** A single SELECT over published marts (`dwh.mart_*`) returning the join key, the timestamp column and every feature. */
        sql: Type.String({ minLength: 10, maxLength: 20000 }),
        timestamp_field: Type.Optional(FeatureName),
      },
      { additionalProperties: false },
    ),
    /** Maximum age of a value: older values are null offline and OUTSIDE_MAX_AGE online. */
    ttl_seconds: Type.Integer({ minimum: 1, maximum: 10 * 365 * 86400 }),
    online: Type.Boolean(),
    /** Freshness SLA of the online values (age of the newest value); defaults to 2 x ttl when absent. */
    freshness_sla_seconds: Type.Optional(Int32({ minimum: 1 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    owner: Type.Optional(Type.String({ maxLength: 200 })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export const FeatureViewDefinition = defineContract('features.FeatureView', FeatureViewSchema);
export type FeatureViewDefinition = Static<typeof FeatureViewSchema>;

const FeatureServiceSchema = Type.Object(
  {
    name: FeatureName,
    features: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}(@v[0-9]+)?:[a-z][a-z0-9_]{0,62}$' }), { minItems: 1, maxItems: 500 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    owner: Type.Optional(Type.String({ maxLength: 200 })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export const FeatureServiceDefinition = defineContract('features.FeatureService', FeatureServiceSchema);
export type FeatureServiceDefinition = Static<typeof FeatureServiceSchema>;

const ApplyRequestSchema = Type.Object(
  {
    /**
     * The project that owns these objects. A name another project owns is a 409
     * (NAME_OWNED_BY_ANOTHER_PROJECT); objects without a project are adopted by the first project
     * that applies them. Absent: the objects are unowned, and names a project owns are refused.
     */
    project: Type.Optional(ProjectName),
    entities: Type.Optional(Type.Array(EntitySchema, { maxItems: 500 })),
    feature_views: Type.Optional(Type.Array(FeatureViewSchema, { maxItems: 500 })),
    feature_services: Type.Optional(Type.Array(FeatureServiceSchema, { maxItems: 500 })),
    /** Plan only: nothing is written. */
    dry_run: Type.Optional(Type.Boolean()),
    /**
     * Remove this project's registered objects that are not in this request (Feast's `apply` over a
     * whole repo); never another project's. Without `project`: only unowned objects.
     */
    prune: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const ApplyRequest = defineContract('features.ApplyRequest', ApplyRequestSchema);
export type ApplyRequest = Static<typeof ApplyRequestSchema>;

const PlanItem = Type.Object(
  {
    kind: Type.Union([Type.Literal('entity'), Type.Literal('feature_view'), Type.Literal('feature_service')]),
    name: Type.String(),
    version: Type.Optional(Int32()),
    /** Top-level fields that differ from the registered definition. */
    fields: Type.Optional(Type.Array(Type.String())),
    /** A feature view whose schema changed gets a new version; older versions stay readable. */
    new_version: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const SourceStatus = Type.Object(
  {
    view: Type.String(),
    version: Int32(),
    status: Type.Union([Type.Literal('READY'), Type.Literal('SOURCE_MISSING'), Type.Literal('INVALID')]),
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type SourceStatus = Static<typeof SourceStatus>;

const ApplyPlanSchema = Type.Object(
  {
    /** The project of the request (absent: unowned objects). */
    project: Type.Optional(Type.String()),
    dry_run: Type.Boolean(),
    created: Type.Array(PlanItem),
    changed: Type.Array(PlanItem),
    removed: Type.Array(PlanItem),
    unchanged: Type.Array(PlanItem),
    /** Sources are validated lazily: a mart that does not exist yet is reported, not refused. */
    sources: Type.Array(SourceStatus),
  },
  { additionalProperties: false },
);
export const ApplyPlan = defineContract('features.ApplyPlan', ApplyPlanSchema);
export type ApplyPlan = Static<typeof ApplyPlanSchema>;
export type ApplyPlanItem = Static<typeof PlanItem>;
