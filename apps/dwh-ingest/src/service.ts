import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { migrations } from './migrations';

export const service: ServiceDefinition = {
  name: ServiceName.DWH_INGEST,
  version: process.env['SERVICE_VERSION'] ?? '0.1.0',
  description: 'Product and third-party events into the PostgreSQL warehouse: raw, staging, marts, SLAs',
  schema: 'dwh',
  httpPort: 3001,
  tcpPort: 4001,
  migrations,
  info: InfoMessages[ServiceName.DWH_INGEST],
  peers: [],
};
