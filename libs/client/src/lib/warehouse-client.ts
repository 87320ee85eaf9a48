import type { LiveQualityReport, OutcomeRefreshResult, RefreshOutcomesRequest, RunTransformationsRequest, SlaReport, WarehouseApplyPlan, WarehouseApplyRequest } from './generated/contract-types.js';
import { HttpTransport, seg, type CallOptions, type ServiceOptions } from './http-transport.js';

/** dwh-ingest's warehouse: transformation runs, SLAs, and projects' warehouse definitions. */
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
  async projects(options: CallOptions = {}): Promise<unknown[]> {
    return (await this.http.json<{ projects: unknown[] }>({ ...options, method: 'GET', path: '/v1/projects' })).projects;
  }
  project(name: string, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/projects/${seg(name)}` });
  }
}
