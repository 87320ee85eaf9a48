import { DURATION_PATTERN } from '@mlp/contracts';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const PATTERN = new RegExp(DURATION_PATTERN);

/** Seconds of a definition's duration (`90s`, `30m`, `6h`, `7d`); throws on anything else. */
export function durationSeconds(duration: string): number {
  if (!PATTERN.test(duration)) throw new Error(`not a duration: ${JSON.stringify(duration)} (e.g. 90s, 30m, 6h, 7d)`);
  return Number(duration.slice(0, -1)) * UNIT_SECONDS[duration.slice(-1) as keyof typeof UNIT_SECONDS];
}
