import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

/** SchemaVer MODEL-REVISION-ADDITION, as Snowplow's Iglu uses it. */
export const SCHEMAVER_PATTERN = '^[1-9][0-9]{0,5}-[0-9]{1,6}-[0-9]{1,6}$';
export const EVENT_SCHEMA_NAME_PATTERN = '^[a-z][a-z0-9_]{0,62}$';

/**
 * An event schema of the tracking plan: the JSON Schema of a track event's `properties`, of identify
 * or group `traits`, or of page/screen `properties` (`page_<name>`/`screen_<name>` for one page or
 * screen name in snake case, `page`/`screen` for every other).
 */
export const EventSchemaDocument = Type.Object(
  {
    name: Type.String({ pattern: EVENT_SCHEMA_NAME_PATTERN, description: 'Event name (track), "identify", "group", "page"/"screen", or "page_<name>"/"screen_<name>" (the page or screen name in snake case)' }),
    version: Type.String({ pattern: SCHEMAVER_PATTERN, description: 'SchemaVer MODEL-REVISION-ADDITION' }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    schema: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema (draft-07) of properties/traits' }),
  },
  { additionalProperties: false },
);
export type EventSchemaDocument = Static<typeof EventSchemaDocument>;
export const RegisterEventSchemaRequest = defineContract('dwh.RegisterEventSchemaRequest', EventSchemaDocument);

export const RegisteredEventSchema = defineContract(
  'dwh.RegisteredEventSchema',
  Type.Object({
    name: Type.String(),
    version: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    schema: Type.Record(Type.String(), Type.Unknown()),
    source: Type.Union([Type.Literal('contracts'), Type.Literal('api')]),
    registeredAt: Type.String({ format: 'date-time' }),
    change: Type.Union([Type.Literal('initial'), Type.Literal('model'), Type.Literal('revision'), Type.Literal('addition')]),
  }),
);
export type RegisteredEventSchema = Static<typeof RegisteredEventSchema.schema>;
