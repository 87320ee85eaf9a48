import { replyInboxPrefix } from '@mlp/contracts';
import { Transport, type ClientOptions, type MicroserviceOptions } from '@nestjs/microservices';
import type { PlatformConfig, TransportCredentials } from '../config/platform-config';

/** NATS authentication of a service: its own user, whose subject permissions the broker enforces. */
const natsAuth = (credentials: TransportCredentials | undefined) =>
  credentials?.natsUser ? { user: credentials.natsUser, pass: credentials.natsPassword } : {};

/** The server side: TCP on TCP_PORT by default, NATS (queue group = service name) with NATS_URL. */
export function serverTransportOptions(service: string, config: PlatformConfig): MicroserviceOptions {
  if (config.env.NATS_URL) {
    return {
      transport: Transport.NATS,
      options: {
        servers: [config.env.NATS_URL],
        queue: service,
        name: `${service}-server`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        ...natsAuth(config.credentials),
      },
    };
  }
  return { transport: Transport.TCP, options: { host: config.env.TCP_HOST, port: config.env.TCP_PORT } };
}

/**
 * What a client of another service reads of the configuration: the broker, the timeout, the peers'
 * addresses and the transport credentials. Structured-cloneable (see `clientConfigOf`), so a worker
 * thread can be given it. Without `credentials` the credentials come from the process environment
 * (`TRANSPORT_SECRET`, `NATS_USER`, `NATS_PASSWORD`), which a worker thread inherits.
 */
export interface ClientConfig {
  env: Pick<PlatformConfig['env'], 'NATS_URL' | 'PEER_TIMEOUT_MS'>;
  peers: PlatformConfig['peers'];
  credentials?: TransportCredentials;
}

/** A service's client configuration as plain data, for a worker thread's `ServiceClient`. */
export function clientConfigOf(config: PlatformConfig): ClientConfig {
  return {
    env: { NATS_URL: config.env.NATS_URL, PEER_TIMEOUT_MS: config.env.PEER_TIMEOUT_MS },
    peers: config.peers,
    credentials: { ...config.credentials },
  };
}

/** The transport credentials a client uses: its configuration's, else the process environment's. */
export function clientCredentials(config: ClientConfig): TransportCredentials {
  if (config.credentials) return config.credentials;
  const env = process.env;
  return { secret: env['TRANSPORT_SECRET'] || undefined, natsUser: env['NATS_USER'] || undefined, natsPassword: env['NATS_PASSWORD'] || undefined };
}

/** The client side for one peer: its TCP address from PEERS, or the shared NATS broker. */
export function clientTransportOptions(peer: string, config: ClientConfig, caller: string): ClientOptions {
  if (config.env.NATS_URL) {
    return {
      transport: Transport.NATS,
      options: {
        servers: [config.env.NATS_URL],
        name: `${caller}-to-${peer}`,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
        // Replies come to `_INBOX.<caller>.<id>`: the caller's NATS user may subscribe there only.
        inboxPrefix: replyInboxPrefix(caller),
        ...natsAuth(clientCredentials(config)),
      },
    };
  }
  const address = config.peers.get(peer);
  if (!address) throw new Error(`no address for peer ${peer}: add it to PEERS`);
  return { transport: Transport.TCP, options: { host: address.host, port: address.port } };
}
