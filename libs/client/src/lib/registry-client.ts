import type { CreateSearch, CreateTrainingRun, HoldoutPredictions, ModelSpec, ModelSpecApplyPlan, ModelSpecApplyRequest, ModelSpecRecord, MoveAlias, RunComparison, Search, TrainingRun, TrainingRunAccepted } from './generated/contract-types.js';
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
  /** The promotion gate's decision on this version (as its training run has it). */
  gate: TrainingRun['gate'];
  tags: Record<string, string>;
  description: string | null;
  runId: string | null;
  createdAt: string;
}

/** One move of an alias, as `POST /v1/models/{m}/aliases` answers it. */
export interface AliasMoved {
  model: string;
  alias: 'champion' | 'challenger';
  version: number | null;
  previousVersion: number | null;
  changed: boolean;
  [key: string]: unknown;
}

/** One entry of a model's alias audit log, oldest first. */
export interface AliasAuditEntry {
  id: number;
  alias: 'champion' | 'challenger';
  from: number | null;
  to: number | null;
  /** Who moved it: the token's subject, or `promotion` for the trainer's gate. */
  actor: string;
  reason: string;
  /** The training run whose gate moved it, when one did. */
  runId: string | null;
  at: string;
  [key: string]: unknown;
}

/** One page of a keyset-paged list: pass `nextCursor` as the next call's `cursor` (null on the last page). */
export interface VersionsPage {
  versions: ModelVersion[];
  nextCursor: string | null;
}
export interface RunsPage {
  runs: TrainingRun[];
  nextCursor: string | null;
}

/** trainer: model specs, models, versions, aliases and training runs. */
export class RegistryClient {
  private readonly http: HttpTransport;

  constructor(options: ServiceOptions) {
    this.http = new HttpTransport(options);
  }

