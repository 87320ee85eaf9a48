import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import { ServingMetrics } from '../metrics/serving-metrics';
import { PredictionLogFullError, writeSegment, type EncodedRecord } from './prediction-log-buffer';
import { PredictionFrameReader, PredictionFrameWriter, type Predictions } from './prediction-frame';
import { predictionLogOptions } from './prediction-log-protocol';
import { RecordRing } from './record-ring';

/** Under back pressure, predictions are refused before the ring's free space falls below this. */
const RING_RESERVE_BYTES = 1 << 20;

/**
 * The prediction log on the thread that answers requests: refuses a prediction up front when back
 * pressure is on and the log is full, and writes each prediction, once, as a frame into the ring
 * the log's consumer drains (see PredictionLogService). What the ring has no room for is refused
 * under back pressure, or spilled to disk as the same lines.
 */
@Injectable()
export class PredictionLogWriter {
  /**
   * Prediction ids: a random UUID per process plus a counter (each frame carries its number). As
   * unique as a UUID per prediction (the warehouse deduplicates on them), without asking the CSPRNG
   * once per row on the hot path.
   */
  readonly processId = randomUUID();
  readonly ring: RecordRing;
  /** Records this side refused (back pressure) or spilled itself (the ring was full). */
  readonly counts = { refused: 0, spilled: 0 };
  private readonly frames: PredictionFrameWriter;
  private readonly options: ReturnType<typeof predictionLogOptions>;
  private sequence = 0;

  constructor(
    private readonly metrics: ServingMetrics,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
  ) {
    this.options = predictionLogOptions(config.env);
    this.ring = RecordRing.create(this.options.ringBytes);
    this.frames = new PredictionFrameWriter(this.ring);
  }

  /** The definition frames written so far: what a consumer starting now needs first. */
  get definitions(): Array<[number, string]> {
    return this.frames.definitions;
  }

  /** Records held in memory: in the ring and in the consumer's buffer. */
  get inMemory(): number {
    return this.ring.pending + this.ring.held;
  }

  /** Refuses a request up front (503) when back pressure is on and the log is full. */
  assertRoom(rows: number): void {
    if (this.options.overflow !== 'backpressure') return;
    if (this.inMemory + rows > this.options.capacity || this.ring.freeBytes < RING_RESERVE_BYTES) throw this.refuse(rows);
  }

  /**
   * Hands a request's predictions to the consumer as frames in the ring. What does not fit (the
   * consumer is not keeping up even with its disk, or is restarting) is refused under back
   * pressure, as the buffer would; otherwise it goes to a spill segment of its own, as the same
   * lines the consumer would have written, and is sent like any other.
   */
  record(p: Predictions): void {
    const first = this.sequence + 1;
    this.sequence += p.rows;
    const written = this.frames.write(p, first);
    if (written === p.rows) return;
    if (this.options.overflow === 'backpressure' || !this.options.spillDir) throw this.refuse(p.rows - written);
    writeSegment(this.options.spillDir, this.linesOf(p, first, written));
    this.counts.spilled += p.rows - written;
    this.metrics.logRecords.inc({ outcome: 'spilled' }, p.rows - written);
  }

  private refuse(rows: number): PredictionLogFullError {
    this.counts.refused += rows;
    this.metrics.logRecords.inc({ outcome: 'refused' }, rows);
    return new PredictionLogFullError(this.options.capacity);
  }

  /** The lines of rows `from..` of `p`: framed into a ring of their own and read back, the one encoding. */
  private linesOf(p: Predictions, first: number, from: number): EncodedRecord[] {
    for (let bytes = 1 << 16; ; bytes *= 4) {
      const scratch = RecordRing.create(bytes);
      if (new PredictionFrameWriter(scratch).write(p, first, from) === p.rows) {
        return scratch.read(Number.MAX_SAFE_INTEGER, new PredictionFrameReader(this.processId).decode);
      }
    }
  }
}
