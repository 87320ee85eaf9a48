import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

/** SchemaVer MODEL-REVISION-ADDITION, as Snowplow's Iglu uses it. */
export const SCHEMAVER_PATTERN = '^[1-9][0-9]{0,5}-[0-9]{1,6}-[0-9]{1,6}$';
export const EVENT_SCHEMA_NAME_PATTERN = '^[a-z][a-z0-9_]{0,62}$';

/** An event schema of the tracking plan: the JSON Schema of a track event's `properties` (or identify `traits`). */
export const EventSchemaDocument = Type.Object(
  {
    name: Type.String({ pattern: EVENT_SCHEMA_NAME_PATTERN, description: 'Event name (track) or "identify"' }),
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

const isoDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' };
const productId = { type: 'string', minLength: 1, maxLength: 64 };
const money = { type: 'number', minimum: 0 };

/**
 * The demo tracking plan every service relies on (the product events of the briefing). Registered
 * in the warehouse at start; later versions arrive through `POST /v1/schemas`.
 */
export const DemoTrackingPlan: readonly EventSchemaDocument[] = [
  {
    name: 'page_viewed',
    version: '1-0-0',
    description: 'A page of the product was shown',
    schema: {
      type: 'object',
      properties: { path: { type: 'string', maxLength: 2048 }, title: { type: 'string', maxLength: 512 }, referrer: { type: 'string', maxLength: 2048 } },
      additionalProperties: false,
    },
  },
  {
    name: 'product_viewed',
    version: '1-0-0',
    description: 'A product detail page was shown',
    schema: { type: 'object', required: ['product_id', 'price'], properties: { product_id: productId, price: money }, additionalProperties: false },
  },
  {
    name: 'added_to_cart',
    version: '1-0-0',
    description: 'A product was added to the cart',
    schema: {
      type: 'object',
      required: ['product_id', 'price', 'quantity'],
      properties: { product_id: productId, price: money, quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
      additionalProperties: false,
    },
  },
  {
    name: 'checkout_started',
    version: '1-0-0',
    description: 'The checkout began',
    schema: { type: 'object', required: ['cart_value'], properties: { cart_value: money }, additionalProperties: false },
  },
  {
    name: 'order_completed',
    version: '1-0-0',
    description: 'An order was placed and paid',
    schema: {
      type: 'object',
      required: ['order_id', 'revenue', 'items'],
      properties: { order_id: { type: 'string', minLength: 1, maxLength: 64 }, revenue: money, items: { type: 'integer', minimum: 1 } },
      additionalProperties: false,
    },
  },
  {
    name: 'identify',
    version: '1-0-0',
    description: 'Traits of a user (identify calls)',
    schema: {
      type: 'object',
      properties: {
        signup_date: isoDate,
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        plan: { type: 'string', enum: ['free', 'plus', 'pro'] },
        email: { type: 'string', maxLength: 320 },
        name: { type: 'string', maxLength: 256 },
      },
      additionalProperties: false,
    },
  },
];
