/**
 * Group commit: requests that arrive while a write is in flight are queued and written together,
 * so N concurrent requests cost one statement round trip and one WAL flush instead of N. Framework
 * free: the caller supplies the group write and gets each request's own outcome back.
 *
 * Rules:
 * - A request that finds no write in flight is written at the end of the current event-loop turn
 *   (together with whatever else arrived in that turn); it never waits for a timer.
 * - Requests that arrive while a write is in flight queue up and are written as one group when that
 *   write finishes, in arrival order.
 * - A group holds at most `maxRows` rows and `maxBytes` bytes (a single request larger than that
 *   is written alone). A full group, or a group whose oldest request has waited `maxWaitMs`, starts
 *   on a further writer next to the busy one, up to `maxConcurrentWrites`.
 * - The write returns one outcome per request: one request's bad data fails that request only.
 *   A write that throws (the database is down) fails every request of its group with that error;
 *   the next group is tried again as usual.
 */

export interface GroupCommitOptions {
  /** Most rows in one group; > 0. */
  maxRows: number;
  /** Most bytes in one group; > 0. */
  maxBytes: number;
  /** Longest a queued request waits behind busy writers before a further writer starts for it. */
  maxWaitMs: number;
  /** Most group writes in flight at once. */
  maxConcurrentWrites: number;
}

export interface GroupItem<T> {
  item: T;
  rows: number;
  bytes: number;
}

/** One request's outcome in a group write. */
export type GroupOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** Writes one group; returns one outcome per item, in the same order. */
export type GroupWrite<T, R> = (items: T[]) => Promise<Array<GroupOutcome<R>>>;

/** Scheduling, injectable so tests decide when a turn ends or a wait is over. */
export interface GroupCommitClock {
  /** Runs fn at the end of the current event-loop turn. */
  defer(fn: () => void): void;
  /** Runs fn after ms; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: GroupCommitClock = {
  defer: (fn) => void setImmediate(fn),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

interface Pending<T, R> extends GroupItem<T> {
  resolve(value: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<T, R> {
  private readonly queue: Array<Pending<T, R>> = [];
  private queuedRows = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private deferred = false;
  private cancelWait?: () => void;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly write: GroupWrite<T, R>,
    private readonly options: GroupCommitOptions,
    private readonly clock: GroupCommitClock = realClock,
    private readonly onGroup?: (requests: number, rows: number) => void,
  ) {
    if (!(options.maxRows > 0 && options.maxBytes > 0 && options.maxConcurrentWrites > 0 && options.maxWaitMs >= 0)) {
      throw new Error(`invalid group commit options ${JSON.stringify(options)}`);
    }
  }

  /** Resolves with this request's own outcome once the group holding it has committed. */
  submit(item: T, rows: number, bytes: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, rows, bytes, resolve, reject });
      this.queuedRows += rows;
      this.queuedBytes += bytes;
      this.schedule();
    });
  }

  /** Requests queued or being written. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves when nothing is queued or in flight (graceful shutdown). */
  drained(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get queueFull(): boolean {
    return this.queuedRows >= this.options.maxRows || this.queuedBytes >= this.options.maxBytes;
  }

  private schedule(): void {
    while (this.queue.length && this.queueFull && this.inFlight < this.options.maxConcurrentWrites) this.startGroup();
    if (!this.queue.length) return;
    if (this.inFlight === 0) {
      if (this.deferred) return;
      this.deferred = true;
      this.clock.defer(() => {
        this.deferred = false;
        if (this.queue.length && this.inFlight === 0) this.startGroup();
        this.schedule();
      });
      return;
    }
    if (!this.cancelWait && this.inFlight < this.options.maxConcurrentWrites) {
      this.cancelWait = this.clock.after(this.options.maxWaitMs, () => {
        this.cancelWait = undefined;
        if (this.queue.length && this.inFlight < this.options.maxConcurrentWrites) this.startGroup();
        this.schedule();
      });
    }
  }

  private takeGroup(): Array<Pending<T, R>> {
    let rows = 0;
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length) {
      const next = this.queue[n];
      if (n > 0 && (rows + next.rows > this.options.maxRows || bytes + next.bytes > this.options.maxBytes)) break;
      rows += next.rows;
      bytes += next.bytes;
      n++;
    }
    this.queuedRows -= rows;
    this.queuedBytes -= bytes;
    return this.queue.splice(0, n);
  }

  private startGroup(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
    const group = this.takeGroup();
    this.inFlight++;
    this.onGroup?.(group.length, group.reduce((s, p) => s + p.rows, 0));
    void this.runGroup(group);
  }

  private async runGroup(group: Array<Pending<T, R>>): Promise<void> {
    try {
      const outcomes = await this.write(group.map((p) => p.item));
      if (outcomes.length !== group.length) throw new Error(`group write returned ${outcomes.length} outcomes for ${group.length} requests`);
      group.forEach((p, i) => {
        const o = outcomes[i];
        if (o.ok) p.resolve(o.value);
        else p.reject(o.error);
      });
    } catch (err) {
      for (const p of group) p.reject(err);
    } finally {
      this.inFlight--;
      // Whatever queued during this write is the next group, written at once.
      if (this.queue.length && this.inFlight < this.options.maxConcurrentWrites) this.startGroup();
      this.schedule();
      if (!this.pending) this.idleWaiters.splice(0).forEach((r) => r());
    }
  }
}
