import { Inject, Injectable } from '@nestjs/common';
import { PlatformError, requestContext } from '@mlp/runtime';
import { MetricsService } from '@mlp/service-kit';
import { Histogram } from 'prom-client';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console-config';
import type { Fetched } from '../overview/overview-board';
import { findRoute, type Upstream } from './console-routes';

export interface UpstreamRequest {
  upstream: Upstream;
  method: string;
  /** Path and query on the service, e.g. `/v1/failed-events?limit=50`. */
  pathAndQuery: string;
  /** The route template, for the metrics label (never the concrete path: its values are unbounded). */
  route?: string;
  /** The caller's `Authorization` header, passed on as it came: the services check it themselves. */
  authorization?: string;
  body?: unknown;
  /** A shorter budget than the default (the overview's probes). */
  timeoutMs?: number;
}

export interface UpstreamAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * Calls the services' public HTTP APIs for the console, with the caller's token and the request id
 * (so one action can be followed through every service's logs). A service that cannot be reached or
 * does not answer in time is a 503 naming the service, never its URL.
 */
@Injectable()
export class UpstreamClient {
  private readonly duration: Histogram<'upstream' | 'route' | 'status'>;

  constructor(
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    metrics: MetricsService,
  ) {
    this.duration = new Histogram({
      name: 'console_upstream_request_duration_seconds',
      help: 'Calls from the console to the services, by service, route template and status (0: no answer)',
      labelNames: ['upstream', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }

  async call(req: UpstreamRequest): Promise<UpstreamAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (req.authorization) headers['authorization'] = req.authorization;
    const requestId = requestContext.requestId();
    if (requestId) headers['x-request-id'] = requestId;
    let payload: string | undefined;
    if (req.body !== undefined && req.method !== 'GET') {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(req.body);
    }
    const started = performance.now();
    const route = req.route ?? findRoute(req.upstream, req.method, req.pathAndQuery.split('?')[0])?.path ?? 'other';
    const observe = (status: number) => this.duration.observe({ upstream: req.upstream, route, status: String(status) }, (performance.now() - started) / 1000);
    try {
      const res = await fetch(`${this.config.upstreams[req.upstream]}${req.pathAndQuery}`, {
        method: req.method,
        headers,
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(req.timeoutMs ?? this.config.upstreamTimeoutMs),
      });
      const body = Buffer.from(await res.arrayBuffer());
      observe(res.status);
      return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json; charset=utf-8', body };
    } catch (err) {
      observe(0);
      const e = err as { name?: string; cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${req.timeoutMs ?? this.config.upstreamTimeoutMs} ms` : (e.cause?.code ?? 'not reachable');
      throw PlatformError.unavailable(req.upstream, why);
    }
  }

  /** A JSON GET that never throws: the parsed body, or why there is none (what the overview needs). */
  async getJson<T = unknown>(upstream: Upstream, path: string, options: { authorization?: string; timeoutMs?: number; route?: string } = {}): Promise<Fetched<T>> {
    let answer: UpstreamAnswer;
    try {
      answer = await this.call({ upstream, method: 'GET', pathAndQuery: path, ...options });
    } catch (err) {
      return { ok: false, status: 503, reason: (err as PlatformError).details?.[0]?.message ?? `${upstream} is unavailable`, code: 'DEPENDENCY_UNAVAILABLE' };
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body.toString('utf8'));
    } catch {
      return { ok: false, status: answer.status, reason: `${upstream} answered ${answer.status} without JSON` };
    }
    if (answer.status >= 200 && answer.status < 300) return { ok: true, body: body as T };
    const error = body as { error?: string; code?: string } | null;
    return { ok: false, status: answer.status, reason: error?.error ?? `HTTP ${answer.status}`, code: error?.code };
  }
}
