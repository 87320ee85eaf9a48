/** Retry schedule: exponential growth from `baseMs`, capped at `maxMs`, with jitter so clients that failed together do not retry together. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0..1; the share of each delay that is random ("equal jitter" at 0.5). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, maxMs: 30_000, jitter: 0.5 };

/** The delay before retry number `attempt` (1 = first retry); `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const fixed = ceiling * (1 - options.jitter);
  return Math.round(fixed + random() * ceiling * options.jitter);
}

/** Seconds or an HTTP date in Retry-After, as milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
