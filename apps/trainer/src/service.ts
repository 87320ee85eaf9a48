import { InfoMessages, ServiceName } from '@mlp/contracts';
import type { ServiceDefinition } from '@mlp/service-kit';
import { Type } from '@sinclair/typebox';
import { backendProblem, type BackendPreference } from './app/models/backend-preference';
import { migrations } from './migrations';

const version = process.env['SERVICE_VERSION'] ?? '0.1.0';

export const service: ServiceDefinition = {
  name: ServiceName.TRAINER,
  version,
  description: 'Training runs, model registry, champion/challenger promotion and scheduled retraining',
  schema: 'registry',
  httpPort: 3003,
  tcpPort: 4003,
  migrations,
  info: InfoMessages[ServiceName.TRAINER],
  peers: [{ name: ServiceName.FEATURE_STORE, info: InfoMessages[ServiceName.FEATURE_STORE] }],
  env: {
    FEATURE_STORE_URL: Type.String({ default: 'http://127.0.0.1:3002', pattern: '^https?://', description: 'Feature store HTTP base URL (training sets)' }),
    FEATURE_STORE_TOKEN: Type.Optional(Type.String({ description: 'Bearer token for the feature store (scope features:read)' })),
    TRAINER_BACKEND: Type.Union([Type.Literal('auto'), Type.Literal('wasm'), Type.Literal('cpu'), Type.Literal('tensorflow')], {
      default: 'auto',
      description: 'TF.js backend: auto = tfjs-node where installed, else wasm, else cpu',
    }),
    TRAINER_CONCURRENCY: Type.Integer({ minimum: 0, maximum: 64, default: 1, description: 'Training runs this replica trains at once (0: API and reaper only)' }),
    TRAINER_POLL_MS: Type.Integer({ minimum: 50, default: 1000, description: 'How often the replica looks for queued runs' }),
    TRAINER_LEASE_MS: Type.Integer({ minimum: 500, default: 30000, description: 'A run whose trainer has not renewed its lease this long is reclaimed' }),
    TRAINER_HEARTBEAT_MS: Type.Integer({ minimum: 100, default: 5000, description: 'Lease renewal and progress write interval (well under the lease)' }),
    TRAINER_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 3, description: 'Attempts before a run is failed' }),
    TRAINER_SCHEDULER_MS: Type.Integer({ minimum: 0, default: 30000, description: 'Cron check interval (0 disables schedules on this replica)' }),
    CODE_VERSION: Type.String({ default: process.env['GIT_COMMIT'] ? `${version}+${process.env['GIT_COMMIT']}` : version, description: 'Recorded on every run and version' }),
  },
  // A backend that cannot be had is a start error naming the package, not a silent fallback.
  checkEnv: (env) => {
    const problem = backendProblem(env['TRAINER_BACKEND'] as BackendPreference);
    return problem ? [{ variable: 'TRAINER_BACKEND', message: problem }] : [];
  },
};
