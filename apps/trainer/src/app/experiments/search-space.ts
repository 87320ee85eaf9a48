import { Algorithm, compileJsonSchema, toViolations, type ModelSpec, type SearchPlan, type SearchRange } from '@mlp/contracts';
import { seededRandom } from '@mlp/model-runtime';
import type { TSchema } from '@sinclair/typebox';
import { canonicalJson } from '../artifacts/artifact-codec';
import type { SpecProblem } from '../model-specs/model-spec-rules';

/** The most trials one search may hold (a grid's points, or `maxTrials`). */
export const MAX_TRIALS = 200;
const DEFAULT_GRID_POINTS = 3;

export type TrialParams = Record<string, unknown>;

interface ParameterInfo {
  integer: boolean;
  numeric: boolean;
}

/**
 * The parameters an algorithm kind declares in the contract (everything but `kind`), read from the
 * `Algorithm` schema itself, so a new model kind is searchable without a list kept here.
 */
function variantOf(kind: string): { properties: Record<string, TSchema> } | undefined {
  const variants = (Algorithm as unknown as { anyOf: Array<{ properties: Record<string, TSchema> }> }).anyOf;
  return variants.find((v) => (v.properties['kind'] as { const?: string }).const === kind);
}

export function searchableParameters(kind: string): Map<string, ParameterInfo> {
  const variant = variantOf(kind);
  const out = new Map<string, ParameterInfo>();
  for (const [name, schema] of Object.entries(variant?.properties ?? {})) {
    if (name === 'kind') continue;
    const type = (schema as { type?: string }).type;
    out.set(name, { integer: type === 'integer', numeric: type === 'integer' || type === 'number' });
  }
  return out;
}

const isRange = (r: SearchRange): r is Extract<SearchRange, { min: number }> => 'min' in r;

/** The points of one parameter on a grid: its values, or `count` evenly spaced points of its range (rounded for integers, without repeats). */
function gridPoints(range: SearchRange, info: ParameterInfo): unknown[] {
  if (!isRange(range)) return range.values;
  const count = range.min === range.max ? 1 : (range.count ?? DEFAULT_GRID_POINTS);
  const points: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = count === 1 ? 0 : i / (count - 1);
    const value = range.scale === 'log' ? Math.exp(Math.log(range.min) + t * (Math.log(range.max) - Math.log(range.min))) : range.min + t * (range.max - range.min);
    points.push(info.integer ? Math.round(value) : Number(value.toPrecision(12)));
  }
  return [...new Set(points)].filter((p) => !info.integer || (p >= range.min && p <= range.max));
}

function draw(range: SearchRange, info: ParameterInfo, random: () => number): unknown {
  if (!isRange(range)) return range.values[Math.floor(random() * range.values.length)];
  if (info.integer) {
    const lo = Math.ceil(range.min);
    const hi = Math.floor(range.max);
    if (range.scale === 'log') return Math.min(hi, Math.max(lo, Math.round(Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo))))));
    return lo + Math.floor(random() * (hi - lo + 1));
  }
  const value = range.scale === 'log' ? Math.exp(Math.log(range.min) + random() * (Math.log(range.max) - Math.log(range.min))) : range.min + random() * (range.max - range.min);
  return Number(value.toPrecision(12));
}

/** Every combination of the points, parameters in name order, the last one varying fastest. */
function cartesian(names: string[], points: unknown[][]): TrialParams[] {
  let out: TrialParams[] = [{}];
  names.forEach((name, i) => {
    out = out.flatMap((partial) => points[i].map((p) => ({ ...partial, [name]: p })));
  });
  return out;
}

