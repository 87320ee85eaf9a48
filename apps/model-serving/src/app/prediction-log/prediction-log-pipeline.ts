import { PlatformError } from '@mlp/runtime';
import path from 'node:path';
import { PredictionLogBuffer, type PredictionLogBufferOptions, type Sender } from './prediction-log-buffer';
import type { RecordDecoder, RecordRing } from './record-ring';

export interface PredictionLogPipelineOptions extends PredictionLogBufferOptions {
  /** How often a flush is started even when fewer than `batchSize` records wait. */
  flushMs: number;
  /** How often the ring is drained into the buffer. */
  drainMs: number;
  /**
   * Reports after flushes come at most this often, unless a send failed, a batch was refused or
   * records spilled since the last one (a report lists the spill directory and counts its lines).
   */
  reportMs: number;
}

/** A refusal of the batch's content (4xx other than a timeout or rate limit): resending cannot help. */
export const isWarehouseRefusal = (err: unknown): boolean =>
  err instanceof PlatformError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;

/** What the pipeline reports after flushes (and on request): the buffer's state and counters. */
export interface PredictionLogSnapshot {
  inMemory: number;
  onDisk: number;
  accepted: number;
  spilled: number;
  sent: number;
  sendFailures: number;
  rejected: number;
  rejectedFiles: string[];
  lastRefusal: { file: string; records: number; error: string; at: string } | null;
}

/**
 * The consumer side of the prediction log: drains the record ring into the bounded buffer
 * (`PredictionLogBuffer`: memory, spill segments, refused batches set aside) and flushes the buffer
 * to the warehouse, on a timer and whenever a full batch waits. It runs in the prediction log's
 * worker thread (`prediction-log.worker.ts`), where sending and spilling cost the request path
 * nothing; it is framework-free and thread-agnostic, so it is tested in-process.
 */
export class PredictionLogPipeline {
  readonly buffer: PredictionLogBuffer;
  private drainTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private closed = false;
  private flushing?: Promise<number>;
  /** After a failed send, flushes wait for the flush timer instead of retrying on every drain. */
  private retryAfter = 0;
  private lastReport?: { at: number; sendFailures: number; rejected: number; spilled: number };

  constructor(
    private readonly ring: RecordRing,
    private readonly options: PredictionLogPipelineOptions,
    /** Turns the ring's records into lines (binary prediction frames included, see PredictionFrameReader). */
    private readonly decode: RecordDecoder,
    send: Sender,
    /** Called after flushes with the state they left (see `reportMs`). */
    private readonly onReport: (snapshot: PredictionLogSnapshot) => void = () => undefined,
  ) {
    // Under back pressure the producer refuses predictions before they are made (it counts the
    // ring and what this side holds against the capacity); a record that reached the ring is
    // already answered and is kept whatever the count.
    const capacity = options.overflow === 'backpressure' ? Number.MAX_SAFE_INTEGER : options.capacity;
    this.buffer = new PredictionLogBuffer({ ...options, capacity, isRefusal: options.isRefusal ?? isWarehouseRefusal }, send);
  }

  start(): void {
    this.drainTimer = setInterval(() => this.drain(), this.options.drainMs);
    this.flushTimer = setInterval(() => void this.flush(), this.options.flushMs);
  }

  /** Moves what the ring holds into the buffer; starts a flush once a batch is ready. */
  drain(): number {
    const moved = this.take();
    if (!this.closed && this.buffer.inMemory >= this.options.batchSize && Date.now() >= this.retryAfter) void this.flush();
    return moved;
  }

  private take(): number {
    let moved = 0;
    for (;;) {
      const lines = this.ring.read(this.options.batchSize, this.decode);
      if (lines.length === 0) break;
      this.buffer.offer(lines);
      moved += lines.length;
    }
    this.ring.setHeld(this.buffer.inMemory);
    return moved;
  }

  /**
   * Takes what the ring holds, then sends what is pending (spilled segments first). Resolves with
   * records sent. A flush in progress is joined, not queued behind: drains ask for one every few
   * milliseconds while a large backlog is being sent.
   */
  flush(): Promise<number> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<number> {
    this.take();
    const failures = this.buffer.stats.sendFailures;
    const sent = await this.buffer.flush();
    if (this.buffer.stats.sendFailures > failures) this.retryAfter = Date.now() + this.options.flushMs;
    this.ring.setHeld(this.buffer.inMemory);
    this.report();
    return sent;
  }

  private report(): void {
    const { sendFailures, rejected, spilled } = this.buffer.stats;
    const last = this.lastReport;
    const at = Date.now();
    const notable = !last || sendFailures !== last.sendFailures || rejected !== last.rejected || spilled !== last.spilled;
    if (!notable && at - last.at < this.options.reportMs) return;
    const snapshot = this.snapshot();
    // The period runs from the end of this report: a slow snapshot (a large spill) is not repeated back to back.
    this.lastReport = { at: Date.now(), sendFailures, rejected, spilled };
    this.onReport(snapshot);
  }

  snapshot(): PredictionLogSnapshot {
    const { accepted, spilled, sent, sendFailures, rejected } = this.buffer.stats;
    return {
      inMemory: this.buffer.inMemory,
      onDisk: this.buffer.spilledRecords(),
      accepted,
      spilled,
      sent,
      sendFailures,
      rejected,
      rejectedFiles: this.buffer.rejectedFiles().map((f) => path.basename(f)),
      lastRefusal: this.buffer.lastRefusal ?? null,
    };
  }

  /**
   * Stops the timers, takes the last records from the ring and flushes once more; what still
   * cannot be sent goes to disk when a spill directory is set.
   */
  async close(): Promise<{ unsent: number; persisted: number; snapshot: PredictionLogSnapshot }> {
    this.closed = true;
    clearInterval(this.drainTimer);
    clearInterval(this.flushTimer);
    this.take();
    const result = await this.buffer.close();
    this.ring.setHeld(this.buffer.inMemory);
    return { ...result, snapshot: this.snapshot() };
  }
}
