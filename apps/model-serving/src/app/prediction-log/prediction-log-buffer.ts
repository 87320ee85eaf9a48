import { PlatformError } from '@mlp/runtime';
import fs from 'node:fs';
import path from 'node:path';

export type OverflowMode = 'spill' | 'backpressure';

export interface PredictionLogBufferOptions {
  /** Records held in memory at most. */
  capacity: number;
  /** What happens when memory is full: append to disk segments, or refuse new predictions (503). */
  overflow: OverflowMode;
  /** Directory for spill segments (needed for `spill`; also used to keep memory on shutdown). */
  spillDir?: string;
  /** Records per warehouse call (the contract allows at most 5000). */
  batchSize: number;
  /** Records per spill segment file. */
  segmentRecords?: number;
  /**
   * True for a send error that retrying cannot fix (the warehouse refused the batch's content, e.g. a
   * record outside its contract). With a spill directory such a batch is set aside in a
   * `rejected-*.jsonl` file there, where it can be inspected and, once fixed, replayed, instead of
   * blocking the log; without one it is retried like any failed send.
   */
  isRefusal?: (err: unknown) => boolean;
}

/** A prediction log record as one line of JSON text (written from its frame, see `PredictionFrameReader`). */
export type EncodedRecord = string;

/**
 * Sends a batch. The warehouse stores the valid records of a batch and sets each invalid one aside
 * on its side (dwh-ingest's `dwh.prediction_log_rejected`, listed and replayed there); the answer
 * says how many it set aside.
 */
export type Sender = (records: EncodedRecord[]) => Promise<{ rejected?: number } | void>;

export class PredictionLogFullError extends PlatformError {
  constructor(capacity: number) {
    super(503, 'PREDICTION_LOG_FULL', `the prediction log buffer is full (${capacity} records) and the warehouse is not keeping up`, [
      { code: 'BACKPRESSURE', message: 'retry later' },
    ]);
  }
}

/** A new file of a spill directory: `<kind>-<time>-<pid><random>.jsonl`, so names sort by time. */
export function spillFileName(dir: string, kind: 'segment' | 'rejected'): string {
  return path.join(dir, `${kind}-${String(Date.now()).padStart(15, '0')}-${process.pid}${Math.floor(Math.random() * 1000)}.jsonl`);
}

/** Writes records as one complete spill segment (written aside, then renamed into place), sent like any other. */
export function writeSegment(dir: string, records: EncodedRecord[]): void {
  fs.mkdirSync(dir, { recursive: true });
  let file = spillFileName(dir, 'segment');
  while (fs.existsSync(file)) file = spillFileName(dir, 'segment');
  const aside = path.join(dir, `.${path.basename(file)}.tmp`);
  fs.writeFileSync(aside, records.join('\n') + '\n');
  fs.renameSync(aside, file);
}

/**
 * The bounded buffer between predictions and the warehouse. Nothing is dropped silently: when the
 * warehouse is down and memory is full, records go to disk (spill) or the caller is refused (back
 * pressure). Spilled segments are sent first (oldest first) once the warehouse is back, also after a
 * restart; re-sending is safe because the warehouse deduplicates on predictionId.
 */
export class PredictionLogBuffer {
  private memory: EncodedRecord[] = [];
  /** Records taken from memory for a send that has not finished: they still hold their room. */
  private sending = 0;
  private segment?: { file: string; records: number };
  /**
   * Lines of the sealed spill files, counted once: a sealed file never changes (the open segment
   * is counted as it is written). Reports ask for the count after every flush, and reading every
   * file again each time made the log's thread spend its time counting a large spill instead of
   * sending it.
   */
  private readonly sealedLines = new Map<string, number>();
  private flushing?: Promise<number>;
  readonly stats = { accepted: 0, spilled: 0, sent: 0, refused: 0, sendFailures: 0, rejected: 0 };

  constructor(
    private readonly options: PredictionLogBufferOptions,
    private readonly send: Sender,
  ) {
    if (options.overflow === 'spill' && !options.spillDir) throw new Error('spill mode needs a spill directory');
    if (options.spillDir) fs.mkdirSync(options.spillDir, { recursive: true });
  }

  /** Records held in memory, including those of a send in flight (they return if it fails). */
  get inMemory(): number {
    return this.memory.length + this.sending;
  }

  /** Closed and open spill segment files, oldest first. */
  segments(): string[] {
    return this.filesOf(/^segment-\d+-\d+\.jsonl$/);
  }

  private newFile(kind: 'segment' | 'rejected'): string {
    return spillFileName(this.options.spillDir as string, kind);
  }

