import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IngestPredictionLogLinesMessage, ServiceName } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { PeerClients, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import path from 'node:path';
import { ServingMetrics } from '../metrics/serving-metrics';
import { PredictionLogBuffer, type EncodedRecord, type OverflowMode } from './prediction-log-buffer';

/** A refusal of the batch's content (4xx other than a timeout or rate limit): resending cannot help. */
const isRefusal = (err: unknown) => err instanceof PlatformError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;

/**
 * Ships every prediction to the warehouse through dwh-ingest's contract
 * (`dwh-ingest.prediction-log.v2`: records as the JSON lines encoded at prediction time),
 * asynchronously and in batches, from a bounded buffer that spills to disk or pushes back when the
 * warehouse is down. A batch the warehouse refuses is set aside on disk and reported, not retried.
 */
@Injectable()
export class PredictionLogService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly buffer: PredictionLogBuffer;
  private timer?: NodeJS.Timeout;
  private lastSent = 0;
  private lastSpilled = 0;
  private lastRefused = 0;
  private lastRejected = 0;

  constructor(
    peers: PeerClients,
    private readonly metrics: ServingMetrics,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    const env = config.env;
    this.buffer = new PredictionLogBuffer(
      {
        capacity: env['PREDICTION_LOG_CAPACITY'] as number,
        overflow: env['PREDICTION_LOG_OVERFLOW'] as OverflowMode,
        spillDir: path.resolve(env['PREDICTION_LOG_SPILL_DIR'] as string),
        batchSize: env['PREDICTION_LOG_BATCH'] as number,
        isRefusal,
      },
      async (lines) => {
        await peers.get(ServiceName.DWH_INGEST).send(IngestPredictionLogLinesMessage, { lines }, 15000);
      },
    );
  }

  onApplicationBootstrap(): void {
    const every = this.config.env['PREDICTION_LOG_FLUSH_MS'] as number;
    this.timer = setInterval(() => void this.flush(), every);
    this.timer.unref();
  }

  /** Refuses a request up front (503) when back pressure is on and the buffer is full. */
  assertRoom(rows: number): void {
    try {
      this.buffer.assertRoom(rows);
    } catch (err) {
      this.syncCounters();
      throw err;
    }
  }

  /** Counters are synced on flush (every PREDICTION_LOG_FLUSH_MS) and on refusals, not per request. */
  record(records: EncodedRecord[]): void {
    const spilledBefore = this.buffer.stats.spilled;
    try {
      this.buffer.offer(records);
    } catch (err) {
      this.syncCounters();
      throw err;
    }
    if (this.buffer.stats.spilled !== spilledBefore) this.syncCounters();
    if (this.buffer.inMemory >= (this.config.env['PREDICTION_LOG_BATCH'] as number)) void this.flush();
  }

  async flush(): Promise<number> {
    const failuresBefore = this.buffer.stats.sendFailures;
    const rejectedBefore = this.buffer.stats.rejected;
    const sent = await this.buffer.flush();
    if (this.buffer.stats.sendFailures > failuresBefore) {
      this.log.warn({ inMemory: this.buffer.inMemory, spilledSegments: this.buffer.segments().length }, 'warehouse not reachable; prediction log kept for retry');
    }
    if (this.buffer.stats.rejected > rejectedBefore) {
      this.log.error({ ...this.buffer.lastRefusal, rejectedTotal: this.buffer.stats.rejected }, 'the warehouse refused prediction log records: set aside for inspection, not retried');
    }
    this.syncCounters();
    return sent;
  }

  pending() {
    return { inMemory: this.buffer.inMemory, onDisk: this.buffer.spilledRecords(), ...this.buffer.stats, rejectedFiles: this.buffer.rejectedFiles().map((f) => path.basename(f)), lastRefusal: this.buffer.lastRefusal ?? null };
  }

  private syncCounters(): void {
    const s = this.buffer.stats;
    this.metrics.logRecords.inc({ outcome: 'sent' }, s.sent - this.lastSent);
    this.metrics.logRecords.inc({ outcome: 'spilled' }, s.spilled - this.lastSpilled);
    this.metrics.logRecords.inc({ outcome: 'refused' }, s.refused - this.lastRefused);
    this.metrics.logRecords.inc({ outcome: 'rejected' }, s.rejected - this.lastRejected);
    [this.lastSent, this.lastSpilled, this.lastRefused, this.lastRejected] = [s.sent, s.spilled, s.refused, s.rejected];
    this.metrics.logPending.set({ where: 'memory' }, this.buffer.inMemory);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const { unsent, persisted } = await this.buffer.close();
    if (unsent) this.log.warn({ unsent, persisted }, 'prediction log records not delivered at shutdown were written to disk');
  }
}
