import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { Type } from '@sinclair/typebox';
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
  env: {
    ONLINE_STORE_PREFIX: Type.String({ pattern: '^[a-zA-Z0-9_:-]{1,64}$', default: 'fs', description: 'Key prefix in Redis (REDIS_URL selects the Redis online store)' }),
    SESSION_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 50, default: 4, description: 'Connections for training-set streams, cursors and source checks' }),
    SESSION_TEMP_BUFFERS_MB: Type.Integer({ minimum: 1, maximum: 16384, default: 256, description: 'temp_buffers of session connections (temporary tables of training sets)' }),
    HISTORICAL_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 600000, description: 'Statement timeout of training-set queries' }),
    HISTORICAL_INDEX_MEMORY_MB: Type.Integer({
      minimum: 1,
      maximum: 16384,
      default: 256,
      description: 'Sort memory of a training-set session (maintenance_work_mem of its index builds, work_mem of the label rows numbering): sorts below this size stay in memory',
    }),
    MATERIALIZATION_WORKER: Type.Boolean({ default: true, description: 'Run materialization chunks in this replica' }),
    MATERIALIZATION_CHUNKS: Type.Integer({ minimum: 1, maximum: 1024, default: 16, description: 'Hash chunks per materialization job' }),
    MATERIALIZATION_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 2, description: 'Chunks one replica works on at the same time' }),
    MATERIALIZATION_LEASE_MS: Type.Integer({ minimum: 1000, default: 30000, description: 'A running chunk without heartbeat for this long is taken over' }),
    MATERIALIZATION_POLL_MS: Type.Integer({ minimum: 50, default: 1000 }),
    FRESHNESS_CHECK_MS: Type.Integer({ minimum: 100, default: 15000, description: 'How often freshness SLAs are evaluated' }),
    FEATURE_VERSION_IDLE_RETIRE_SECONDS: Type.Integer({
      minimum: 0,
      default: 604800,
      description: 'An older feature view version that no feature service pins and nothing read online for this long (since it was superseded or last read) is retired; 0: never automatically',
    }),
    VERSION_RETIREMENT_CHECK_MS: Type.Integer({ minimum: 100, default: 60000, description: 'How often versions due for retirement are retired and their online values deleted' }),
    VERSION_USAGE_FLUSH_MS: Type.Integer({ minimum: 100, default: 30000, description: 'How often the online reads of feature view versions are recorded' }),
  },
};
