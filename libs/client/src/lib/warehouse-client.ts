import type { EventStats, FailedEventsPage, KpiList, KpiSeries, LiveQualityReport, OutcomeRefreshResult, RefreshOutcomesRequest, ReplayRequest, ReplayResult, RunTransformationsRequest, SlaReport, WarehouseApplyPlan, WarehouseApplyRequest, WarehouseLineage } from './generated/contract-types.js';
import { HttpTransport, seg, type CallOptions, type ServiceOptions } from './http-transport.js';

export interface EventStatsQuery {
  /** ISO 8601; rounded down to the bucket (default: `to` minus 24 hours). */
  from?: string;
  /** ISO 8601, exclusive; rounded up to the bucket (default: now). */
  to?: string;
  bucket?: 'hour' | 'day';
  /** How many top codes and events (1..100, default 10). */
  top?: number;
}

export interface FailedEventsQuery {
  event?: string;
  code?: string;
  from?: string;
  to?: string;
  status?: 'pending' | 'replayed';
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string;
}

/** dwh-ingest's warehouse: events stats, failed events and their replay, lineage, transformation runs, SLAs, and projects' warehouse definitions. */
export class WarehouseClient {
  private readonly http: HttpTransport;

  constructor(options: ServiceOptions) {
    this.http = new HttpTransport(options);
  }

  /** Runs the DAG (all models, or those named) and answers with each model's outcome and test results; 409 while another run holds the lock. */
  runTransformations(request: RunTransformationsRequest = {}, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ timeoutMs: 0, ...options, method: 'POST', path: '/v1/transformations/run', json: request });
  }
  async transformationRuns(page: { limit?: number } = {}, options: CallOptions = {}): Promise<unknown[]> {
    return (await this.http.json<{ runs: unknown[] }>({ ...options, method: 'GET', path: '/v1/transformations/runs', query: page })).runs;
  }
  transformationRun(id: string, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/transformations/runs/${seg(id)}` });
  }
  /** Freshness and row-count SLAs of every mart. */
  sla(options: CallOptions = {}): Promise<SlaReport> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/sla' });
  }
  /** Accepted, rejected and duplicate events per hour (or day), and the top violation codes and events. */
  eventStats(query: EventStatsQuery = {}, options: CallOptions = {}): Promise<EventStats> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/events/stats', query: { ...query } });
  }
  /** Events the tracking plan refused, newest first; pass `nextCursor` as `cursor` for the next page. */
  failedEvents(query: FailedEventsQuery = {}, options: CallOptions = {}): Promise<FailedEventsPage> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/failed-events', query: { ...query } });
  }
  /** Validates failed events again against the current tracking plan and loads the valid ones; an `idempotencyKey` makes a retry answer the first result. */
  replayFailedEvents(request: ReplayRequest, options: CallOptions & { idempotencyKey?: string } = {}): Promise<ReplayResult> {
    const { idempotencyKey, ...call } = options;
    return this.http.json({ ...call, headers: { ...call.headers, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) }, method: 'POST', path: '/v1/failed-events/replay', json: request });
  }
  /** The model DAG: sources and models with their last build, latest test results and freshness, and what reads what. */
  lineage(options: CallOptions = {}): Promise<WarehouseLineage> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/lineage' });
  }
  /** Plans (`dry_run: true`) or applies a project's warehouse definitions, atomically. */
  applyProject(request: WarehouseApplyRequest, options: CallOptions = {}): Promise<WarehouseApplyPlan> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/warehouse/apply', json: request });
  }
  /** Labels the models' logged predictions with their outcomes now (all models with one when `models` is absent); a PlatformApiError 409 `REFRESH_IN_PROGRESS` while another refresh runs. */
  refreshOutcomes(request: RefreshOutcomesRequest = {}, options: CallOptions = {}): Promise<OutcomeRefreshResult> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/outcomes/refresh', json: request });
  }
  /** Live quality of a model's logged predictions against their outcomes (AUC, calibration, per version), over the last `windowHours`. */
  liveQuality(model: string, window: { windowHours?: number } = {}, options: CallOptions = {}): Promise<LiveQualityReport> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(model)}/live-quality`, query: window });
  }
  /** The KPIs the projects declared. */
  async kpis(options: CallOptions = {}): Promise<KpiList['kpis']> {
    return (await this.http.json<KpiList>({ ...options, method: 'GET', path: '/v1/kpis' })).kpis;
  }
  /** One KPI's points with from <= date <= to (YYYY-MM-DD), by date then dimension; `dimension` keeps one value's. */
  kpi(name: string, range: { from?: string; to?: string; dimension?: string } = {}, options: CallOptions = {}): Promise<KpiSeries> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/kpis/${seg(name)}`, query: { from: range.from, to: range.to, dimension: range.dimension } });
  }
  async projects(options: CallOptions = {}): Promise<unknown[]> {
    return (await this.http.json<{ projects: unknown[] }>({ ...options, method: 'GET', path: '/v1/projects' })).projects;
  }
  project(name: string, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/projects/${seg(name)}` });
  }
}
