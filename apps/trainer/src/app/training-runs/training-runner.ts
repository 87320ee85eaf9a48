import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { EpochPoint } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { Database, MetricsService, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Histogram } from 'prom-client';
import type { BackendPreference } from '../models/backend-preference';
import { HOLDOUT_ROWS_KEPT, PromotionService } from '../promotion/promotion.service';
import { LeaseLostError } from './lease-lost-error';
import { RunQueue, type RunRow } from './run-queue';
import type { TrainingJob, TrainingOutcome } from './training-pipeline';
import { startTrainingWorker } from './training-worker-launcher';
import type { WorkerMessage } from './training-worker-protocol';

interface ActiveRun {
  run: RunRow;
  terminate(): Promise<number>;
  stopReason: 'cancelled' | 'lease-lost' | 'shutdown' | null;
}

/**
 * Each replica's trainer: claims due runs from the queue (up to TRAINER_CONCURRENCY at a time),
 * trains each in a worker thread, renews the lease with heartbeats that also carry progress and
 * curves, and on every replica reclaims runs whose trainer stopped heart-beating.
 */
@Injectable()
export class TrainingRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly active = new Map<string, ActiveRun>();
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopped = false;
  private readonly runsFinished: Counter<'status'>;
  private readonly runSeconds: Histogram;

  constructor(
    private readonly db: Database,
    private readonly queue: RunQueue,
    private readonly promotion: PromotionService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    metrics: MetricsService,
  ) {
    this.runsFinished = new Counter({ name: 'trainer_runs_finished_total', help: 'Training runs finished by this replica', labelNames: ['status'], registers: [metrics.registry] });
    this.runSeconds = new Histogram({ name: 'trainer_run_duration_seconds', help: 'Wall time of training runs', buckets: [1, 5, 15, 60, 300, 900, 3600], registers: [metrics.registry] });
  }

  private get env() {
    return this.config.env as Record<string, unknown>;
  }
  private get leaseMs() {
    return Number(this.env['TRAINER_LEASE_MS']);
  }
  private get concurrency() {
    return Number(this.env['TRAINER_CONCURRENCY']);
  }

  onApplicationBootstrap(): void {
    this.log.info({ owner: this.owner, concurrency: this.concurrency, backend: this.env['TRAINER_BACKEND'] }, 'trainer started');
    this.timer = setInterval(() => void this.tick(), Number(this.env['TRAINER_POLL_MS']));
    this.timer.unref();
  }

  /** One pass: reclaim expired leases, then claim work while there is capacity. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped || !this.db.isConnected) return;
    this.ticking = true;
    try {
      for (const r of await this.queue.reclaimExpired()) this.log.warn({ runId: r.id, status: r.status }, 'reclaimed a training run whose trainer lost its lease');
      while (!this.stopped && this.active.size < this.concurrency) {
        const run = await this.queue.claim(this.owner, this.leaseMs);
        if (!run) break;
        void this.execute(run).catch((err) => this.log.error({ err: String(err), runId: run.id }, 'training run crashed in the trainer; its lease will lapse and it will be retried'));
      }
    } catch (err) {
      this.log.warn({ err: String(err) }, 'trainer tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private async execute(run: RunRow): Promise<void> {
    const started = Date.now();
    const log = this.log.child({ runId: run.id, model: run.model, attempt: run.attempts });
    let curves: EpochPoint[] = [];
    let progress = 0;
    let backend: string | null = null;
    type Result = { outcome: TrainingOutcome; backend: string } | { failed: { message: string; code: string; retryable: boolean } };
    const state: { result: Result | null } = { result: null };
    const championRows = await this.db
      .query<{ version: number; artifact: Buffer; sha256: string }>(
        `SELECT v.version, v.artifact, v.sha256 FROM "registry".model_aliases a JOIN "registry".model_versions v ON v.model = a.model AND v.version = a.version
          WHERE a.model = $1 AND a.alias = 'champion'`,
        [run.model],
      )
      .catch(() => null);
    if (!championRows) {
      await this.queue.finish(run.id, this.owner, 'queued', { message: 'database unavailable while starting', code: 'DEPENDENCY_UNAVAILABLE' }).catch(() => undefined);
      return;
    }
    const champion = championRows[0] ? { version: championRows[0].version, artifactJson: championRows[0].artifact.toString('utf8'), sha256: championRows[0].sha256 } : null;
    // A trial never sees the champion: it is not judged on the test rows at all.
    const job: TrainingJob = { spec: run.spec, seed: run.seed, end: run.data_end.toISOString(), champion: run.trial ? null : champion, trial: run.trial };
    const token = this.env['FEATURE_STORE_TOKEN'] as string | undefined;
    const worker = startTrainingWorker(
      {
        job,
        featureStoreUrl: this.env['FEATURE_STORE_URL'],
        featureStoreHeaders: token ? { authorization: `Bearer ${token}` } : {},
        backend: this.env['TRAINER_BACKEND'] as BackendPreference,
      },
      (m: WorkerMessage) => {
        if (m.type === 'backend') {
          backend = m.backend;
          if (m.warning) log.warn({ backend, reason: m.warning }, 'the preferred training backend could not be used');
          log.info({ backend }, 'training backend selected');
        } else if (m.type === 'progress') {
          progress = m.progress;
          if (m.point) curves = [...curves, m.point];
        } else if (m.type === 'done') state.result = { outcome: m.outcome, backend: m.backend };
        else state.result = { failed: { message: m.message, code: m.code, retryable: m.retryable } };
      },
    );
    const active: ActiveRun = { run, terminate: worker.terminate, stopReason: null };
    this.active.set(run.id, active);
    log.info('training run started');
    const beat = setInterval(() => {
      void this.queue
        .heartbeat(run.id, this.owner, this.leaseMs, progress, curves, backend)
        .then(({ held, cancelRequested }) => {
          if (!held || cancelRequested) {
            active.stopReason ??= held ? 'cancelled' : 'lease-lost';
            void worker.terminate();
          }
        })
        .catch((err) => log.warn({ err: String(err) }, 'heartbeat failed; the lease will lapse if this continues'));
    }, Number(this.env['TRAINER_HEARTBEAT_MS']));
    try {
      await worker.done.catch((err: unknown) => {
        state.result ??= { failed: { message: `training worker crashed: ${String(err)}`, code: 'WORKER_CRASHED', retryable: true } };
      });
    } finally {
      clearInterval(beat);
      this.active.delete(run.id);
    }
    const r = state.result;
    let status = 'failed';
    try {
      if (active.stopReason === 'lease-lost') {
        status = 'lease-lost';
        log.warn('lease lost (another trainer took the run over); result discarded');
      } else if (active.stopReason === 'cancelled') {
        status = 'cancelled';
        await this.queue.finish(run.id, this.owner, 'cancelled', { message: 'cancelled on request', code: 'CANCELLED' }, { backend, curves });
      } else if (active.stopReason === 'shutdown') {
        status = 'released'; // handed back by beforeApplicationShutdown
      } else if (r && 'outcome' in r && run.trial) {
        await this.queue.completeTrial(run, this.owner, r.outcome, r.backend, HOLDOUT_ROWS_KEPT);
        status = 'succeeded';
        log.info({ trial: true, searchId: run.search_id, metrics: r.outcome.metrics['validation'], crossValidation: r.outcome.crossValidation?.mean, backend: r.backend }, 'trial run succeeded');
      } else if (r && 'outcome' in r) {
        const { version, gate } = await this.promotion.registerOutcome(run, this.owner, r.outcome, r.backend, champion?.version ?? null);
        status = 'succeeded';
        log.info({ version, promoted: gate.promoted, gate: gate.code, metrics: r.outcome.metrics['candidate'], backend: r.backend }, 'training run succeeded');
      } else {
        const failed = r && 'failed' in r ? r.failed : { message: 'training worker exited without a result', code: 'WORKER_CRASHED', retryable: true };
        const retry = failed.retryable && run.attempts < run.max_attempts;
        status = retry ? 'retrying' : 'failed';
        await this.queue.finish(run.id, this.owner, retry ? 'queued' : 'failed', failed, { backend, curves });
        log.warn({ error: failed.message, code: failed.code, retry }, 'training run failed');
      }
    } catch (err) {
      if (err instanceof LeaseLostError) log.warn('lease lost before the result could be registered; another trainer owns the run');
      else {
        log.error({ err: String(err) }, 'could not record the training run outcome; the lease will lapse and the run be retried');
      }
    }
    this.runsFinished.inc({ status });
    this.runSeconds.observe((Date.now() - started) / 1000);
  }

  /**
   * Hands running work back to the queue so another replica continues it at once instead of after
   * the lease; runs before the database closes (onApplicationShutdown). If this fails, the lease
   * lapses and the reaper of another replica requeues the run anyway.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const a of [...this.active.values()]) {
      a.stopReason ??= 'shutdown';
      await a.terminate();
      const released = await this.queue.release(a.run.id, this.owner).catch((err) => {
        this.log.warn({ runId: a.run.id, err: String(err) }, 'could not hand the run back; its lease will lapse');
        return false;
      });
      if (released) this.log.info({ runId: a.run.id }, 'training run handed back to the queue on shutdown');
    }
  }
}
