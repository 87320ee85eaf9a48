/**
 * Holds the answers a server computes during one turn of the event loop and writes them together
 * when the turn's I/O has been handled (`setImmediate`: the check phase runs right after the poll
 * phase that delivered the requests).
 *
 * Why: on a busy server each answer written on its own wakes the client's sleeping reader, and that
 * wakeup (an inter-processor interrupt, on a virtual machine a trip through the hypervisor) was the
 * dearest single step of a small request: in model-serving's benchmark it cost more kernel time than
 * the whole answer of a bare Node server. Written back to back, the first answer wakes the reader and
 * the rest find it running. This is the flush consolidation of Netty's FlushConsolidationHandler,
 * across sockets. What it costs is latency within one turn: an answer waits for the requests that
 * arrived with it (a turn holds at most the requests read in one poll, each a fraction of a
 * millisecond of work), never for a timer.
 *
 * Each answer is written by `write`; one that throws is handed to `failed` and the rest are still
 * written, so one broken socket never leaves other clients unanswered.
 */
export class AnswerQueue<T> {
  private pending: T[] = [];
  private scheduled = false;

  constructor(
    private readonly write: (answer: T) => void,
    private readonly failed: (answer: T, err: unknown) => void,
    private readonly schedule: (flush: () => void) => void = (flush) => void setImmediate(flush),
  ) {}

  /** Queues an answer; it is written at the end of the current turn of the event loop. */
  push(answer: T): void {
    this.pending.push(answer);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.flush);
  }

  /** Answers queued and not yet written. */
  get size(): number {
    return this.pending.length;
  }

  private readonly flush = (): void => {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    for (const answer of batch) {
      try {
        this.write(answer);
      } catch (err) {
        this.failed(answer, err);
      }
    }
  };
}
