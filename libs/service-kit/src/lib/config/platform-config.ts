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
  /** Credentials of the transport: the platform's signing secret and this service's NATS user. */
  credentials: TransportCredentials;
}

/**
 * What a transport client needs to be trusted: the transport secret it signs with (absent: messages
 * travel unsigned, the embedded default) and its NATS user. Plain strings, so a worker thread can be
 * given them.
 */
export interface TransportCredentials {
  secret?: string;
  natsUser?: string;
  natsPassword?: string;
}

/** The env schema as JSON Schema, with `x-required-in-production` for what production also needs. */
export function envSchemaOf(def: ServiceDefinition): Record<string, unknown> {
  const schema = JSON.parse(JSON.stringify(serviceEnv(def.httpPort, def.tcpPort, def.env ?? {}))) as Record<string, unknown>;
  return {
    ...schema,
    title: `${def.name} environment`,
    'x-required-in-production': ['AUTH_TOKENS', 'PLATFORM_PROFILE', 'TRANSPORT_SECRET'],
    // Required in production when the first variable is set.
    'x-required-in-production-with': { NATS_URL: ['NATS_USER', 'NATS_PASSWORD'] },
  };
}

/**
 * `purpose: 'migrate'` is the migration command (an init container): it needs the database only, so
 * the production profile's credentials (tokens, transport secret, NATS user) are not required of it.
 */
export function loadPlatformConfig(def: ServiceDefinition, env: NodeJS.ProcessEnv = process.env, purpose: 'serve' | 'migrate' = 'serve'): PlatformConfig {
  const schema = serviceEnv(def.httpPort, def.tcpPort, def.env ?? {});
  const values = loadEnvConfig(schema, env) as PlatformConfig['env'];
  const tokens = TokenRegistry.fromEnv(values.AUTH_TOKENS);
  const profile = values.PLATFORM_PROFILE;
  if (profile === 'production' && purpose === 'serve') {
    const missing = [
      ...(tokens.size === 0 ? [{ variable: 'AUTH_TOKENS', message: 'is required in the production profile (a JSON array of scoped tokens)' }] : []),
      ...(values.TRANSPORT_SECRET ? [] : [{ variable: 'TRANSPORT_SECRET', message: 'is required in the production profile (the secret every transport message is signed with)' }]),
      ...(values.NATS_URL && !values.NATS_USER ? [{ variable: 'NATS_USER', message: "is required with NATS_URL in the production profile (this service's own NATS user)" }] : []),
      ...(values.NATS_URL && !values.NATS_PASSWORD ? [{ variable: 'NATS_PASSWORD', message: 'is required with NATS_URL in the production profile' }] : []),
    ];
    if (missing.length) throw new ConfigError(missing);
  }
  if (values.NATS_USER && !values.NATS_PASSWORD) throw new ConfigError([{ variable: 'NATS_PASSWORD', message: 'is required with NATS_USER' }]);
  return {
    env: values,
    profile,
    transport: values.NATS_URL ? 'nats' : 'tcp',
    migrateOnStart: values.MIGRATE_ON_START ?? profile === 'embedded',
    authOpen: profile === 'embedded' && tokens.size === 0,
    tokens,
    peers: parsePeers(values.PEERS),
    credentials: { secret: values.TRANSPORT_SECRET, natsUser: values.NATS_USER, natsPassword: values.NATS_PASSWORD },
  };
}