/** Problems with the ranges themselves (before any trial is built): unknown parameters, empty or impossible ranges, a missing budget. */
function rangeProblems(plan: SearchPlan, algorithm: Algorithm): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const known = searchableParameters(algorithm.kind);
  if (known.size === 0) return [{ path: '$.plan.parameters', code: 'NOTHING_TO_SEARCH', message: `a ${algorithm.kind} has no parameters to search` }];
  const names = Object.keys(plan.parameters);
  if (names.length === 0) problems.push({ path: '$.plan.parameters', code: 'EMPTY_SEARCH_SPACE', message: 'name at least one parameter to search' });
  for (const name of names) {
    const path = `$.plan.parameters.${name}`;
    const info = known.get(name);
    if (!info) {
      problems.push({ path, code: 'UNKNOWN_SEARCH_PARAMETER', message: `${algorithm.kind} has no parameter ${name} (it has ${[...known.keys()].join(', ')})` });
      continue;
    }
    const range = plan.parameters[name];
    if (!isRange(range)) {
      if (range.values.length === 0) problems.push({ path: `${path}.values`, code: 'EMPTY_SEARCH_RANGE', message: `${name} lists no values` });
      continue;
    }
    if (!info.numeric) problems.push({ path, code: 'INVALID_SEARCH_RANGE', message: `${name} is not a number: list its candidates as values` });
    else if (range.min > range.max) problems.push({ path, code: 'EMPTY_SEARCH_RANGE', message: `${name}: min ${range.min} is above max ${range.max}` });
    else if (info.integer && Math.ceil(range.min) > Math.floor(range.max)) problems.push({ path, code: 'EMPTY_SEARCH_RANGE', message: `${name} is an integer and no integer lies in [${range.min}, ${range.max}]` });
    else if (range.scale === 'log' && range.min <= 0) problems.push({ path, code: 'INVALID_SEARCH_RANGE', message: `${name}: a log scale needs min above 0` });
  }
  const { maxTrials, maxSeconds } = plan.budget;
  if (maxTrials === undefined && maxSeconds === undefined) problems.push({ path: '$.plan.budget', code: 'SEARCH_BUDGET_REQUIRED', message: 'give budget.maxTrials, budget.maxSeconds or both' });
  else if (plan.strategy === 'random' && maxTrials === undefined) problems.push({ path: '$.plan.budget.maxTrials', code: 'SEARCH_BUDGET_REQUIRED', message: 'a random search needs budget.maxTrials (how many draws)' });
  return problems;
}

export type SearchExpansion = { ok: true; trials: TrialParams[] } | { ok: false; problems: SpecProblem[] };

/**
 * The trials of a search: a grid's every combination (refused when it holds more points than
 * `maxTrials`, or than 200), or `maxTrials` seeded random draws (the same seed draws the same
 * trials; repeats are drawn again, a few times). Every trial's algorithm must be valid under the
 * spec's contract (`INVALID_SEARCH_PARAMETER` names the first that is not).
 */
export function expandSearch(plan: SearchPlan, spec: ModelSpec, seed: number): SearchExpansion {
  const problems = rangeProblems(plan, spec.algorithm);
  if (problems.length) return { ok: false, problems };
  const known = searchableParameters(spec.algorithm.kind);
  const names = Object.keys(plan.parameters).sort();
  let trials: TrialParams[];
  if (plan.strategy === 'grid') {
    const points = names.map((n) => gridPoints(plan.parameters[n], known.get(n) as ParameterInfo));
    const size = points.reduce((n, p) => n * p.length, 1);
    const limit = Math.min(plan.budget.maxTrials ?? MAX_TRIALS, MAX_TRIALS);
    if (size > limit) {
      const over = plan.budget.maxTrials !== undefined && size <= MAX_TRIALS;
      return {
        ok: false,
        problems: [
          {
            path: over ? '$.plan.budget.maxTrials' : '$.plan.parameters',
            code: 'GRID_EXCEEDS_BUDGET',
            message: `the grid has ${size} points (${names.map((n, i) => `${n}: ${points[i].length}`).join(' x ')}), more than ${over ? `budget.maxTrials ${limit}` : `the ${MAX_TRIALS} trials a search may hold`}`,
          },
        ],
      };
    }
    trials = cartesian(names, points);
  } else {
    const random = seededRandom(seed);
    const seen = new Set<string>();
    trials = [];
    const wanted = plan.budget.maxTrials as number;
    for (let attempt = 0; trials.length < wanted && attempt < wanted * 10; attempt++) {
      const params: TrialParams = {};
      for (const n of names) params[n] = draw(plan.parameters[n], known.get(n) as ParameterInfo, random);
      const key = canonicalJson(params);
      if (seen.has(key)) continue;
      seen.add(key);
      trials.push(params);
    }
  }
  // Checked against the kind's own schema (not the union), so the message names the parameter.
  const check = compileJsonSchema(variantOf(spec.algorithm.kind) as object);
  for (const params of trials) {
    if (!check({ ...spec.algorithm, ...params })) {
      const v = toViolations(check.errors)[0];
      const name = v.path.replace(/^\$\.?/, '').split(/[.[]/)[0] || names[0];
      return {
        ok: false,
        problems: [{ path: `$.plan.parameters.${name}`, code: 'INVALID_SEARCH_PARAMETER', message: `${canonicalJson(params)} is not a valid ${spec.algorithm.kind}: ${v.path} ${v.message}` }],
      };
    }
  }
  return { ok: true, trials };
}
