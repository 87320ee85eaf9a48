import {
  ConfigError,
  loadEnvConfig,
  parsePeers,
  serviceEnv,
  TokenRegistry,
  type CommonEnv,
} from '@mlp/runtime';
import type { Static, TObject } from '@sinclair/typebox';
import type { ServiceDefinition } from '../service-definition';

type CommonValues = Static<TObject<typeof CommonEnv>> & { PORT: number; TCP_PORT: number };

/** The validated configuration of a running service. */
export interface PlatformConfig {
  env: CommonValues & Record<string, unknown>;
  profile: 'embedded' | 'production';
  transport: 'tcp' | 'nats';
  migrateOnStart: boolean;
  /** Open means no authentication at all (embedded profile without tokens). */
  authOpen: boolean;
  tokens: TokenRegistry;
  peers: Map<string, { host: string; port: number }>;
}

/** The env schema as JSON Schema, with `x-required-in-production` for what production also needs. */
export function envSchemaOf(def: ServiceDefinition): Record<string, unknown> {
  const schema = JSON.parse(JSON.stringify(serviceEnv(def.httpPort, def.tcpPort, def.env ?? {}))) as Record<string, unknown>;
  return { ...schema, title: `${def.name} environment`, 'x-required-in-production': ['AUTH_TOKENS', 'PLATFORM_PROFILE'] };
}

export function loadPlatformConfig(def: ServiceDefinition, env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const schema = serviceEnv(def.httpPort, def.tcpPort, def.env ?? {});
  const values = loadEnvConfig(schema, env) as PlatformConfig['env'];
  const problems = def.checkEnv?.(values) ?? [];
  if (problems.length) throw new ConfigError(problems);
  const tokens = TokenRegistry.fromEnv(values.AUTH_TOKENS);
  const profile = values.PLATFORM_PROFILE;
  if (profile === 'production' && tokens.size === 0) {
    throw new ConfigError([
      { variable: 'AUTH_TOKENS', message: 'is required in the production profile (a JSON array of scoped tokens)' },
    ]);
  }
  return {
    env: values,
    profile,
    transport: values.NATS_URL ? 'nats' : 'tcp',
    migrateOnStart: values.MIGRATE_ON_START ?? profile === 'embedded',
    authOpen: profile === 'embedded' && tokens.size === 0,
    tokens,
    peers: parsePeers(values.PEERS),
  };
}
