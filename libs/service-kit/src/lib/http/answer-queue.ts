/**
 * Holds the answers a server computes during one turn of the event loop and writes them together
 * when the turn's I/O has been handled (`setImmediate`: the check phase runs right after the poll
 * phase that delivered the requests).
 *
 * Why: on a busy server each answer written on its own wakes the client's sleeping reader, and that
 * wakeup (an inter-processor interrupt, on a virtual machine a trip through the hypervisor) was the
 * dearest single step of a small request: in model-serving's benchmark ~10 us of each V2 request,
 * a third of a bare Node server's whole answer. Written back to back, the first answer wakes the reader and
 * the rest find it running. This is the flush consolidation of Netty's FlushConsolidationHandler,
 * across sockets. What it costs is latency within one turn: an answer waits for the requests that
 * arrived with it, never for a timer, and never longer than `maxHoldMs`: once the oldest waiting
 * answer has waited that long, the next one is written at once with all those waiting. The bound
 * matters where answers are dear (a feature-store read of 100 entities takes ~0.6 ms): held for a
 * whole turn of them, the first client would wait for all the others and stop overlapping its next
 * request with the server's work; measured, 0.5 ms kept the saving on small answers, removed the
 * loss on dear ones, and lowered model-serving's p99 at half load.
 *
 * Each answer is written by `write`; one that throws is handed to `failed` and the rest are still
 * written, so one broken socket never leaves other clients unanswered.
 */
export class AnswerQueue<T> {
  private pending: T[] = [];
  private scheduled = false;
  /** When the oldest waiting answer was queued (ms, `now`'s clock). */
  private oldest = 0;
  private readonly maxHoldMs: number;
  private readonly now: () => number;
  private readonly schedule: (atTurnEnd: () => void) => void;

  constructor(
    private readonly write: (answer: T) => void,
    private readonly failed: (answer: T, err: unknown) => void,
    options: { maxHoldMs?: number; now?: () => number; schedule?: (atTurnEnd: () => void) => void } = {},
  ) {
    this.maxHoldMs = options.maxHoldMs ?? 0.5;
    this.now = options.now ?? (() => performance.now());
    this.schedule = options.schedule ?? ((atTurnEnd) => void setImmediate(atTurnEnd));
  }

  /** Queues an answer; it is written at the end of the current turn of the event loop, or at once (see maxHoldMs). */
  push(answer: T): void {
    const now = this.now();
    if (this.pending.length === 0) this.oldest = now;
    this.pending.push(answer);
    if (now - this.oldest >= this.maxHoldMs) {
      this.writeAll();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.atTurnEnd);
  }

  /** Answers queued and not yet written. */
  get size(): number {
    return this.pending.length;
  }

  private readonly atTurnEnd = (): void => {
    this.scheduled = false;
    this.writeAll();
  };

  private writeAll(): void {
    const batch = this.pending;
    this.pending = [];
    for (const answer of batch) {
      try {
        this.write(answer);
      } catch (err) {
        this.failed(answer, err);
      }
    }
  }
}