  /** Plans (`dry_run: true`) or applies a project's model specs; a name another project owns is a 409. */
  applySpecs(request: ModelSpecApplyRequest, options: CallOptions = {}): Promise<ModelSpecApplyPlan> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/model-specs/apply', json: request });
  }

  /** Declares or updates one model (admin scope); a project-owned spec changes only with `project` set to its owner. */
  putSpec(spec: ModelSpec, options: CallOptions & { project?: string } = {}): Promise<ModelSpecRecord> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/model-specs', query: { project: options.project }, json: spec });
  }

  /** Every declared model spec with its owning project and hash, or only those of `project`. */
  async specs(filter: { project?: string } = {}, options: CallOptions = {}): Promise<ModelSpecRecord[]> {
    return (await this.http.json<{ models: ModelSpecRecord[] }>({ ...options, method: 'GET', path: '/v1/model-specs', query: filter })).models;
  }

  async models(options: CallOptions = {}): Promise<ModelSummary[]> {
    return (await this.http.json<{ models: ModelSummary[] }>({ ...options, method: 'GET', path: '/v1/models' })).models;
  }
  model(name: string, options: CallOptions = {}): Promise<ModelSummary> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(name)}` });
  }
  /** Every version, newest first (the trainer answers pages of up to 500; this follows their cursors). */
  async versions(name: string, options: CallOptions = {}): Promise<ModelVersion[]> {
    const all: ModelVersion[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = cursor === null ? { limit: 500 } : { limit: 500, cursor };
      const page: { versions: ModelVersion[]; nextCursor?: string | null } = await this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(name)}/versions`, query });
      all.push(...page.versions);
      cursor = page.nextCursor ?? null;
    } while (cursor !== null);
    return all;
  }
  /** One page of versions, newest first (`limit` 1..500); `cursor` is a previous page's `nextCursor`. */
  async versionsPage(name: string, page: { limit?: number; cursor?: string } = {}, options: CallOptions = {}): Promise<VersionsPage> {
    const answer = await this.http.json<{ versions: ModelVersion[]; nextCursor?: string | null }>({ ...options, method: 'GET', path: `/v1/models/${seg(name)}/versions`, query: { limit: page.limit, cursor: page.cursor } });
    return { versions: answer.versions, nextCursor: answer.nextCursor ?? null };
  }
  version(name: string, version: number, options: CallOptions = {}): Promise<ModelVersion> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(name)}/versions/${seg(version)}` });
  }
  /** Moves `champion` or `challenger` (admin scope); `version: null` removes it. Recorded in the audit log. */
  moveAlias(name: string, move: MoveAlias, options: CallOptions = {}): Promise<AliasMoved> {
    return this.http.json({ ...options, method: 'POST', path: `/v1/models/${seg(name)}/aliases`, json: move });
  }
  /** Every move of the model's aliases, oldest first (who, when, from, to, why). */
  aliasAudit(name: string, options: CallOptions = {}): Promise<{ model: string; entries: AliasAuditEntry[] }> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/models/${seg(name)}/audit` });
  }

  startRun(request: CreateTrainingRun, options: CallOptions = {}): Promise<TrainingRunAccepted> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/training-runs', json: request });
  }
  run(id: string, options: CallOptions = {}): Promise<TrainingRun> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/training-runs/${seg(id)}` });
  }
  /** One page of runs, newest first (`limit` 1..500, default 50); `cursor` is a previous page's `nextCursor`. */
  async runs(filter: { model?: string; status?: TrainingRun['status']; limit?: number; cursor?: string } = {}, options: CallOptions = {}): Promise<TrainingRun[]> {
    return (await this.http.json<{ runs: TrainingRun[] }>({ ...options, method: 'GET', path: '/v1/training-runs', query: filter })).runs;
  }
  /** The same page of runs with its `nextCursor` (null on the last page), to page on. */
  async runsPage(filter: { model?: string; status?: TrainingRun['status']; limit?: number; cursor?: string } = {}, options: CallOptions = {}): Promise<RunsPage> {
    const answer = await this.http.json<{ runs: TrainingRun[]; nextCursor?: string | null }>({ ...options, method: 'GET', path: '/v1/training-runs', query: filter });
    return { runs: answer.runs, nextCursor: answer.nextCursor ?? null };
  }
  /** A run's held-out rows with the candidate's own score of each: what serving must answer for the same raw values. */
  holdoutPredictions(id: string, page: { offset?: number; limit?: number } = {}, options: CallOptions = {}): Promise<HoldoutPredictions> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/training-runs/${seg(id)}/holdout-predictions`, query: page });
  }
  cancelRun(id: string, options: CallOptions = {}): Promise<unknown> {
    return this.http.json({ ...options, method: 'POST', path: `/v1/training-runs/${seg(id)}/cancel` });
  }

  /**
   * Starts a hyperparameter search (the request's `plan`, or the one the spec declares): every trial
   * is queued at once; the best by validation metric is then registered as one version and gated on
   * the test rows. A bad plan is a 400 with its code (`GRID_EXCEEDS_BUDGET`, `UNKNOWN_SEARCH_PARAMETER`, ...).
   */
  startSearch(request: CreateSearch, options: CallOptions = {}): Promise<Search> {
    return this.http.json({ ...options, method: 'POST', path: '/v1/searches', json: request });
  }
  /** A search: status, trials with parameters and validation metrics, the winner and its registered run. */
  search(id: string, options: CallOptions = {}): Promise<Search> {
    return this.http.json({ ...options, method: 'GET', path: `/v1/searches/${seg(id)}` });
  }
  /** Stops a search: its queued runs at once, running ones at their next heartbeat; nothing is registered (409 SEARCH_FINISHED once it ended). */
  cancelSearch(id: string, options: CallOptions = {}): Promise<Search> {
    return this.http.json({ ...options, method: 'POST', path: `/v1/searches/${seg(id)}/cancel` });
  }
  async searches(filter: { model?: string; limit?: number } = {}, options: CallOptions = {}): Promise<Search[]> {
    return (await this.http.json<{ searches: Search[] }>({ ...options, method: 'GET', path: '/v1/searches', query: filter })).searches;
  }
  /** 2 to 20 runs side by side (parameters, metrics, curves) and which settings differ between them. */
  compareRuns(ids: readonly string[], options: CallOptions = {}): Promise<RunComparison> {
    return this.http.json({ ...options, method: 'GET', path: '/v1/runs/compare', query: { ids: ids.join(',') } });
  }
}
