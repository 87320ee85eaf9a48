import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { migrations } from './migrations';

export const service: ServiceDefinition = {
  name: ServiceName.FEATURE_STORE,
  version: process.env['SERVICE_VERSION'] ?? '0.1.0',
  description: 'Feature definitions, point-in-time training sets and online features',
  schema: 'features',
  httpPort: 3002,
  tcpPort: 4002,
  migrations,
  info: InfoMessages[ServiceName.FEATURE_STORE],
  peers: [{ name: ServiceName.DWH_INGEST, info: InfoMessages[ServiceName.DWH_INGEST] }],
};
