import {
  ConfigError,
  loadEnvConfig,
  parsePeers,
  serviceEnv,
  TokenFile,
  TokenRegistry,
  type CommonEnv,
  type TokenLookup,
} from '@mlp/runtime';
import type { Static, TObject } from '@sinclair/typebox';
import type { ServiceDefinition } from '../service-definition';
import { parseWebhookReceivers, type WebhookReceiver } from '../outbox/webhooks';

type CommonValues = Static<TObject<typeof CommonEnv>> & { PORT: number; TCP_PORT: number };

/** The validated configuration of a running service. */
export interface PlatformConfig {
  env: CommonValues & Record<string, unknown>;
  profile: 'embedded' | 'production';
  transport: 'tcp' | 'nats';
  migrateOnStart: boolean;
  /** Open means no authentication at all (embedded profile without tokens). */
  authOpen: boolean;
  /** AUTH_TOKENS, or AUTH_TOKENS_FILE (a TokenFile, watched by the kit's TokenAudit). */
  tokens: TokenLookup;
  peers: Map<string, { host: string; port: number }>;
  /** Credentials of the transport: the platform's signing secret and this service's NATS user. */
  credentials: TransportCredentials;
  /** Where the outbox delivers events as webhooks (WEBHOOKS, or WEBHOOK_URLS + WEBHOOK_SECRET). */
  webhooks: WebhookReceiver[];
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
    // `A|B`: either one.
    'x-required-in-production': ['AUTH_TOKENS|AUTH_TOKENS_FILE', 'PLATFORM_PROFILE', 'TRANSPORT_SECRET'],
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
  const problems = def.checkEnv?.(values) ?? [];
  if (problems.length) throw new ConfigError(problems);
  if (values.AUTH_TOKENS && values.AUTH_TOKENS_FILE) {
    throw new ConfigError([{ variable: 'AUTH_TOKENS_FILE', message: 'and AUTH_TOKENS are both set: use one (the file can change without a restart)' }]);
  }
  const profile = values.PLATFORM_PROFILE;
  // The migration never authenticates anyone: it does not need the tokens' file to be mounted.
  const tokens: TokenLookup = values.AUTH_TOKENS_FILE && purpose === 'serve' ? TokenFile.open(values.AUTH_TOKENS_FILE) : TokenRegistry.fromEnv(values.AUTH_TOKENS);
  if (profile === 'production' && purpose === 'serve') {
    const missing = [
      ...(tokens.size === 0
        ? [{ variable: values.AUTH_TOKENS_FILE ? 'AUTH_TOKENS_FILE' : 'AUTH_TOKENS', message: 'is required in the production profile (a JSON array of scoped tokens, or AUTH_TOKENS_FILE naming a file of it)' }]
        : []),
      ...(values.TRANSPORT_SECRET ? [] : [{ variable: 'TRANSPORT_SECRET', message: 'is required in the production profile (the secret every transport message is signed with)' }]),
      ...(values.NATS_URL && !values.NATS_USER ? [{ variable: 'NATS_USER', message: "is required with NATS_URL in the production profile (this service's own NATS user)" }] : []),
      ...(values.NATS_URL && !values.NATS_PASSWORD ? [{ variable: 'NATS_PASSWORD', message: 'is required with NATS_URL in the production profile' }] : []),
    ];
    if (missing.length) throw new ConfigError(missing);
  }
  if (purpose === 'serve' && values.NATS_USER && !values.NATS_PASSWORD) throw new ConfigError([{ variable: 'NATS_PASSWORD', message: 'is required with NATS_USER' }]);
  return {
    env: values,
    profile,
    transport: values.NATS_URL ? 'nats' : 'tcp',
    migrateOnStart: values.MIGRATE_ON_START ?? profile === 'embedded',
    // A tokens file closes the service even while it holds no token (every token revoked).
    authOpen: profile === 'embedded' && tokens.size === 0 && !values.AUTH_TOKENS_FILE,
    tokens,
    peers: parsePeers(values.PEERS),
    credentials: { secret: values.TRANSPORT_SECRET, natsUser: values.NATS_USER, natsPassword: values.NATS_PASSWORD },
    webhooks: purpose === 'serve' ? parseWebhookReceivers(values as Record<string, string | undefined>, profile === 'production') : [],
  };
}
