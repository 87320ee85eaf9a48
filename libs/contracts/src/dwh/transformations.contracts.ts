import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

/** `POST /v1/transformations/run`: an empty body runs the whole DAG. */
export const RunTransformationsRequest = defineContract(
  'dwh.RunTransformationsRequest',
  Type.Object(
    {
      models: Type.Optional(
        Type.Array(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' }), { maxItems: 100, description: 'These models and everything downstream; all when absent' }),
      ),
      fullRefresh: Type.Optional(Type.Boolean({ description: 'Rebuild incremental models from scratch' })),
      project: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$', description: "Only this project's models (with `models`: those of them)" })),
    },
    { additionalProperties: false },
  ),
);
export type RunTransformationsRequest = Static<typeof RunTransformationsRequest.schema>;
