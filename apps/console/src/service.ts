import { ConsoleInfoMessage } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { Type } from '@sinclair/typebox';
import { migrations } from './migrations';

const version = process.env['SERVICE_VERSION'] ?? '0.1.0';
const url = (fallback: string, what: string) => Type.String({ default: fallback, pattern: '^https?://', description: `${what} HTTP base URL (server side only: the browser never sees it)` });

export const service: ServiceDefinition = {
  name: 'console',
  version,
  description: 'The web console: readiness and SLAs, warehouse, models and serving, through the services’ public APIs',
  schema: 'console',
  httpPort: 3005,
  tcpPort: 4005,
  migrations,
  info: ConsoleInfoMessage,
  peers: [],
  env: {
    DWH_INGEST_URL: url('http://127.0.0.1:3001', 'dwh-ingest'),
    FEATURE_STORE_URL: url('http://127.0.0.1:3002', 'feature-store'),
    TRAINER_URL: url('http://127.0.0.1:3003', 'trainer'),
    MODEL_SERVING_URL: url('http://127.0.0.1:3004', 'model-serving'),
    CONSOLE_UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120000, default: 15000, description: 'How long a call to a service may take before the console answers 503' }),
    CONSOLE_WEB_DIR: Type.Optional(Type.String({ minLength: 1, description: 'Directory of the built single-page app (default: web/ beside the compiled app)' })),
  },
};
