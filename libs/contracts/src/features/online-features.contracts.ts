import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineMessage } from '../lib/contract-exports';

/** A feature reference: `view:feature`, or pinned to a version, `view@v2:feature`. */
export const FeatureRef = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,62}(@v[0-9]+)?:[a-z][a-z0-9_]{0,62}$',
  description: 'view:feature or view@vN:feature',
});

export const FeatureStatus = Type.Union([Type.Literal('PRESENT'), Type.Literal('NOT_FOUND'), Type.Literal('OUTSIDE_MAX_AGE')]);
export type FeatureStatus = Static<typeof FeatureStatus>;

export const FeatureValue = Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]);

const OnlineFeaturesRequestSchema = Type.Object(
  {
    feature_service: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}(@v[0-9]+)?$' })),
    features: Type.Optional(Type.Array(FeatureRef, { minItems: 1, maxItems: 500 })),
    /** Join key -> one value per entity row, all arrays the same length. */
    entities: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }), Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 1, maxItems: 10000 }), {
      // A pattern-keyed record checks only the keys that match: other keys must be refused.
      additionalProperties: false,
    }),
    full_feature_names: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Feast-compatible shape: one result per feature (join keys first), each with a value per entity row. */
const OnlineFeaturesResponseSchema = Type.Object(
  {
    metadata: Type.Object({ feature_names: Type.Array(Type.String()) }, { additionalProperties: false }),
    results: Type.Array(
      Type.Object(
        {
          values: Type.Array(FeatureValue),
          statuses: Type.Array(FeatureStatus),
          event_timestamps: Type.Array(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const OnlineFeaturesRequest = defineContract('features.OnlineFeaturesRequest', OnlineFeaturesRequestSchema);
export type OnlineFeaturesRequest = Static<typeof OnlineFeaturesRequestSchema>;
export const OnlineFeaturesResponse = defineContract('features.OnlineFeaturesResponse', OnlineFeaturesResponseSchema);
export type OnlineFeaturesResponse = Static<typeof OnlineFeaturesResponseSchema>;

/** What model-serving calls to fetch a model's features by entity key. */
export const GetOnlineFeaturesMessage = defineMessage(
  'feature-store.online-features.v1',
  OnlineFeaturesRequestSchema,
  OnlineFeaturesResponseSchema,
  'Latest feature values per entity, with PRESENT / NOT_FOUND / OUTSIDE_MAX_AGE statuses',
  { callers: ['model-serving'] },
);
