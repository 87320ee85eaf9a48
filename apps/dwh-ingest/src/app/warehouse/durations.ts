const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A definition's duration (`90s`, `30m`, `6h`, `7d`, contract-checked) in seconds. */
export const durationSeconds = (d: string): number => Number(d.slice(0, -1)) * SECONDS[d.slice(-1)];
