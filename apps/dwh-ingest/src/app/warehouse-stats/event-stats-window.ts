import { EVENT_STATS_MAX_BUCKETS, WarehouseStatsErrorCode, type EventStatsQuery } from '@mlp/contracts';

export type StatsBucket = 'hour' | 'day';

export interface StatsWindow {
  from: Date;
  to: Date;
  bucket: StatsBucket;
  bucketMs: number;
  top: number;
}

export interface StatsQueryProblem {
  code: string;
  path: string;
  message: string;
}

const BUCKET_MS: Record<StatsBucket, number> = { hour: 3_600_000, day: 86_400_000 };
const DEFAULT_SPAN_MS = 24 * 3_600_000;

/**
 * The window a stats query asks for, in whole UTC buckets: `from` rounded down, `to` rounded up
 * (default: the last 24 hours up to the end of the current bucket). Framework-free, so the rules are
 * unit-tested without a database.
 */
export function statsWindow(q: EventStatsQuery, now = new Date()): StatsWindow | StatsQueryProblem {
  const bucket: StatsBucket = q.bucket ?? 'hour';
  const bucketMs = BUCKET_MS[bucket];
  const top = q.top === undefined ? 10 : Number(q.top);
  if (!Number.isInteger(top) || top < 1 || top > 100) return problem('$.top', 'top must be 1..100');
  const toRaw = q.to === undefined ? now.getTime() : Date.parse(q.to);
  if (!Number.isFinite(toRaw)) return problem('$.to', 'to must be an ISO 8601 date-time');
  const fromRaw = q.from === undefined ? toRaw - DEFAULT_SPAN_MS : Date.parse(q.from);
  if (!Number.isFinite(fromRaw)) return problem('$.from', 'from must be an ISO 8601 date-time');
  const from = Math.floor(fromRaw / bucketMs) * bucketMs;
  const to = Math.ceil(toRaw / bucketMs) * bucketMs;
  if (from >= to) return problem('$.from', 'from must be before to');
  const buckets = (to - from) / bucketMs;
  if (buckets > EVENT_STATS_MAX_BUCKETS) return problem('$.from', `at most ${EVENT_STATS_MAX_BUCKETS} buckets per answer, asked for ${buckets}: narrow the range or use bucket=day`);
  return { from: new Date(from), to: new Date(to), bucket, bucketMs, top };
}

function problem(path: string, message: string): StatsQueryProblem {
  return { code: WarehouseStatsErrorCode.INVALID_STATS_QUERY, path, message };
}

/** The start of every bucket of the window, oldest first. */
export function bucketStarts(w: Pick<StatsWindow, 'from' | 'to' | 'bucketMs'>): number[] {
  const out: number[] = [];
  for (let t = w.from.getTime(); t < w.to.getTime(); t += w.bucketMs) out.push(t);
  return out;
}
