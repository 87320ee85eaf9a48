import { Transport, type ClientOptions, type MicroserviceOptions } from '@nestjs/microservices';
import type { PlatformConfig } from '../config/platform-config';

/** The server side: TCP on TCP_PORT by default, NATS (queue group = service name) with NATS_URL. */
export function serverTransportOptions(service: string, config: PlatformConfig): MicroserviceOptions {
  if (config.env.NATS_URL) {
    return {
      transport: Transport.NATS,
      options: { servers: [config.env.NATS_URL], queue: service, name: `${service}-server`, maxReconnectAttempts: -1, reconnectTimeWait: 1000 },
    };
  }
  return { transport: Transport.TCP, options: { host: config.env.TCP_HOST, port: config.env.TCP_PORT } };
}

/** What a client of another service reads of the configuration: the broker, the timeout, the peers' addresses. */
export interface ClientConfig {
  env: Pick<PlatformConfig['env'], 'NATS_URL' | 'PEER_TIMEOUT_MS'>;
  peers: PlatformConfig['peers'];
}

/** The client side for one peer: its TCP address from PEERS, or the shared NATS broker. */
export function clientTransportOptions(peer: string, config: ClientConfig, caller: string): ClientOptions {
  if (config.env.NATS_URL) {
    return {
      transport: Transport.NATS,
      options: { servers: [config.env.NATS_URL], name: `${caller}-to-${peer}`, maxReconnectAttempts: -1, reconnectTimeWait: 1000 },
    };
  }
  const address = config.peers.get(peer);
  if (!address) throw new Error(`no address for peer ${peer}: add it to PEERS`);
  return { transport: Transport.TCP, options: { host: address.host, port: address.port } };
}
