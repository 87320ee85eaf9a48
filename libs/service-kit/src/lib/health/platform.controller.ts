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
  @ApiContract({
    summary: 'Who this service is',
    description:
      'Name, version, PostgreSQL schema, applied migrations, transport (tcp or nats), profile and start time of the process that answered. Use it to see which build and schema version is deployed; the same answer is on the transport as `<service>.info.v1`.',
    errors: {},
    example: {
      service: 'trainer',
      version: '0.1.0',
      schema: 'trainer',
      migrations: ['Outbox1764000000000', 'Registry1764100000000', 'HoldoutPredictions1765000000000', 'ModelSpecProjects1765100000000'],
      transport: 'nats',
      profile: 'embedded',
      startedAt: '2026-12-07T09:12:44.031Z',
      requestId: '4f0c1c1e-7d39-4f7e-9a51-2b1f3c0d9e11',
    },
  })
  self(): ServiceInfo {
    return this.info.info();
  }

  @Get('peers')
  @ApiContract({
    response: PeersResponse,
    summary: 'Whether the services this one calls answer',
    description:
      'Asks each peer service for its identity over the transport (TCP or NATS), with the round-trip latency. A peer that does not answer is listed `down` with the error, and the answer is still 200: this is a diagnostic, not a probe (readiness is `/readyz`).',
    errors: {},
    example: {
      service: 'model-serving',
      requestId: '0b6b7f0e-3a4a-4c55-9a77-3f1b9e2f5a10',
      peers: [
        { name: 'feature-store', status: 'up', latencyMs: 2, info: { service: 'feature-store', version: '0.1.0', schema: 'features', migrations: ['Outbox1764000000000', 'FeatureRegistry1764100000000'], transport: 'nats', profile: 'embedded', startedAt: '2026-12-07T09:12:43.870Z', requestId: '0b6b7f0e-3a4a-4c55-9a77-3f1b9e2f5a10' } },
        { name: 'trainer', status: 'down', latencyMs: 2001, error: 'Timeout has occurred' },
      ],
    },
  })
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
