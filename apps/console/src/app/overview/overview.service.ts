import { Injectable } from '@nestjs/common';
import type { OverviewBoard } from '@mlp/contracts';
import { UPSTREAMS } from '../upstream/console-routes';
import { UpstreamClient } from '../upstream/upstream-client';
import { overviewBoard, type OverviewBodies, type Readiness } from './overview-board';

/** A probe that takes longer than this counts as not ready: the board must answer quickly when things are down. */
const PROBE_TIMEOUT_MS = 3000;

/** Reads everything the overview shows from the services, in parallel, with the caller's token. */
@Injectable()
export class OverviewService {
  constructor(private readonly upstream: UpstreamClient) {}

  async board(authorization: string | undefined): Promise<OverviewBoard> {
    const get = <T>(upstream: (typeof UPSTREAMS)[number], path: string) => this.upstream.getJson<T>(upstream, path, { authorization, timeoutMs: PROBE_TIMEOUT_MS });
    const [readiness, sla, freshness, registry, runs, served] = await Promise.all([
      Promise.all(UPSTREAMS.map((u) => this.readiness(u))),
      get<OverviewBodies['sla']>('dwh-ingest', '/v1/sla'),
      get<OverviewBodies['freshness']>('feature-store', '/v1/freshness'),
      get<OverviewBodies['registry']>('trainer', '/v1/models'),
      get<OverviewBodies['runs']>('trainer', '/v1/training-runs?limit=200'),
      get<OverviewBodies['served']>('model-serving', '/v1/models'),
    ]);
    const withChampion = served.ok ? served.body.models.filter((m) => m.champion !== null).map((m) => m.name) : [];
    const reports = await Promise.all(
      withChampion.map(async (name) => [name, await get<OverviewBodies['drift']>('model-serving', `/v1/models/${encodeURIComponent(name)}/drift`)] as const),
    );
    return overviewBoard({ now: new Date(), readiness, sla, freshness, registry, runs, served, drift: Object.fromEntries(reports) });
  }

  /** A service's own readiness probe (public: it needs no token). */
  private async readiness(service: (typeof UPSTREAMS)[number]): Promise<Readiness> {
    const started = performance.now();
    const r = await this.upstream.getJson<{ status: string }>(service, '/readyz', { timeoutMs: PROBE_TIMEOUT_MS, route: '/readyz' });
    return { service, ok: r.ok, reason: r.ok ? undefined : r.reason, latencyMs: performance.now() - started };
  }
}
