import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

/** Limits of the tracking API (Segment's): larger answers 413 with one of the codes below. */
export const TrackingLimits = {
  maxEventBytes: 32 * 1024,
  maxRequestBytes: 500 * 1024,
  maxBatchEvents: 2500,
} as const;

export const TrackingErrorCode = {
  EVENT_TOO_LARGE: 'EVENT_TOO_LARGE',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  INVALID_ENVELOPE: 'INVALID_ENVELOPE',
} as const;

/** Violation codes of the tracking plan beyond the generic contract codes. */
export const TrackingViolationCode = {
  UNPLANNED_EVENT: 'UNPLANNED_EVENT',
  UNKNOWN_SCHEMA_VERSION: 'UNKNOWN_SCHEMA_VERSION',
  IDENTITY_MISSING: 'IDENTITY_MISSING',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** A string or key holds U+0000, which PostgreSQL text and jsonb cannot store. */
  INVALID_CHARACTER: 'INVALID_CHARACTER',
} as const;

const Json = Type.Record(Type.String(), Type.Unknown());

/** The Segment message types the tracking API takes. */
export const TRACKING_MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type TrackingMessageType = (typeof TRACKING_MESSAGE_TYPES)[number];

const Id = Type.String({ minLength: 1, maxLength: 256 });

/**
 * One tracking message, Segment-shaped (the Segment spec's common fields and those of each call).
 * Only the envelope is checked here; which fields each type may carry, and `properties`/`traits`
 * against the tracking plan (the event's JSON Schema), are checked by dwh-ingest, which gives the
 * codes users see. `integrations`, `_metadata` and `writeKey` (what Segment's libraries send) are
 * accepted and not stored; any other top-level field is refused.
 */
export const TrackingMessageSchema = Type.Object(
  {
    messageId: Type.String({ minLength: 1, maxLength: 128 }),
    type: Type.Union(TRACKING_MESSAGE_TYPES.map((t) => Type.Literal(t))),
    /** track: the event name. */
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** page/screen: the page or screen name. */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** page/screen: the category of the page or screen. */
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** group: the group (account, company) the user belongs to. */
    groupId: Type.Optional(Id),
    /** alias: the identity the user had before `userId`. */
    previousId: Type.Optional(Id),
    userId: Type.Optional(Id),
    anonymousId: Type.Optional(Id),
    timestamp: Type.String({ format: 'date-time', description: 'Event time on the device (ISO 8601)' }),
    sentAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the device sent it; corrects device clock skew' })),
    /** SchemaVer of the event schema the sender was built against; the latest one when absent. */
    schemaVersion: Type.Optional(Type.String({ pattern: '^[1-9][0-9]*-[0-9]+-[0-9]+$' })),
    properties: Type.Optional(Json),
    traits: Type.Optional(Json),
    context: Type.Optional(Json),
    /** Segment's destination switches: accepted, not stored (the warehouse has no destinations). */
    integrations: Type.Optional(Json),
    /** Segment's library metadata (`nodeVersion`, `jsRuntime`, ...): accepted, not stored. */
    _metadata: Type.Optional(Json),
    /** Segment's write key in the body: a credential (see the tracking API's auth), never stored. */
    writeKey: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type TrackingMessage = Static<typeof TrackingMessageSchema>;
export const TrackingMessage = defineContract('dwh.TrackingMessage', TrackingMessageSchema);

/**
 * `POST /v1/batch`: messages plus batch-level `context`/`sentAt` applied to each message lacking them;
 * `writeKey` (what Segment's libraries send) is a credential, `integrations` is accepted and ignored.
 */
export const BatchRequest = defineContract(
  'dwh.BatchRequest',
  Type.Object(
    {
      batch: Type.Array(Type.Unknown(), { description: `At most ${TrackingLimits.maxBatchEvents} messages` }),
      sentAt: Type.Optional(Type.String({ format: 'date-time' })),
      context: Type.Optional(Json),
      integrations: Type.Optional(Json),
      writeKey: Type.Optional(Type.String({ maxLength: 1024 })),
    },
    { additionalProperties: false },
  ),
);
export type BatchRequest = Static<typeof BatchRequest.schema>;

export const EventViolation = Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() });
export type EventViolation = Static<typeof EventViolation>;

export const EventResult = Type.Object({
  index: Type.Integer(),
  messageId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('rejected')]),
  errors: Type.Array(EventViolation),
});
export type EventResult = Static<typeof EventResult>;

export const IngestResponse = defineContract(
  'dwh.IngestResponse',
  Type.Object({
    accepted: Type.Integer({ description: 'Committed to the warehouse before this answer was sent' }),
    duplicates: Type.Integer({ description: 'messageIds already stored; not stored again' }),
    rejected: Type.Integer({ description: 'Stored as failed events with their violations' }),
    results: Type.Array(EventResult, { description: 'Each rejected or duplicate message' }),
  }),
);
export type IngestResponse = Static<typeof IngestResponse.schema>;
