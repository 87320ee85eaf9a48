import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { migrations } from './migrations';

export const service: ServiceDefinition = {
  name: ServiceName.TRAINER,
  version: process.env['SERVICE_VERSION'] ?? '0.1.0',
  description: 'Training runs, model registry, champion/challenger promotion and scheduled retraining',
  schema: 'registry',
  httpPort: 3003,
  tcpPort: 4003,
  migrations,
  info: InfoMessages[ServiceName.TRAINER],
  peers: [{ name: ServiceName.FEATURE_STORE, info: InfoMessages[ServiceName.FEATURE_STORE] }],
};
