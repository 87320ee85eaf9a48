import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PeersResponse, type ServiceInfo } from '@mlp/contracts';
import { requestContext } from '@mlp/runtime';
import { ApiContract } from '../http/api-contract';
import { PeerClients } from '../transport/peer-clients';
import { SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import { ServiceInfoProvider } from './service-info';

/** Who this service is, and whether the services it calls answer over the transport. */
@ApiTags('platform')
@Controller('v1/platform')
export class PlatformController {
  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    private readonly info: ServiceInfoProvider,
    private readonly clients: PeerClients,
  ) {}

  @Get('info')
  self(): ServiceInfo {
    return this.info.info();
  }

  @Get('peers')
  @ApiContract({ response: PeersResponse })
  async peers(): Promise<PeersResponse> {
    const peers = await Promise.all(
      (this.def.peers ?? []).map(async (peer) => {
        const start = performance.now();
        try {
          const info = (await this.clients.get(peer.name).send(peer.info, {})) as ServiceInfo;
          return { name: peer.name, status: 'up' as const, latencyMs: Math.round(performance.now() - start), info };
        } catch (err) {
          return { name: peer.name, status: 'down' as const, latencyMs: Math.round(performance.now() - start), error: (err as Error).message };
        }
      }),
    );
    return { service: this.def.name, requestId: requestContext.requestId() ?? 'none', peers };
  }
}
