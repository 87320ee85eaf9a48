import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineMessage } from '../lib/contract-exports';

/** The four services of the platform; a service name is also its transport pattern prefix. */
export const ServiceName = {
  DWH_INGEST: 'dwh-ingest',
  FEATURE_STORE: 'feature-store',
  TRAINER: 'trainer',
  MODEL_SERVING: 'model-serving',
} as const;
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];
export const SERVICE_NAMES = Object.values(ServiceName);
/** Every app on the platform's transport: the four services and the console (which only asks itself). */
export const PLATFORM_APPS: readonly string[] = [...SERVICE_NAMES, 'console'];

export const ServiceInfo = Type.Object(
  {
    service: Type.String(),
    version: Type.String(),
    schema: Type.String({ description: 'PostgreSQL schema the service owns' }),
    migrations: Type.Array(Type.String(), { description: 'Applied migrations, oldest first' }),
    transport: Type.Union([Type.Literal('tcp'), Type.Literal('nats')]),
    profile: Type.Union([Type.Literal('embedded'), Type.Literal('production')]),
    startedAt: Type.String({ format: 'date-time' }),
    requestId: Type.String({ description: 'The request id this service saw for this call' }),
  },
  { additionalProperties: false },
);
export type ServiceInfo = Static<typeof ServiceInfo>;

const InfoRequest = Type.Object({}, { additionalProperties: false });

/** Any platform service may ask another who it is (`GET /v1/platform/peers`). */
const everyService = { callers: SERVICE_NAMES };

/** `<service>.info.v1`: every service answers who it is. Pattern names are constants, never strings in code. */
export const InfoMessages = {
  'dwh-ingest': defineMessage('dwh-ingest.info.v1', InfoRequest, ServiceInfo, 'Identity, version and schema of dwh-ingest', everyService),
  'feature-store': defineMessage('feature-store.info.v1', InfoRequest, ServiceInfo, 'Identity, version and schema of feature-store', everyService),
  trainer: defineMessage('trainer.info.v1', InfoRequest, ServiceInfo, 'Identity, version and schema of trainer', everyService),
  'model-serving': defineMessage('model-serving.info.v1', InfoRequest, ServiceInfo, 'Identity, version and schema of model-serving', everyService),
} as const;

export const DependencyCheck = Type.Object(
  {
    name: Type.String(),
    status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    latencyMs: Type.Number(),
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const HealthResponse = defineContract(
  'platform.HealthResponse',
  Type.Object(
    {
      status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
      service: Type.String(),
      checks: Type.Array(DependencyCheck),
    },
    { additionalProperties: false },
  ),
);
export type HealthResponse = Static<typeof HealthResponse.schema>;

export const PeersResponse = defineContract(
  'platform.PeersResponse',
  Type.Object(
    {
      service: Type.String(),
      requestId: Type.String(),
      peers: Type.Array(
        Type.Object(
          {
            name: Type.String(),
            status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
            latencyMs: Type.Number(),
            info: Type.Optional(ServiceInfo),
            error: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
);
export type PeersResponse = Static<typeof PeersResponse.schema>;

/** A webhook receiver as the API shows it: never its secret, and only the origin of its URL. */
const WebhookReceiverSchema = Type.Object(
  {
    name: Type.String(),
    origin: Type.String({ description: 'Scheme, host and port of the URL (a path may hold a secret)' }),
    events: Type.Array(Type.String(), { description: 'Event patterns it receives: exact, or a prefix ending in *' }),
    pending: Type.Integer({ minimum: 0, description: 'Deliveries waiting or being retried' }),
    deadLetters: Type.Integer({ minimum: 0, description: 'Deliveries that used up their attempts' }),
  },
  { additionalProperties: false },
);
export const WebhookReceiversResponse = defineContract(
  'platform.WebhookReceiversResponse',
  Type.Object(
    {
      service: Type.String(),
      maxAttempts: Type.Integer({ minimum: 1 }),
      receivers: Type.Array(WebhookReceiverSchema),
    },
    { additionalProperties: false },
  ),
);
export type WebhookReceiversResponse = Static<typeof WebhookReceiversResponse.schema>;

export const DeadLetterQuery = defineContract(
  'platform.DeadLetterQuery',
  Type.Object(
    {
      receiver: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1..1000, default 100' })),
      cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextCursor of the previous page' })),
    },
    { additionalProperties: false },
  ),
);
export type DeadLetterQuery = Static<typeof DeadLetterQuery.schema>;

const DeadLetterSchema = Type.Object(
  {
    id: Type.String({ description: 'Outbox row id; the delivery keeps it (and its webhook-id) when redelivered' }),
    webhookId: Type.String(),
    receiver: Type.String(),
    event: Type.String(),
    attempts: Type.Integer({ minimum: 0 }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    deadAt: Type.String({ format: 'date-time' }),
    payload: Type.Unknown(),
  },
  { additionalProperties: false },
);
export const DeadLetterPage = defineContract(
  'platform.DeadLetterPage',
  Type.Object({ items: Type.Array(DeadLetterSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
);
export type DeadLetterPage = Static<typeof DeadLetterPage.schema>;

export const RedeliverRequest = defineContract(
  'platform.RedeliverRequest',
  Type.Object(
    {
      ids: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,18}$' }), { minItems: 1, maxItems: 10000 })),
      receiver: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Every dead letter of this receiver' })),
    },
    { additionalProperties: false, description: 'ids, or receiver, or both (the ids of that receiver)' },
  ),
);
export type RedeliverRequest = Static<typeof RedeliverRequest.schema>;

export const RedeliverResponse = defineContract(
  'platform.RedeliverResponse',
  Type.Object({ redelivered: Type.Integer({ minimum: 0 }), ids: Type.Array(Type.String()) }, { additionalProperties: false }),
);
export type RedeliverResponse = Static<typeof RedeliverResponse.schema>;
