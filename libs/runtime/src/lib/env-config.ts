import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { redactUrl } from './logger';

/**
 * Environment configuration is declared as a TypeBox object whose property names are the variable
 * names. Values are coerced from strings, defaults applied, and every problem is reported with the
 * variable it concerns, so a bad deployment fails at start with a message an operator can act on.
 */
export class ConfigError extends Error {
  constructor(readonly problems: Array<{ variable: string; message: string }>) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
addFormats(ajv);

const Port = (fallback: number, description: string) => Type.Integer({ minimum: 0, maximum: 65535, default: fallback, description });

/** Variables every service understands. Service-specific ones extend this. */
export const CommonEnv = {
  PLATFORM_PROFILE: Type.Union([Type.Literal('embedded'), Type.Literal('production')], {
    default: 'embedded',
    description: 'embedded: open auth with a warning, migrations on start. production: tokens required.',
  }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection URL' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 30000 }),
  NATS_URL: Type.Optional(
    Type.String({ pattern: '^(nats|tls)://[^@/]+/?$', description: 'Use NATS instead of TCP between services (no credentials in the URL: NATS_USER, NATS_PASSWORD)' }),
  ),
  NATS_USER: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: "This service's NATS user (its subject permissions are rendered from the contracts); required with NATS_URL in production" })),
  NATS_PASSWORD: Type.Optional(Type.String({ minLength: 16, description: 'Password of NATS_USER', 'x-secret': true })),
  TRANSPORT_SECRET: Type.Optional(
    Type.String({
      minLength: 32,
      description: 'Shared by the platform services: every transport message is signed with it and unsigned or forged ones are refused; required in production',
      'x-secret': true,
    }),
  ),
  TRANSPORT_SECRET_PREVIOUS: Type.Optional(
    Type.String({ minLength: 32, description: 'During a rotation: the old TRANSPORT_SECRET, still accepted (never used to sign) until every service has the new one', 'x-secret': true }),
  ),
  TRANSPORT_REPLAY_WINDOW_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 30000, description: 'A signed message sent further than this from now (either way) is refused; its nonce is remembered meanwhile' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  TCP_HOST: Type.String({ default: '127.0.0.1', description: 'Address the TCP transport binds to' }),
  HTTP_HOST: Type.String({ default: '0.0.0.0' }),
  AUTH_TOKENS: Type.Optional(
    Type.String({ description: 'JSON array of {"name","token","scopes":[...]}; this or AUTH_TOKENS_FILE is required in production', 'x-secret': true }),
  ),
  AUTH_TOKENS_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'A file holding the same JSON array (a mounted Kubernetes Secret), read again when it changes: tokens are added, rotated and revoked without a restart',
    }),
  ),
  AUTH_TOKENS_RELOAD_MS: Type.Integer({ minimum: 200, maximum: 300000, default: 2000, description: 'How often AUTH_TOKENS_FILE is read again, besides watching it' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1048576 }),
  MIGRATE_ON_START: Type.Optional(Type.Boolean({ description: 'Defaults to true in embedded, false in production' })),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 15000 }),
  PEER_TIMEOUT_MS: Type.Integer({ minimum: 10, default: 5000 }),
  PEERS: Type.String({
    default: 'dwh-ingest=127.0.0.1:4001,feature-store=127.0.0.1:4002,trainer=127.0.0.1:4003,model-serving=127.0.0.1:4004',
    description: 'TCP addresses of the other services (ignored with NATS_URL)',
  }),
  WEBHOOKS: Type.Optional(
    Type.String({
      description:
        'JSON array of webhook receivers {"name","url","secret":"whsec_...","events":["dwh.sla.*",...]}: each its own secret and event filter (deliveries signed as Standard Webhooks); in production each needs a secret and https',
      'x-secret': true,
    }),
  ),
  WEBHOOK_URLS: Type.Optional(Type.String({ description: 'Older form of WEBHOOKS: comma-separated URLs that receive every event, all signed with WEBHOOK_SECRET' })),
  WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16, description: 'The secret of every WEBHOOK_URLS receiver (Standard Webhooks signature)', 'x-secret': true })),
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 15, description: 'Attempts of a webhook delivery before it is dead-lettered (about 2 hours with the default backoff)' }),
  WEBHOOK_MAX_BACKOFF_MS: Type.Integer({ minimum: 1000, default: 3600000, description: 'Longest wait between two attempts of a webhook delivery (it doubles from 0.5 s)' }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 50, default: 500, description: 'How often the outbox relay looks for due events' }),
  PLATFORM_PARENT_PID: Type.Optional(Type.Integer({ description: 'Exit when this process disappears (set by the runner)' })),
} satisfies TProperties;

export function serviceEnv<P extends TProperties>(httpPort: number, tcpPort: number, extra: P) {
  return Type.Object({
    ...CommonEnv,
    PORT: Port(httpPort, 'HTTP port'),
    TCP_PORT: Port(tcpPort, 'TCP transport port'),
    ...extra,
  });
}

export function loadEnvConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv = process.env): Static<T> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') input[key] = raw;
  }
  const validate = ajv.compile(schema);
  if (validate(input)) return input as Static<T>;
  const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'const').map((e) => {
    const variable =
      e.keyword === 'required' ? String(e.params['missingProperty']) : e.instancePath.replace(/^\//, '').split('/')[0];
    const property = schema.properties[variable] as { anyOf?: Array<{ const?: unknown }>; 'x-secret'?: boolean } | undefined;
    const options = property?.anyOf;
    const got = shown(env[variable], property?.['x-secret'] === true);
    const message =
      e.keyword === 'required'
        ? 'is required but not set'
        : e.keyword === 'anyOf' && options?.every((o) => o.const !== undefined)
          ? `must be one of ${options.map((o) => String(o.const)).join(', ')} (got ${got})`
          : `${e.message ?? 'is invalid'} (got ${got})`;
    return { variable, message };
  });
  throw new ConfigError(dedupe(problems));
}

/** A rejected value as the error message may show it: never a secret, never a URL's password. */
function shown(value: string | undefined, secret: boolean): string {
  if (value === undefined) return 'null';
  if (secret) return `a value of ${value.length} characters`;
  return JSON.stringify(/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value) ? redactUrl(value) : value);
}

function dedupe(problems: Array<{ variable: string; message: string }>) {
  const byVar = new Map<string, string>();
  for (const p of problems) if (!byVar.has(p.variable)) byVar.set(p.variable, p.message);
  return [...byVar].map(([variable, message]) => ({ variable, message }));
}

export function parsePeers(spec: string): Map<string, { host: string; port: number }> {
  const peers = new Map<string, { host: string; port: number }>();
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z][a-z0-9-]*)=([^:]+):(\d+)$/.exec(item);
    if (!m) throw new ConfigError([{ variable: 'PEERS', message: `entry "${item}" must look like name=host:port` }]);
    peers.set(m[1], { host: m[2], port: Number(m[3]) });
  }
  return peers;
}
