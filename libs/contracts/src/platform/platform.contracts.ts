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
