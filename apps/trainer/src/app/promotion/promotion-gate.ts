import type { GateDecision, PrimaryMetric, PromotionPolicy } from '@mlp/contracts';
import { higherIsBetter } from '../evaluation/metrics';

export interface GateInput {
  metric: PrimaryMetric;
  policy: PromotionPolicy;
  /** Held-out metrics of the new version. */
  candidate: Record<string, number>;
  /** The baseline fitted in the same run, scored on the same window. */
  baseline: Record<string, number> | null;
  /** The current champion, re-scored now on the same window (null when there is none). */
  champion: { version: number; metrics: Record<string, number> | null } | null;
  evalRows: number;
  /** The candidate is itself a baseline (the proof of concept). */
  candidateIsBaseline: boolean;
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x));

/**
 * Decides whether a new version becomes champion. It must have enough evaluation rows, then beat
 * the champion by the policy's margins on the same held-out window; without a champion it must
 * beat the baseline (a baseline itself may become the first champion: the PoC).
 */
export function decidePromotion(input: GateInput): GateDecision {
  const { metric, policy } = input;
  const candidate = input.candidate[metric];
  const refuse = (code: string, reason: string, comparedWith: GateDecision['comparedWith'], reference: number | null, referenceVersion: number | null = null): GateDecision => ({
    promoted: false,
    code,
    reason,
    comparedWith,
    candidate: Number.isFinite(candidate) ? candidate : null,
    reference,
    referenceVersion,
  });
  if (input.evalRows < policy.minEvalRows) {
    return refuse('INSUFFICIENT_EVAL_ROWS', `only ${input.evalRows} held-out rows; the policy needs at least ${policy.minEvalRows}`, 'none', null);
  }
  if (!Number.isFinite(candidate)) {
    return refuse('METRIC_UNDEFINED', `${metric} is undefined on the held-out window (e.g. a single class)`, 'none', null);
  }
  const sign = higherIsBetter(metric) ? 1 : -1;
  const championValue = input.champion?.metrics?.[metric];
  if (input.champion && championValue !== undefined && Number.isFinite(championValue)) {
    const improvement = sign * (candidate - championValue);
    const needAbs = policy.minAbsoluteImprovement ?? 0;
    const needRel = (policy.minRelativeImprovement ?? 0) * Math.abs(championValue);
    const need = Math.max(needAbs, needRel);
    const version = input.champion.version;
    if (improvement <= 0 || improvement < need) {
      return refuse(
        'NOT_BETTER_THAN_CHAMPION',
        `${metric} ${fmt(candidate)} vs champion v${version} ${fmt(championValue)}: improvement ${fmt(improvement)} is below the required ${fmt(need)}${need === 0 ? ' (must be strictly better)' : ''}`,
        'champion',
        championValue,
        version,
      );
    }
    return {
      promoted: true,
      code: 'BEATS_CHAMPION',
      reason: `${metric} ${fmt(candidate)} beats champion v${version} ${fmt(championValue)} by ${fmt(improvement)} (required ${fmt(need)})`,
      comparedWith: 'champion',
      candidate,
      reference: championValue,
      referenceVersion: version,
    };
  }
  if (input.candidateIsBaseline) {
    return { promoted: true, code: 'FIRST_BASELINE', reason: 'no champion yet: the baseline becomes the proof-of-concept champion', comparedWith: 'none', candidate, reference: null };
  }
  const baselineValue = input.baseline?.[metric];
  if (baselineValue === undefined || !Number.isFinite(baselineValue)) {
    return refuse('NO_BASELINE', 'the first trained version must beat the baseline, which could not be scored', 'baseline', null);
  }
  const overBaseline = sign * (candidate - baselineValue);
  if (overBaseline <= 0) {
    return refuse('NOT_BETTER_THAN_BASELINE', `${metric} ${fmt(candidate)} does not beat the baseline ${fmt(baselineValue)}`, 'baseline', baselineValue);
  }
  const champ = input.champion ? ` (champion v${input.champion.version} could not be scored on this window)` : '';
  return {
    promoted: true,
    code: 'BEATS_BASELINE',
    reason: `${metric} ${fmt(candidate)} beats the baseline ${fmt(baselineValue)} by ${fmt(overBaseline)}${champ}`,
    comparedWith: 'baseline',
    candidate,
    reference: baselineValue,
  };
}
