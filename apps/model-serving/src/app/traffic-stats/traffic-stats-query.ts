import type { TrafficStats, TrafficStatsPoint } from '@mlp/contracts';
import { LATENCY_MAX_RATIO, percentileOf } from './latency-histogram';

export const TrafficStatsErrorCode = { INVALID_TIME_RANGE: 'INVALID_TIME_RANGE', INVALID_BUCKET: 'INVALID_BUCKET', INVALID_VERSION: 'INVALID_VERSION' } as const;

export type QueryProblem = { code: string; message: string };

export interface TrafficStatsRange {
  fromMs: number;
  toMs: number;
  bucketSeconds: number;
  version?: number;
}

const MINUTE_MS = 60_000;
export const MAX_POINTS = 1440;
const WHOLE = /^[1-9][0-9]{0,8}$/;
// An ISO 8601 date-time with a zone (Z or an offset), so that the same string means the same instant everywhere.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(name: string, value: string): number | QueryProblem {
  const ms = TIMESTAMP.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) return { code: TrafficStatsErrorCode.INVALID_TIME_RANGE, message: `${name} must be an ISO 8601 date-time with a time zone, e.g. 2026-12-07T10:00:00Z` };
  return ms;
}

/**
 * `?from=&to=&bucket=&version=` of `GET /v1/models/{m}/traffic-stats`: `to` defaults to now, `from`
 * to an hour before `to`, both taken to whole minutes (from down, to up: the minute in progress is
 * in); `bucket` is whole minutes in seconds (60 .. 86400, default 60) and gives at most 1440 points.
 */
export function parseTrafficStatsQuery(query: { from?: string; to?: string; bucket?: string; version?: string }, nowMs: number): TrafficStatsRange | QueryProblem {
  const to = query.to === undefined ? nowMs : instant('to', query.to);
  if (typeof to !== 'number') return to;
  const toMs = Math.ceil(to / MINUTE_MS) * MINUTE_MS;
  const from = query.from === undefined ? toMs - 3_600_000 : instant('from', query.from);
  if (typeof from !== 'number') return from;
  const fromMs = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  if (fromMs >= toMs) return { code: TrafficStatsErrorCode.INVALID_TIME_RANGE, message: 'from must be before to' };
  let bucketSeconds = 60;
  if (query.bucket !== undefined) {
    if (!WHOLE.test(query.bucket) || Number(query.bucket) % 60 !== 0 || Number(query.bucket) > 86400) {
      return { code: TrafficStatsErrorCode.INVALID_BUCKET, message: 'bucket must be whole minutes in seconds, from 60 to 86400' };
    }
    bucketSeconds = Number(query.bucket);
  }
  if (Math.ceil((toMs - fromMs) / (bucketSeconds * 1000)) > MAX_POINTS) {
    return { code: TrafficStatsErrorCode.INVALID_BUCKET, message: `from..to in buckets of ${bucketSeconds} s would be more than ${MAX_POINTS} points; take a larger bucket` };
  }
  if (query.version === undefined) return { fromMs, toMs, bucketSeconds };
  if (!WHOLE.test(query.version)) return { code: TrafficStatsErrorCode.INVALID_VERSION, message: 'version must be a positive integer' };
  return { fromMs, toMs, bucketSeconds, version: Number(query.version) };
}

/** Per bucket index (0 = the one starting at from): the summed counts and latency histogram. */
export interface BucketTotals {
  successes: number;
  errors: number;
  clientErrors: number;
  latency: Map<number, number>;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** The answer: one point per bucket from `from` to `to` (the last one cut at `to`), empty buckets included (zero requests). */
export function trafficSeries(model: string, range: TrafficStatsRange, totals: ReadonlyMap<number, BucketTotals>): TrafficStats {
  const bucketMs = range.bucketSeconds * 1000;
  const points: TrafficStatsPoint[] = [];
  for (let i = 0, start = range.fromMs; start < range.toMs; i++, start += bucketMs) {
    const t = totals.get(i);
    const requests = t ? t.successes + t.errors + t.clientErrors : 0;
    const point: TrafficStatsPoint = {
      start: new Date(start).toISOString(),
      requests,
      errors: t?.errors ?? 0,
      clientErrors: t?.clientErrors ?? 0,
      // The last bucket may be cut short at `to`: its rate is over the time it covers.
      ratePerSecond: requests / ((Math.min(start + bucketMs, range.toMs) - start) / 1000),
    };
    if (t && requests > 0) point.errorRate = t.errors / requests;
    if (t && t.successes > 0) {
      const ms = (q: number) => round(percentileOf(t.latency, q) * 1000, 6);
      point.latencyMs = { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99) };
    }
    points.push(point);
  }
  return {
    model,
    ...(range.version === undefined ? {} : { version: range.version }),
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    bucketSeconds: range.bucketSeconds,
    latencyRelativeError: round(LATENCY_MAX_RATIO - 1, 4),
    points,
  };
}
