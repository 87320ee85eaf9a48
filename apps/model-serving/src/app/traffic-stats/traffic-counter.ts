import { LATENCY_BUCKETS, latencyBucket } from './latency-histogram';

/** What one replica saw of one model version in one minute (since its last flush). */
export interface MinuteCell {
  model: string;
  version: number;
  /** Start of the minute, epoch milliseconds. */
  minuteMs: number;
  /** Answered requests (each with its latency). */
  successes: number;
  /** Failed requests the server is to blame for (5xx). */
  errors: number;
  /** Failed requests the client is to blame for (4xx). */
  clientErrors: number;
  latency: Uint32Array;
}

const MINUTE_MS = 60_000;

/**
 * One model version's requests on this replica, per minute: the hot path adds to the current
 * minute's cell; `drain` hands over every cell with something in it and starts afresh. Cells are
 * deltas, so flushing them from every replica as separate rows and summing them is exact.
 */
export class TrafficCounter {
  private cell: MinuteCell | undefined;
  private readonly closed: MinuteCell[] = [];

  constructor(
    readonly model: string,
    readonly version: number,
  ) {}

  success(seconds: number, nowMs: number): void {
    const cell = this.cellAt(nowMs);
    cell.successes++;
    cell.latency[latencyBucket(seconds)]++;
  }

  failure(serverSide: boolean, nowMs: number): void {
    const cell = this.cellAt(nowMs);
    if (serverSide) cell.errors++;
    else cell.clientErrors++;
  }

  drain(): MinuteCell[] {
    const out = this.closed.splice(0);
    if (this.cell) out.push(this.cell);
    this.cell = undefined;
    return out;
  }

  private cellAt(nowMs: number): MinuteCell {
    const minuteMs = nowMs - (nowMs % MINUTE_MS);
    const cell = this.cell;
    if (cell && cell.minuteMs === minuteMs) return cell;
    if (cell) this.closed.push(cell);
    const next: MinuteCell = { model: this.model, version: this.version, minuteMs, successes: 0, errors: 0, clientErrors: 0, latency: new Uint32Array(LATENCY_BUCKETS) };
    this.cell = next;
    return next;
  }
}

/** The non-zero buckets of a cell's latency counts, as two parallel arrays (how a row stores them). */
export function sparseLatency(latency: Uint32Array): { buckets: number[]; counts: number[] } {
  const buckets: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < latency.length; i++) {
    if (latency[i] !== 0) {
      buckets.push(i);
      counts.push(latency[i]);
    }
  }
  return { buckets, counts };
}
