import type { ModelSpec, ModelSpecApplyPlan, ModelSpecApplyRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { canonicalJson, sha256Hex } from '../artifacts/artifact-codec';
import { specProblems } from './model-spec-rules';

/** Equal specs hash equally whatever their key order. */
export const specHash = (spec: ModelSpec): string => sha256Hex(canonicalJson(spec));

/** A spec as the registry holds it. A removed spec keeps its row (its runs and versions refer to it). */
export interface DeclaredSpec {
  spec: ModelSpec;
  specHash: string;
  /** Owning project; null: declared without one (adopted by the first project that applies it). */
  project: string | null;
  removed: boolean;
}

export interface SpecApplyPlan {
  plan: Omit<ModelSpecApplyPlan, 'dry_run'>;
  /** Specs to write: new, changed, re-declared after removal, or adopted. */
  upserts: ModelSpec[];
  /** Live specs of the project that the prune removes. */
  removals: string[];
}

/** Top-level spec fields whose values differ. */
export function changedSpecFields(a: ModelSpec, b: ModelSpec): string[] {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  return [...keys].filter((k) => canonicalJson(ra[k] ?? null) !== canonicalJson(rb[k] ?? null)).sort();
}

/**
 * Refuses a name another project owns. `project` null is a request without a project (the single
 * `POST /v1/model-specs`), which may change only unowned specs.
 */
export function checkSpecOwnership(current: ReadonlyMap<string, DeclaredSpec>, project: string | null, names: readonly string[]): void {
  const taken = names.flatMap((name) => {
    const owner = current.get(name)?.project ?? null;
    return owner !== null && owner !== project ? [{ name, owner }] : [];
  });
  if (!taken.length) return;
  const what = taken.map((t) => `${t.name} (owned by project ${t.owner})`).join(', ');
  throw PlatformError.conflict(
    project === null ? `model specs owned by a project can only be changed by naming that project: ${what}` : `project ${project} cannot apply model specs another project owns: ${what}`,
    taken.map((t) => ({ code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: `model ${t.name} is owned by project ${t.owner}` })),
    'NAME_OWNED_BY_ANOTHER_PROJECT',
  );
}

/**
 * Diffs a project's specs against the registry. Pure: every spec is validated (schema-valid input
 * assumed, then the semantic rules) and ownership checked before anything is written, so a batch
 * is accepted or refused as a whole.
 */
export function planModelSpecs(current: ReadonlyMap<string, DeclaredSpec>, req: ModelSpecApplyRequest): SpecApplyPlan {
  const names = req.specs.map((s) => s.name);
  const seen = new Set<string>();
  const dup = [...new Set(names.filter((n) => (seen.has(n) ? true : (seen.add(n), false))))];
  if (dup.length) throw PlatformError.badRequest(`model spec defined more than once: ${dup.join(', ')}`, dup.map((d) => ({ code: 'DUPLICATE_DEFINITION', message: d })), 'DUPLICATE_DEFINITION');

  const problems = req.specs.flatMap((spec, i) => specProblems(spec).map((p) => ({ ...p, path: `$.specs[${i}]${p.path.slice(1)}`, message: `${spec.name}: ${p.message}` })));
  if (problems.length) throw PlatformError.badRequest(`invalid model specs: ${problems.map((p) => p.message).join('; ')}`, problems, problems[0].code);

  checkSpecOwnership(current, req.project, names);

  const plan: SpecApplyPlan['plan'] = { project: req.project, created: [], changed: [], removed: [], unchanged: [] };
  const upserts: ModelSpec[] = [];
  for (const spec of req.specs) {
    const existing = current.get(spec.name);
    if (!existing || existing.removed) {
      plan.created.push({ name: spec.name });
      upserts.push(spec);
      continue;
    }
    const adopted = existing.project === null;
    const fields = existing.specHash === specHash(spec) ? [] : changedSpecFields(existing.spec, spec);
    if (adopted) fields.push('project');
    if (fields.length) {
      plan.changed.push({ name: spec.name, fields: fields.sort() });
      upserts.push(spec);
    } else plan.unchanged.push({ name: spec.name });
  }
  const removals: string[] = [];
  if (req.prune) {
    const requested = new Set(names);
    for (const [name, d] of [...current].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (d.project === req.project && !d.removed && !requested.has(name)) {
        plan.removed.push({ name });
        removals.push(name);
      }
    }
  }
  return { plan, upserts, removals };
}
