import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IngestPredictionLogLinesMessage, ServiceName } from '@mlp/contracts';
import { startWorkerThread, type Logger } from '@mlp/runtime';
import { clientConfigOf, PeerClients, PLATFORM_CONFIG, PLATFORM_LOGGER, SERVICE_DEFINITION, type PlatformConfig, type ServiceDefinition } from '@mlp/service-kit';
import type { Worker } from 'node:worker_threads';
import { ServingMetrics } from '../metrics/serving-metrics';
import { writeSegment } from './prediction-log-buffer';
import { PredictionFrameReader } from './prediction-frame';
import { PredictionLogPipeline, type PredictionLogPipelineOptions, type PredictionLogSnapshot } from './prediction-log-pipeline';
import { predictionLogOptions, type PredictionLogRequest, type PredictionLogWorkerData, type PredictionLogWorkerMessage } from './prediction-log-protocol';
import { PredictionLogWriter } from './prediction-log-writer';

/** The consumer side as the service sees it: in the worker thread, or in this thread as a fallback. */
interface LogConsumer {
  snapshot(): Promise<PredictionLogSnapshot>;
  close(): Promise<{ unsent: number; persisted: number }>;
}

const EMPTY: PredictionLogSnapshot = { inMemory: 0, onDisk: 0, accepted: 0, spilled: 0, sent: 0, sendFailures: 0, rejected: 0, rejectedFiles: [], lastRefusal: null };
const WORKER_RESTART_MS = 1000;

/**
 * Ships every prediction to the warehouse through dwh-ingest's contract
 * (`dwh-ingest.prediction-log.v2`: records as JSON lines), asynchronously and in batches, from a
 * bounded buffer that spills to disk or pushes back when the warehouse is down. A batch the
 * warehouse refuses whole is set aside on disk and reported, not retried; records the warehouse sets
 * aside alone (on its side) are counted as rejected.
 *
 * A record is encoded once: the request path writes each prediction as a binary frame into a
 * shared ring (PredictionLogWriter), and the consumer turns each frame into its JSON line, which
 * stays that line in the buffer, on disk and on the wire. This service runs the consumer (on a
 * worker thread, `prediction-log.worker.ts`, or in this thread with `PREDICTION_LOG_WORKER=false`),
 * restarts it when it dies, closes it at shutdown, and keeps the log's counters, logs and state.
 */
