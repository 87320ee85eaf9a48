import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram';

type HttpLabels = 'method' | 'route' | 'status';
type Recorder = (seconds: number) => void;

/**
 * One Prometheus registry per service: process metrics plus the HTTP duration histogram by route
 * and status. Features register their own metrics on `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: BoundHistogram<HttpLabels>;
  /** route -> method -> status code -> recorder: every request after the first of its kind only looks up. */
  private readonly httpRecorders = new Map<string, Map<string, Map<number, Recorder>>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new BoundHistogram<HttpLabels>(
      'http_request_duration_seconds',
      'HTTP request duration by method, route template and status code',
      ['method', 'route', 'status'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      [this.registry],
    );
  }

  setServiceLabel(service: string): void {
    this.registry.setDefaultLabels({ service });
  }

  /**
   * Records one HTTP request. The label sets are bounded (route templates, methods Node's parser
   * accepts, status codes), so their recorders are bound once and kept.
   */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.httpRecorders.get(route);
    if (!byMethod) this.httpRecorders.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let record = byStatus.get(status);
    if (!record) byStatus.set(status, (record = this.httpDuration.bind({ method, route, status: String(status) })));
    record(seconds);
  }
}
