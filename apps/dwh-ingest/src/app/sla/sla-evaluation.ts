import type { CompletenessSla, FreshnessSla, SlaStatus } from '@mlp/contracts';

export interface Thresholds {
  warnAfter: number;
  errorAfter: number;
}

/** dbt-style freshness: age of the newest load against warn_after/error_after. */
export function freshnessStatus(ageSeconds: number | null, t: Thresholds): { status: SlaStatus; reason: string } {
  if (ageSeconds === null) return { status: 'warn', reason: 'no data yet' };
  if (ageSeconds >= t.errorAfter) return { status: 'error', reason: `newest data ${Math.round(ageSeconds)} s old, error after ${t.errorAfter} s` };
  if (ageSeconds >= t.warnAfter) return { status: 'warn', reason: `newest data ${Math.round(ageSeconds)} s old, warn after ${t.warnAfter} s` };
  return { status: 'ok', reason: `newest data ${Math.round(ageSeconds)} s old` };
}

/** Completeness: the share of rejected messages in the window. No traffic is not a breach. */
export function completenessStatus(rejectedRatio: number | null, t: Thresholds): { status: SlaStatus; reason: string } {
  if (rejectedRatio === null) return { status: 'ok', reason: 'no events received in the window' };
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  if (rejectedRatio >= t.errorAfter) return { status: 'error', reason: `${pct(rejectedRatio)} of events rejected, error after ${pct(t.errorAfter)}` };
  if (rejectedRatio >= t.warnAfter) return { status: 'warn', reason: `${pct(rejectedRatio)} of events rejected, warn after ${pct(t.warnAfter)}` };
  return { status: 'ok', reason: `${pct(rejectedRatio)} of events rejected` };
}

const RANK: Record<SlaStatus, number> = { ok: 0, warn: 1, error: 2 };
export const worst = (statuses: SlaStatus[]): SlaStatus => statuses.reduce<SlaStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
export const statusRank = (s: SlaStatus) => RANK[s];

/**
 * Per-deployment thresholds from SLA_OVERRIDES: `{"events": {"warnAfter": 60, "errorAfter": 300}}`.
 * Freshness keys are dataset names; completeness keys are `<dataset>:completeness`.
 */
export function parseOverrides(raw: string | undefined, known: string[]): Map<string, Thresholds> {
  const out = new Map<string, Thresholds>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('SLA_OVERRIDES is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SLA_OVERRIDES must be a JSON object');
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!known.includes(key)) throw new Error(`SLA_OVERRIDES names unknown dataset ${key} (known: ${known.join(', ')})`);
    const v = value as Partial<Thresholds>;
    if (typeof v?.warnAfter !== 'number' || typeof v?.errorAfter !== 'number' || v.warnAfter < 0 || v.errorAfter < v.warnAfter) {
      throw new Error(`SLA_OVERRIDES.${key} needs numbers warnAfter <= errorAfter`);
    }
    out.set(key, { warnAfter: v.warnAfter, errorAfter: v.errorAfter });
  }
  return out;
}

export const freshnessDefaults = (s: FreshnessSla): Thresholds => ({ warnAfter: s.warnAfterSeconds, errorAfter: s.errorAfterSeconds });
export const completenessDefaults = (s: CompletenessSla): Thresholds => ({ warnAfter: s.warnAfterRatio, errorAfter: s.errorAfterRatio });
