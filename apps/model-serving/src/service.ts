import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { migrations } from './migrations';

export const service: ServiceDefinition = {
  name: ServiceName.MODEL_SERVING,
  version: process.env['SERVICE_VERSION'] ?? '0.1.0',
  description: 'Real-time predictions (Open Inference Protocol), batch scoring, prediction logging and drift',
  schema: 'serving',
  httpPort: 3004,
  tcpPort: 4004,
  migrations,
  info: InfoMessages[ServiceName.MODEL_SERVING],
  peers: [{ name: ServiceName.FEATURE_STORE, info: InfoMessages[ServiceName.FEATURE_STORE] }, { name: ServiceName.TRAINER, info: InfoMessages[ServiceName.TRAINER] }, { name: ServiceName.DWH_INGEST, info: InfoMessages[ServiceName.DWH_INGEST] }],
};