  /** Files of the spill directory whose names match, oldest first (names start with the time). */
  private filesOf(name: RegExp): string[] {
    const dir = this.options.spillDir;
    if (!dir || !fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((f) => name.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  }


  /** Records waiting on disk. */
  spilledRecords(): number {
    const files = this.segments();
    const listed = new Set(files);
    for (const file of this.sealedLines.keys()) if (!listed.has(file)) this.sealedLines.delete(file); // sent, or moved away
    let records = 0;
    for (const file of files) {
      if (file === this.segment?.file) {
        records += this.segment.records;
        continue;
      }
      let lines = this.sealedLines.get(file);
      if (lines === undefined) {
        lines = countLines(file); // written by another writer (the request thread, an earlier run)
        this.sealedLines.set(file, lines);
      }
      records += lines;
    }
    return records;
  }

  /** New spills go to a new segment; this one's count is known. */
  private sealSegment(): void {
    if (this.segment) this.sealedLines.set(this.segment.file, this.segment.records);
    this.segment = undefined;
  }

  /** Checked before a prediction is made, so back pressure refuses the request rather than its log. */
  assertRoom(rows: number): void {
    if (this.options.overflow === 'backpressure' && this.inMemory + rows > this.options.capacity) {
      this.stats.refused += rows;
      throw new PredictionLogFullError(this.options.capacity);
    }
  }

  offer(records: EncodedRecord[]): void {
    const room = Math.max(0, this.options.capacity - this.inMemory);
    if (records.length <= room) {
      for (const r of records) this.memory.push(r);
      this.stats.accepted += records.length;
      return;
    }
    if (this.options.overflow === 'backpressure') {
      this.stats.refused += records.length;
      throw new PredictionLogFullError(this.options.capacity);
    }
    for (let i = 0; i < room; i++) this.memory.push(records[i]);
    this.stats.accepted += room;
    this.spill(records.slice(room));
  }

  private spill(records: EncodedRecord[]): void {
    if (records.length === 0) return;
    const max = this.options.segmentRecords ?? 10000;
    if (!this.segment || this.segment.records >= max) {
      this.sealSegment();
      const file = this.newFile('segment');
      this.segment = { file, records: 0 };
    }
    fs.appendFileSync(this.segment.file, records.join('\n') + '\n');
    this.segment.records += records.length;
    this.stats.spilled += records.length;
    this.stats.accepted += records.length;
  }

  /** Sends what is pending: spilled segments first, then memory. Resolves with records sent. */
  flush(): Promise<number> {
    this.flushing ??= this.flushAll().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushAll(): Promise<number> {
    const sentBefore = this.stats.sent;
    const sent = () => this.stats.sent - sentBefore;
    for (const file of this.segments()) {
      if (this.segment?.file === file) this.sealSegment();
      // One record per line, the format records have in memory.
      const records = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      for (let i = 0; i < records.length; i += this.options.batchSize) {
        if (!(await this.trySend(records.slice(i, i + this.options.batchSize)))) return sent();
      }
      fs.rmSync(file, { force: true });
    }
    while (this.memory.length > 0) {
      const batch = this.memory.splice(0, this.options.batchSize);
      this.sending = batch.length;
      const ok = await this.trySend(batch);
      this.sending = 0;
      if (!ok) {
        this.memory.unshift(...batch);
        return sent();
      }
    }
    return sent();
  }


  /** True when the batch left the buffer: sent, or refused for good and set aside. */
  private async trySend(batch: EncodedRecord[]): Promise<boolean> {
    try {
      const rejected = (await this.send(batch))?.rejected ?? 0;
      this.stats.sent += batch.length - rejected;
      if (rejected > 0) {
        this.stats.rejected += rejected;
        this.lastRefusal = { file: 'dwh.prediction_log_rejected (dwh-ingest GET /v1/prediction-log/rejected)', records: rejected, error: 'the warehouse set these records aside; the rest of the batch was stored', at: new Date().toISOString() };
      }
      return true;
    } catch (err) {
      // Set aside only where it can be kept: without a spill directory a refused batch stays in
      // memory and is retried like any failed send (nothing is dropped).
      if (this.options.spillDir && this.options.isRefusal?.(err)) {
        this.setAside(batch, err);
        return true;
      }
      this.stats.sendFailures++;
      return false;
    }
  }

  /** Files of batches the warehouse refused, oldest first. */
  rejectedFiles(): string[] {
    return this.filesOf(/^rejected-\d+-\d+\.jsonl$/);
  }


  /** Last refusal, for the logs and the pending report. */
  lastRefusal?: { file: string; records: number; error: string; at: string };

  private setAside(batch: EncodedRecord[], err: unknown): void {
    const file = this.newFile('rejected');
    fs.writeFileSync(file, batch.join('\n') + '\n');
    this.stats.rejected += batch.length;
    this.lastRefusal = { file, records: batch.length, error: err instanceof Error ? err.message : String(err), at: new Date().toISOString() };
  }


  /** On shutdown: one last flush, and whatever could not be sent goes to disk when a directory is set. */
  async close(): Promise<{ unsent: number; persisted: number }> {
    await this.flushing;
    await this.flush();
    const unsent = this.memory.length;
    if (unsent > 0 && this.options.spillDir) {
      this.spill(this.memory.splice(0));
      return { unsent, persisted: unsent };
    }
    return { unsent, persisted: 0 };
  }
}

function countLines(file: string): number {
  try {
    const text = fs.readFileSync(file, 'utf8');
    let n = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  } catch {
    return 0;
  }
}
