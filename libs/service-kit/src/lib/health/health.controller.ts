import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ErrorCode, type HealthResponse } from '@mlp/contracts';
import type { FastifyReply } from 'fastify';
import { Public } from '../http/auth';
import { Database } from '../database/database.service';
import { MetricsService } from '../observability/metrics.service';
import { PeerClients } from '../transport/peer-clients';
import { SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import { ServiceInfoProvider } from './service-info';

type Check = HealthResponse['checks'][number];

async function timed(name: string, probe: () => Promise<unknown>): Promise<Check> {
  const start = performance.now();
  try {
    await probe();
    return { name, status: 'up', latencyMs: round(performance.now() - start) };
  } catch (err) {
    const message = (err as { message?: string })?.message ?? String(err);
    return { name, status: 'down', latencyMs: round(performance.now() - start), error: message };
  }
}
const round = (ms: number) => Math.round(ms * 100) / 100;

/** Liveness without dependencies; readiness with the database and the transport (a real round trip). */
@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  private cached?: { at: number; checks: Check[] };

  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    private readonly db: Database,
    private readonly peers: PeerClients,
    private readonly info: ServiceInfoProvider,
    private readonly metrics: MetricsService,
  ) {}

  @Get('healthz')
  liveness(): HealthResponse {
    return { status: 'ok', service: this.def.name, checks: [] };
  }

  @Get('readyz')
  async readiness(@Res() reply: FastifyReply): Promise<void> {
    if (this.info.shuttingDown) {
      void reply.status(503).send({ error: 'shutting down', code: ErrorCode.SHUTTING_DOWN, details: [] });
      return;
    }
    // Probes arrive every few seconds from several places; one real check per second is enough.
    if (!this.cached || Date.now() - this.cached.at > 1000) {
      const checks = await Promise.all([
        timed('database', () => this.db.ping()),
        timed(`transport`, () => this.peers.get(this.def.name).send(this.def.info, {}, 2000)),
      ]);
      this.cached = { at: Date.now(), checks };
    }
    const checks = this.cached.checks;
    if (checks.every((c) => c.status === 'up')) {
      void reply.status(200).send({ status: 'ok', service: this.def.name, checks } satisfies HealthResponse);
    } else {
      void reply.status(503).send({
        error: `${this.def.name} is not ready`,
        code: ErrorCode.NOT_READY,
        details: checks.filter((c) => c.status === 'down').map((c) => ({ path: c.name, code: 'DOWN', message: c.error ?? 'down', latencyMs: c.latencyMs })),
      });
    }
  }

  @Get('metrics')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    void reply.header('content-type', this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
