import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PLATFORM_CONFIG, SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import type { PlatformConfig } from '../config/platform-config';
import { ServiceClient } from './service-client';

/** One lazily-connected typed client per peer service (and one to itself, for readiness). */
@Injectable()
export class PeerClients implements OnApplicationShutdown {
  private readonly clients = new Map<string, ServiceClient>();

  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  get(peer: string): ServiceClient {
    let client = this.clients.get(peer);
    if (!client) {
      const address = peer === this.def.name ? this.selfAddress() : undefined;
      const config = address ? { ...this.config, peers: new Map([[peer, address]]) } : this.config;
      client = new ServiceClient(peer, this.def.name, config);
      this.clients.set(peer, client);
    }
    return client;
  }

  private selfAddress() {
    const host = this.config.env.TCP_HOST === '0.0.0.0' ? '127.0.0.1' : this.config.env.TCP_HOST;
    return { host, port: this.config.env.TCP_PORT };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close().catch(() => undefined)));
    this.clients.clear();
  }
}
