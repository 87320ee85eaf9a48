import type { CreateTrainingRun, MoveAlias, TrainingRun, TrainingRunAccepted } from './generated/contract-types.js';
import { HttpTransport, seg, type CallOptions, type ServiceOptions } from './http-transport.js';

/** A registered model as the trainer lists it. */
export interface ModelSummary {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  featureService: string;
  task: string;
  latestVersion: number | null;
  aliases: { champion: number | null; challenger: number | null };
  createdAt: string;
  updatedAt: string;
  /** Only from `model(name)`: the spec it was registered with. */
  spec?: unknown;
  specHash?: string;
}

export interface ModelVersion {
  model: string;
  version: number;
  algorithm: string;
  aliases: string[];
  status: string;
  sha256: string;
  metrics: Record<string, Record<string, number>>;
  lineage: Record<string, unknown>;
  gate: unknown;
  tags: Record<string, string>;
  description: string | null;
  runId: string | null;
  createdAt: string;
}

/** trainer: models, versions, aliases and training runs. */
export class RegistryClient {
  private readonly http: HttpTransport;

  constructor(options: ServiceOptions) {
    this.http = new HttpTransport(options);
  }

  async models(options: CallOptions = {}): Promise<ModelSummary[]> {
    return (await this.http.json<{ models: ModelSummary[] }>({ ...options, method: 'GET', path: '/v1/models' })).models;
  }
  model(name: string, options: CallOptions = {}): Promise<ModelSummary> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(name)}` });
  }
  async versions(name: string, options: CallOptions = {}): Promise<ModelVersion[]> {
    return (await this.http.json<{ versions: ModelVersion[] }>({ ...options, method: 'GET', path: `/v1/models/${seg(name)}/versions` })).versions;
  }
  version(name: string, version: number, options: CallOptions = {}): Promise<ModelVersion> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(name)}/versions/${seg(version)}` });
  }
  /** Moves `champion` or `challenger` (admin scope); `version: null` removes it. Recorded in the audit log. */
  moveAlias(name: string, move: MoveAlias, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'POST', path: `/v1/models/${seg(name)}/aliases`, json: move });
  }
  aliasAudit(name: string, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(name)}/audit` });
  }

  startRun(request: CreateTrainingRun, options: CallOptions = {}): Promise<TrainingRunAccepted> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/training-runs', json: request });
  }
  run(id: string, options: CallOptions = {}): Promise<TrainingRun> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/training-runs/${seg(id)}` });
  }
  async runs(filter: { model?: string; status?: TrainingRun['status']; limit?: number } = {}, options: CallOptions = {}): Promise<TrainingRun[]> {
    return (await this.http.json<{ runs: TrainingRun[] }>({ ...options, method: 'GET', path: '/v1/training-runs', query: filter })).runs;
  }
  cancelRun(id: string, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'POST', path: `/v1/training-runs/${seg(id)}/cancel` });
  }
}
