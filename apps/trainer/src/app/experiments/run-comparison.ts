import type { RunComparison } from '@mlp/contracts';
import { canonicalJson } from '../artifacts/artifact-codec';
import type { RunRow } from '../training-runs/run-queue';

type ComparedRun = RunComparison['runs'][number];

/** One run as the comparison shows it: what it trained (parameters, split, seed), where, on what data, and what it scored. */
export function comparedRun(r: RunRow): ComparedRun {
  return {
    id: r.id,
    model: r.model,
    status: r.status,
    trial: r.trial,
    searchId: r.search_id,
    algorithm: r.spec.algorithm,
    split: r.spec.split as Record<string, unknown>,
    seed: r.seed,
    backend: r.backend,
    codeVersion: r.code_version,
    specHash: r.spec_hash,
    dataFingerprint: r.dataset?.fingerprint ?? null,
    metrics: r.metrics,
    crossValidation: r.cross_validation,
    curves: r.curves,
    modelVersion: r.model_version,
    gate: r.gate,
  };
}

/** `prefix.key` -> value for every leaf of an object (arrays are leaves: `hiddenUnits: [32, 16]`). */
function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) leaves(v, `${prefix}.${k}`, out);
  } else out.set(prefix, canonicalJson(value ?? null));
}

/**
 * Runs side by side, in the order given: `differences` names every setting that is not the same
 * in all of them (a parameter absent from one run counts as different), `commonMetrics` the
 * `subject.metric` pairs every run has, so a table lines them up.
 */
export function compareRuns(rows: readonly RunRow[]): RunComparison {
  const runs = rows.map(comparedRun);
  const settings = runs.map((r) => {
    const out = new Map<string, string>();
    leaves(r.algorithm, 'algorithm', out);
    leaves(r.split, 'split', out);
    for (const [k, v] of [['seed', r.seed], ['backend', r.backend], ['codeVersion', r.codeVersion], ['dataFingerprint', r.dataFingerprint]] as const) out.set(k, canonicalJson(v));
    return out;
  });
  const paths = [...new Set(settings.flatMap((s) => [...s.keys()]))].sort();
  const differences = paths.filter((p) => new Set(settings.map((s) => s.get(p) ?? '<absent>')).size > 1);
  const metricSets = runs.map((r) => new Set(Object.entries(r.metrics ?? {}).flatMap(([subject, m]) => Object.keys(m).map((k) => `${subject}.${k}`))));
  const commonMetrics = [...(metricSets[0] ?? [])].filter((m) => metricSets.every((s) => s.has(m))).sort();
  return { runs, differences, commonMetrics };
}
