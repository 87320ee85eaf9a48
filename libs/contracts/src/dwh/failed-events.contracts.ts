import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';
import { EventViolation } from './tracking.contracts';

export const FailedEventsQuery = defineContract(
  'dwh.FailedEventsQuery',
  Type.Object(
    {
      event: Type.Optional(Type.String({ maxLength: 128 })),
      code: Type.Optional(Type.String({ pattern: '^[A-Z_]{1,64}$' })),
      from: Type.Optional(Type.String({ format: 'date-time', description: 'received at or after' })),
      to: Type.Optional(Type.String({ format: 'date-time', description: 'received before' })),
      status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('replayed')])),
      limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1..1000, default 100' })),
      cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextCursor of the previous page' })),
    },
    { additionalProperties: false },
  ),
);
export type FailedEventsQuery = Static<typeof FailedEventsQuery.schema>;

export const FailedEvent = Type.Object({
  id: Type.String(),
  messageId: Type.Union([Type.String(), Type.Null()]),
  event: Type.Union([Type.String(), Type.Null()]),
  payload: Type.Unknown({ description: 'The message exactly as received (U+0000, which jsonb cannot hold, shown as U+FFFD)' }),
  /** The exact JSON text when the message holds U+0000 (what a replay validates); absent otherwise. */
  payloadRaw: Type.Optional(Type.String()),
  violations: Type.Array(EventViolation),
  codes: Type.Array(Type.String()),
  receivedAt: Type.String({ format: 'date-time' }),
  replayedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  replayStatus: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('still_invalid'), Type.Null()]),
});
export type FailedEvent = Static<typeof FailedEvent>;

export const FailedEventsPage = defineContract(
  'dwh.FailedEventsPage',
  Type.Object({ items: Type.Array(FailedEvent), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
);
export type FailedEventsPage = Static<typeof FailedEventsPage.schema>;

export const ReplayRequest = defineContract(
  'dwh.ReplayRequest',
  Type.Object(
    {
      ids: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,18}$' }), { minItems: 1, maxItems: 10000 })),
      event: Type.Optional(Type.String({ maxLength: 128 })),
      code: Type.Optional(Type.String({ pattern: '^[A-Z_]{1,64}$' })),
      from: Type.Optional(Type.String({ format: 'date-time' })),
      to: Type.Optional(Type.String({ format: 'date-time' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
    },
    { additionalProperties: false },
  ),
);
export type ReplayRequest = Static<typeof ReplayRequest.schema>;

export const ReplayResult = defineContract(
  'dwh.ReplayResult',
  Type.Object({
    replayed: Type.Integer(),
    accepted: Type.Integer(),
    duplicates: Type.Integer(),
    stillInvalid: Type.Integer(),
    results: Type.Array(
      Type.Object({
        id: Type.String(),
        messageId: Type.Union([Type.String(), Type.Null()]),
        status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('still_invalid')]),
        errors: Type.Array(EventViolation),
      }),
    ),
  }),
);
export type ReplayResult = Static<typeof ReplayResult.schema>;
