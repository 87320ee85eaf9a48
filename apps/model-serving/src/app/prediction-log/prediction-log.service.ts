import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IngestPredictionLogMessage, ServiceName, type PredictionLogRecord } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { PeerClients, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import path from 'node:path';
import { ServingMetrics } from '../metrics/serving-metrics';
import { PredictionLogBuffer, type OverflowMode } from './prediction-log-buffer';

/**
 * Ships every prediction to the warehouse through dwh-ingest's contract, asynchronously and in
 * batches, from a bounded buffer that spills to disk or pushes back when the warehouse is down.
 */
@Injectable()
export class PredictionLogService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly buffer: PredictionLogBuffer;
  private timer?: NodeJS.Timeout;
  private lastSent = 0;
  private lastSpilled = 0;
  private lastRefused = 0;

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
      },
      async (records) => {
        await peers.get(ServiceName.DWH_INGEST).send(IngestPredictionLogMessage, { records }, 15000);
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
  record(records: PredictionLogRecord[]): void {
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
    const sent = await this.buffer.flush();
    if (this.buffer.stats.sendFailures > failuresBefore) {
      this.log.warn({ inMemory: this.buffer.inMemory, spilledSegments: this.buffer.segments().length }, 'warehouse not reachable; prediction log kept for retry');
    }
    this.syncCounters();
    return sent;
  }

  pending() {
    return { inMemory: this.buffer.inMemory, onDisk: this.buffer.spilledRecords(), ...this.buffer.stats };
  }

  private syncCounters(): void {
    const s = this.buffer.stats;
    this.metrics.logRecords.inc({ outcome: 'sent' }, s.sent - this.lastSent);
    this.metrics.logRecords.inc({ outcome: 'spilled' }, s.spilled - this.lastSpilled);
    this.metrics.logRecords.inc({ outcome: 'refused' }, s.refused - this.lastRefused);
    [this.lastSent, this.lastSpilled, this.lastRefused] = [s.sent, s.spilled, s.refused];
    this.metrics.logPending.set({ where: 'memory' }, this.buffer.inMemory);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const { unsent, persisted } = await this.buffer.close();
    if (unsent) this.log.warn({ unsent, persisted }, 'prediction log records not delivered at shutdown were written to disk');
  }
}
