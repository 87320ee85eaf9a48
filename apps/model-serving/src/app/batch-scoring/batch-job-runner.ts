import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { EntityFeatures } from '../entity-predictions/entity-features';
import { InferenceService } from '../inference/inference.service';
import { ModelStore } from '../models/model-store';
import { interruption, type JobRow } from './batch-job';
import { BatchJobQueue, type ScoredChunk } from './batch-job-queue';
import { BatchSourceReader } from './batch-source-reader';
import { PointInTimeFeatures } from './point-in-time-features';

/**
 * Runs due batch jobs: every `BATCH_POLL_MS` (and when a job is created) it claims jobs one after
 * another from the queue, scores each chunk of entity keys with the model's features (online, or
 * point-in-time as of the job's stated time) through the one inference path, and commits it; a
 * finished run is published to the job's warehouse table. An outage queues the job again after
 * `BATCH_RETRY_MS`.
 * On shutdown it stops before the next chunk: the lease expires and a replica (or the next start)
 * resumes from the cursor.
 */
@Injectable()
export class BatchJobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly pollMs: number;
  private readonly retryMs: number;
  private timer?: NodeJS.Timeout;
  private working?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly queue: BatchJobQueue,
    private readonly sources: BatchSourceReader,
    private readonly models: ModelStore,
    private readonly inference: InferenceService,
    private readonly features: EntityFeatures,
    private readonly pointInTime: PointInTimeFeatures,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    this.pollMs = config.env['BATCH_POLL_MS'] as number;
    this.retryMs = config.env['BATCH_RETRY_MS'] as number;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.working;
  }

  /** Starts a pass over the due jobs unless one is under way. */
  kick(): void {
    if (this.working || this.stopped || !this.db.isConnected) return;
    this.working = this.drain()
      .catch((err) => this.log.warn({ err: String(err) }, 'batch scoring pass failed'))
      .finally(() => {
        this.working = undefined;
      });
  }

  /** Runs due jobs until none is left. */
  async drain(): Promise<void> {
    for (let job = await this.queue.claim(); job && !this.stopped; job = await this.queue.claim()) await this.run(job);
  }

  private async run(job: JobRow): Promise<void> {
    try {
      let version = job.version;
      if (version === null) {
        version = job.pinned_version ?? this.models.alias(job.model, 'champion').version;
        await this.queue.pinVersion(job.id, version);
      }
      let cursor = job.cursor;
      const requestId = `batch-${job.id}-${job.run}`;
      for (;;) {
        if (this.stopped) return; // the lease expires and a replica (or the next start) resumes from the cursor
        const keys = await this.sources.readKeys(job.source, cursor, job.chunk_size);
        if (keys.length === 0) break;
        const chunk = await this.score(job, version, requestId, keys);
        if (!(await this.queue.commitChunk(job, version, chunk))) return; // cancelled meanwhile
        cursor = keys[keys.length - 1];
      }
      if (!(await this.queue.finish(job))) return; // cancelled meanwhile: nothing published
      this.log.info({ job: job.id, model: job.model, version, run: job.run }, 'batch scoring run finished');
    } catch (err) {
      const { status, retryable, message } = interruption(err);
      await this.queue.interrupt(job.id, status, message, this.retryMs).catch(() => undefined);
      this.log.warn({ job: job.id, err: message, retryable }, 'batch scoring run interrupted');
    }
  }

  /**
   * The one inference path, pinned to the job's version: non-finite answers fail the chunk, and
   * every score is logged (request id `batch-<job>-<run>`, each row with its entity) and watched for
   * drift. A row's score is its answer as the prediction log records it (the output; a multiclass
   * model's predicted class index in its `classes`); `outputs` keeps every output of the row (a
   * multiclass model's per-class probabilities).
   */
  private async score(job: JobRow, version: number, requestId: string, keys: string[]): Promise<ScoredChunk> {
    const entities = keys.map((k) => ({ [job.source.key]: k }));
    const asOf = job.features.mode === 'point_in_time' ? job.features.asOf : null;
    const { model, rows, outputs } = await this.inference.predict({
      model: job.model,
      target: { version },
      sticky: { requestId },
      requestId,
      inputs: asOf === null ? this.features.inputsFor(entities) : this.pointInTime.inputsAsOf(entities, asOf),
    });
    const answers = model.rowAnswers(outputs, rows.rows);
    const answerWidth = answers.length / rows.rows;
    const width = outputs.length / rows.rows;
    const perRow = keys.map((_, i) => Array.from(outputs.subarray(i * width, (i + 1) * width)));
    return { keys, scores: keys.map((_, i) => answers[i * answerWidth]), outputs: perRow, statuses: rows.statuses, asOf };
  }
}