@Injectable()
export class PredictionLogService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly options: PredictionLogPipelineOptions;
  private consumer?: LogConsumer;
  private worker?: Worker;
  private readonly waiting = new Map<number, { resolve: (m: PredictionLogWorkerMessage) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private closing = false;
  private restartTimer?: NodeJS.Timeout;
  /** The consumer's last report, and the counts of consumers that exited (the writer counts its own). */
  private last: PredictionLogSnapshot = EMPTY;
  private readonly carried = { accepted: 0, spilled: 0, sent: 0, sendFailures: 0, rejected: 0 };
  private readonly synced = { sent: 0, spilled: 0, rejected: 0 };

  constructor(
    private readonly writer: PredictionLogWriter,
    private readonly peers: PeerClients,
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    private readonly metrics: ServingMetrics,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {
    this.options = predictionLogOptions(config.env);
  }

  onApplicationBootstrap(): void {
    this.startConsumer();
  }

  private startConsumer(): void {
    if (this.closing) return;
    if (this.config.env['PREDICTION_LOG_WORKER'] === false) {
      this.consumer = this.inThread();
      return;
    }
    try {
      this.consumer = this.inWorker();
    } catch (err) {
      this.log.error({ err: String(err) }, 'prediction log worker could not start; the log runs on the main thread');
      this.consumer = this.inThread();
    }
  }

  /** The pipeline in this thread (PREDICTION_LOG_WORKER=false, or when no worker can start). */
  private inThread(): LogConsumer {
    const client = this.peers.get(ServiceName.DWH_INGEST);
    const pipeline = new PredictionLogPipeline(
      this.writer.ring,
      this.options,
      new PredictionFrameReader(this.writer.processId, this.writer.definitions).decode,
      (lines) => client.send(IngestPredictionLogLinesMessage, { lines }, 15000),
      (snapshot) => this.report(snapshot),
    );
    pipeline.start();
    return {
      snapshot: async () => {
        pipeline.drain();
        return pipeline.snapshot();
      },
      close: async () => {
        const { unsent, persisted, snapshot } = await pipeline.close();
        this.report(snapshot);
        return { unsent, persisted };
      },
    };
  }

  private inWorker(): LogConsumer {
    const workerData: PredictionLogWorkerData = {
      ring: this.writer.ring.shared,
      processId: this.writer.processId,
      definitions: this.writer.definitions,
      options: this.options,
      // The service's own transport settings and credentials (the worker signs what it sends like the service).
      transport: clientConfigOf(this.config),
      caller: this.def.name,
      peer: ServiceName.DWH_INGEST,
    };
    const worker = startWorkerThread(__dirname, 'prediction-log.worker', { workerData, name: 'prediction-log' });
    this.worker = worker;
    worker.unref(); // the shutdown hook closes it; it never holds the process open by itself
    worker.on('message', (m: PredictionLogWorkerMessage) => {
      if (m.type === 'snapshot' || m.type === 'closed') this.report(m.snapshot);
      const id = 'id' in m ? m.id : undefined;
      if (id === undefined) return;
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (m.type === 'failed') waiter?.reject(new Error(m.error));
      else waiter?.resolve(m);
    });
    worker.on('error', (err) => this.log.error({ err: String(err) }, 'prediction log worker failed'));
    let exited = false;
    worker.on('exit', (code) => {
      exited = true;
      if (this.worker === worker) {
        this.worker = undefined;
        this.consumer = undefined;
      }
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`prediction log worker exited (${code})`));
      this.waiting.clear();
      if (this.closing) return;
      // Records in the ring are safe (the next worker drains them); those the worker held in memory
      // are not: say how many, never lose them silently.
      this.log.error({ code, recordsInWorkerMemory: this.writer.ring.held }, 'prediction log worker exited; restarting it');
      // The next worker counts from zero: keep this one's totals.
      for (const k of Object.keys(this.carried) as Array<keyof typeof this.carried>) this.carried[k] += this.last[k];
      this.last = EMPTY;
      this.writer.ring.setHeld(0);
      this.restartTimer = setTimeout(() => this.startConsumer(), WORKER_RESTART_MS);
      this.restartTimer.unref();
    });
    const ask = (type: PredictionLogRequest['type']) =>
      new Promise<PredictionLogWorkerMessage>((resolve, reject) => {
        if (exited) return reject(new Error('prediction log worker exited'));
        const id = ++this.nextId;
        this.waiting.set(id, { resolve, reject });
        worker.postMessage({ id, type } satisfies PredictionLogRequest);
      });
    return {
      snapshot: async () => ((await ask('snapshot')) as Extract<PredictionLogWorkerMessage, { type: 'snapshot' }>).snapshot,
      close: async () => {
        const { unsent, persisted } = (await ask('close')) as Extract<PredictionLogWorkerMessage, { type: 'closed' }>;
        await worker.terminate();
        return { unsent, persisted };
      },
    };
  }

  /** The log's state for `GET /v1/prediction-log`. */
  async pending() {
    let s = this.last;
    if (this.consumer) {
      try {
        s = await this.consumer.snapshot();
        this.report(s);
      } catch {
        // the worker is restarting: its last report stands
      }
    }
    const c = this.carried;
    const own = this.writer.counts;
    return {
      inMemory: this.writer.ring.pending + s.inMemory,
      onDisk: s.onDisk,
      accepted: c.accepted + s.accepted + own.spilled,
      spilled: c.spilled + s.spilled + own.spilled,
      sent: c.sent + s.sent,
      refused: own.refused,
      sendFailures: c.sendFailures + s.sendFailures,
      rejected: c.rejected + s.rejected,
      rejectedFiles: s.rejectedFiles,
      lastRefusal: s.lastRefusal,
    };
  }

  /** A consumer report: logs what went wrong since the last one and moves the counters. */
  private report(snapshot: PredictionLogSnapshot): void {
    const before = this.last;
    if (snapshot.sendFailures > before.sendFailures) {
      this.log.warn({ inMemory: snapshot.inMemory, onDisk: snapshot.onDisk }, 'warehouse not reachable; prediction log kept for retry');
    }
    if (snapshot.rejected > before.rejected) {
      this.log.error({ ...snapshot.lastRefusal, rejectedTotal: this.carried.rejected + snapshot.rejected }, 'the warehouse refused prediction log records: set aside for inspection, not retried');
    }
    this.last = snapshot;
    this.syncCounters();
  }

  /** Moves the metrics by what the consumers counted since (the writer moves its own). */
  private syncCounters(): void {
    const s = this.last;
    const c = this.carried;
    const now = { sent: c.sent + s.sent, spilled: c.spilled + s.spilled, rejected: c.rejected + s.rejected };
    for (const outcome of ['sent', 'spilled', 'rejected'] as const) {
      const delta = now[outcome] - this.synced[outcome];
      if (delta > 0) this.metrics.logRecords.inc({ outcome }, delta);
      this.synced[outcome] = now[outcome];
    }
    this.metrics.logPending.set({ where: 'memory' }, this.writer.inMemory);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    let unsent = 0;
    let persisted = 0;
    if (this.consumer) {
      try {
        ({ unsent, persisted } = await this.consumer.close());
      } catch (err) {
        this.log.error({ err: String(err) }, 'prediction log consumer did not close cleanly');
      }
    }
    // Lines written after the consumer's last drain (or while no consumer ran) are still in the ring.
    const rest = this.writer.ring.read(Number.MAX_SAFE_INTEGER, new PredictionFrameReader(this.writer.processId, this.writer.definitions).decode);
    if (rest.length > 0) {
      unsent += rest.length;
      if (this.options.spillDir) {
        writeSegment(this.options.spillDir, rest);
        persisted += rest.length;
      }
    }
    if (unsent) this.log.warn({ unsent, persisted }, 'prediction log records not delivered at shutdown were written to disk');
  }
}
