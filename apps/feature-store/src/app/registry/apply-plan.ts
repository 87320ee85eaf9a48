import type { ApplyPlanItem, ApplyRequest, EntityDefinition, FeatureServiceDefinition, FeatureViewDefinition } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { createHash } from 'node:crypto';
import { checkEntityDefinition, entityJoinKeys } from './entity-key';
import { parseFeatureRef } from './feature-ref';

export interface RegisteredView {
  name: string;
  head: number;
  /** Highest version ever created (removed views keep their numbers so a re-created view never reuses one). */
  maxVersion: number;
  removed: boolean;
  versions: Map<number, FeatureViewDefinition>;
  /**
   * Versions taken out of online serving (no longer materialized, their online values dropped);
   * still readable offline. Absent: none.
   */
  retired?: ReadonlySet<number>;
}

export interface RegistrySnapshot {
  entities: Map<string, EntityDefinition>;
  views: Map<string, RegisteredView>;
  services: Map<string, FeatureServiceDefinition>;
  /** The owning project of every owned name (a removed view's too); absent: unowned. */
  owners?: RegistryOwners;
}

export interface RegistryOwners {
  entities: Map<string, string>;
  views: Map<string, string>;
  services: Map<string, string>;
}

type OwnedKind = keyof RegistryOwners;
const KIND_LABEL: Record<OwnedKind, string> = { entities: 'entity', views: 'feature view', services: 'feature service' };

export type ViewOperation =
  | { op: 'create'; spec: FeatureViewDefinition; version: number }
  | { op: 'new_version'; spec: FeatureViewDefinition; version: number }
  | { op: 'update'; spec: FeatureViewDefinition; version: number }
  | { op: 'remove'; name: string };

export interface ComputedPlan {
  created: ApplyPlanItem[];
  changed: ApplyPlanItem[];
  removed: ApplyPlanItem[];
  unchanged: ApplyPlanItem[];
  entities: Array<{ op: 'upsert'; spec: EntityDefinition } | { op: 'remove'; name: string }>;
  views: ViewOperation[];
  services: Array<{ op: 'upsert'; spec: FeatureServiceDefinition } | { op: 'remove'; name: string }>;
  /** Existing unowned names the request's project takes over (every version of a view). */
  adopt: { entities: string[]; views: string[]; services: string[] };
}

/** JSON with sorted keys, so equal definitions hash equally whatever the key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    return `{${Object.keys(rec)
      .filter((k) => rec[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(rec[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const typedFeatures = (view: FeatureViewDefinition) => [...view.features].map((f) => [f.name, f.type]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

/** The shape of the view's rows: its entities and its typed features. */
export function schemaHash(view: FeatureViewDefinition): string {
  return createHash('sha256').update(stableStringify({ entities: view.entities, features: typedFeatures(view) })).digest('hex');
}

/**
 * Top-level fields of a feature view that decide its values: which rows (entities, source SQL,
 * timestamp field), which columns and types (features), and which values count as too old (ttl).
 * A change of any of them makes a new, immutable version. The others (description, owner, tags,
 * freshness_sla_seconds, online, a feature's description) are metadata, updated in place.
 */
export const DATA_FIELDS = ['entities', 'features', 'source', 'ttl_seconds'] as const;

/**
 * Everything the view's data depends on (see DATA_FIELDS): equal for two definitions exactly when
 * they give the same values for the same mart. The order of features and a feature's description
 * change no value; the source SQL is compared as written (a reformatted query is a new version:
 * telling equivalent SQL apart is not attempted).
 */
export function dataHash(view: FeatureViewDefinition): string {
  return createHash('sha256')
    .update(
      stableStringify({
        entities: view.entities,
        features: typedFeatures(view),
        sql: view.source.sql,
        timestamp_field: view.source.timestamp_field ?? 'event_timestamp',
        ttl_seconds: view.ttl_seconds,
      }),
    )
    .digest('hex');
}

const specEqual = (a: unknown, b: unknown) => stableStringify(a) === stableStringify(b);

function changedFields(a: object, b: object): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  return [...keys].filter((k) => stableStringify(ra[k]) !== stableStringify(rb[k])).sort();
}

function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(names.filter((n) => (seen.has(n) ? true : (seen.add(n), false))))];
}

const bad = (code: string, message: string, details: string[] = []) =>
  PlatformError.badRequest(message, details.map((m) => ({ code, message: m })), code);

const NO_OWNERS: RegistryOwners = { entities: new Map(), views: new Map(), services: new Map() };

/**
 * Refuses names another project owns (or, for a request without a project, names any project owns):
 * one 409 listing every such name with its owner.
 */
function checkOwnership(owners: RegistryOwners, project: string | undefined, requested: Record<OwnedKind, string[]>): void {
  const taken = (Object.keys(requested) as OwnedKind[]).flatMap((kind) =>
    requested[kind].flatMap((name) => {
      const owner = owners[kind].get(name);
      return owner !== undefined && owner !== project ? [{ kind, name, owner }] : [];
    }),
  );
  if (!taken.length) return;
  const what = taken.map((t) => `${KIND_LABEL[t.kind]} ${t.name} (owned by project ${t.owner})`).join(', ');
  throw PlatformError.conflict(
    project === undefined ? `names owned by a project can only be applied by naming that project: ${what}` : `project ${project} cannot apply names another project owns: ${what}`,
    taken.map((t) => ({ code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: `${KIND_LABEL[t.kind]} ${t.name} is owned by project ${t.owner}` })),
    'NAME_OWNED_BY_ANOTHER_PROJECT',
  );
}

/**
 * Diffs a requested set of definitions against the registry. Pure: every reference is checked
 * here, before any SQL runs, and the result says exactly what `apply` would write.
 *
 * Ownership: the request's project (or, without one, "no project") is its scope. Names owned by
 * another scope are refused (409); unowned names the project applies are adopted; `prune` removes
 * only the scope's objects that are not in the request, and never one another scope still uses.
 */
export function computeApplyPlan(current: RegistrySnapshot, req: ApplyRequest): ComputedPlan {
  const entities = req.entities ?? [];
  const views = req.feature_views ?? [];
  const services = req.feature_services ?? [];
  for (const [kind, names] of [
    ['entity', entities.map((e) => e.name)],
    ['feature view', views.map((v) => v.name)],
    ['feature service', services.map((s) => s.name)],
  ] as const) {
    const d = duplicates(names);
    if (d.length) throw bad('DUPLICATE_DEFINITION', `${kind} defined more than once: ${d.join(', ')}`, d);
  }

  const project = req.project;
  const owners = current.owners ?? NO_OWNERS;
  checkOwnership(owners, project, { entities: entities.map((e) => e.name), views: views.map((v) => v.name), services: services.map((s) => s.name) });
  /** Whether this request's prune may remove the object: it belongs to the request's scope. */
  const inScope = (kind: OwnedKind, name: string) => owners[kind].get(name) === project;
  /** Unowned names a project takes over by applying them. */
  const adopts = (kind: OwnedKind, name: string, exists: boolean) => exists && project !== undefined && !owners[kind].has(name);
  const ownerLabel = (kind: OwnedKind, name: string) => (owners[kind].has(name) ? `project ${owners[kind].get(name)}` : 'no project');
  const requestedViews = new Set(views.map((v) => v.name));
  const requestedServices = new Set(services.map((s) => s.name));

  for (const e of entities) checkEntityDefinition(e);

  // The registry as it would be after this apply: a prune drops what is in scope and not requested.
  const kept = <T>(kind: OwnedKind, entries: Iterable<[string, T]>) => [...entries].filter(([name]) => !req.prune || !inScope(kind, name));
  const nextEntities = new Map<string, EntityDefinition>(kept('entities', current.entities));
  for (const e of entities) nextEntities.set(e.name, e);
  const liveViews = [...current.views.values()].filter((v) => !v.removed);
  const nextViews = new Map<string, FeatureViewDefinition>(kept('views', liveViews.map((v) => [v.name, v.versions.get(v.head)!] as [string, FeatureViewDefinition])));
  for (const v of views) nextViews.set(v.name, v);

  // A view the request does not name that lost its entity to the prune belongs to another scope: a conflict.
  for (const v of nextViews.values()) {
    const missing = v.entities.filter((e) => !nextEntities.has(e));
    if (missing.length && !requestedViews.has(v.name)) {
      throw PlatformError.conflict(
        `the prune would remove entities ${missing.join(', ')} that feature view ${v.name} (${ownerLabel('views', v.name)}) uses`,
        missing.map((m) => ({ code: 'ENTITY_IN_USE', message: `${m}: ${v.name}` })),
        'ENTITY_IN_USE',
      );
    }
  }
  for (const v of nextViews.values()) {
    const missing = v.entities.filter((e) => !nextEntities.has(e));
    if (missing.length) throw bad('UNKNOWN_ENTITY', `feature view ${v.name} uses unknown entities: ${missing.join(', ')}`, missing);
    const joinKeys = v.entities.flatMap((e) => entityJoinKeys(nextEntities.get(e)!));
    const featureNames = v.features.map((f) => f.name);
    const dup = duplicates(featureNames);
    if (dup.length) throw bad('INVALID_FEATURE_VIEW', `feature view ${v.name} declares features twice: ${dup.join(', ')}`, dup);
    const reserved = featureNames.filter((f) => joinKeys.includes(f) || f === 'event_timestamp' || f === (v.source.timestamp_field ?? 'event_timestamp'));
    if (reserved.length) throw bad('INVALID_FEATURE_VIEW', `feature view ${v.name} uses reserved feature names: ${reserved.join(', ')}`, reserved);
  }

  for (const e of entities) {
    const old = current.entities.get(e.name);
    if (!old || (stableStringify(entityJoinKeys(old)) === stableStringify(entityJoinKeys(e)) && old.value_type === e.value_type)) continue;
    const users = liveViews.filter((v) => v.versions.get(v.head)!.entities.includes(e.name)).map((v) => v.name);
    if (users.length) {
      throw PlatformError.conflict(`entity ${e.name} changes its join key or type but feature views use it: ${users.join(', ')}`, users.map((u) => ({ code: 'ENTITY_IN_USE', message: u })), 'ENTITY_IN_USE');
    }
  }

  // New versions of views, known before services are resolved (a service may pin the new version).
  const viewOps: ViewOperation[] = [];
  const nextVersion = new Map<string, number>();
  for (const v of views) {
    const reg = current.views.get(v.name);
    if (!reg) {
      viewOps.push({ op: 'create', spec: v, version: 1 });
      nextVersion.set(v.name, 1);
    } else if (reg.removed) {
      viewOps.push({ op: 'create', spec: v, version: reg.maxVersion + 1 });
      nextVersion.set(v.name, reg.maxVersion + 1);
    } else {
      const head = reg.versions.get(reg.head)!;
      if (dataHash(head) !== dataHash(v)) {
        viewOps.push({ op: 'new_version', spec: v, version: reg.maxVersion + 1 });
        nextVersion.set(v.name, reg.maxVersion + 1);
      } else if (!specEqual(head, v)) {
        viewOps.push({ op: 'update', spec: v, version: reg.head });
        nextVersion.set(v.name, reg.head);
      } else nextVersion.set(v.name, reg.head);
    }
  }
  for (const v of liveViews) if (!nextVersion.has(v.name) && nextViews.has(v.name)) nextVersion.set(v.name, v.head);

  const nextServices = new Map<string, FeatureServiceDefinition>(kept('services', current.services));
  for (const s of services) nextServices.set(s.name, s);
  for (const s of nextServices.values()) {
    for (const ref of s.features) {
      const p = parseFeatureRef(ref);
      const headSpec = nextViews.get(p.view);
      // Reading is shared across projects, so a service the request does not name may use a pruned view.
      if (!headSpec && !requestedServices.has(s.name) && current.views.has(p.view)) {
        throw PlatformError.conflict(
          `the prune would remove feature view ${p.view} that feature service ${s.name} (${ownerLabel('services', s.name)}) uses`,
          [{ code: 'FEATURE_VIEW_IN_USE', message: `${p.view}: ${s.name}` }],
          'FEATURE_VIEW_IN_USE',
        );
      }
      if (!headSpec) throw bad('UNKNOWN_FEATURE_VIEW', `feature service ${s.name} references unknown feature view ${p.view}`, [ref]);
      let spec: FeatureViewDefinition | undefined = headSpec;
      if (p.version !== undefined && p.version !== nextVersion.get(p.view)) spec = current.views.get(p.view)?.versions.get(p.version);
      if (!spec) throw bad('UNKNOWN_FEATURE_VERSION', `feature service ${s.name} references unknown version ${ref}`, [ref]);
      if (!spec.features.some((f) => f.name === p.feature)) {
        // Another project's service reads a feature this apply takes out of the view.
        if (!requestedServices.has(s.name) && !inScope('services', s.name)) {
          throw PlatformError.conflict(
            `feature view ${p.view} would lose ${ref}, which feature service ${s.name} (${ownerLabel('services', s.name)}) uses`,
            [{ code: 'FEATURE_VIEW_IN_USE', message: `${ref}: ${s.name}` }],
            'FEATURE_VIEW_IN_USE',
          );
        }
        throw bad('UNKNOWN_FEATURE', `feature service ${s.name} references unknown feature ${ref}`, [ref]);
      }
      // A service is read online too: what it pins must be served (restore a retired version first).
      if (p.version !== undefined && current.views.get(p.view)?.retired?.has(p.version)) {
        throw PlatformError.conflict(`feature service ${s.name} pins ${ref}, a retired version: restore it first`, [{ code: 'FEATURE_VERSION_RETIRED', message: ref }], 'FEATURE_VERSION_RETIRED');
      }
    }
  }

  const plan: ComputedPlan = { created: [], changed: [], removed: [], unchanged: [], entities: [], views: viewOps, services: [], adopt: { entities: [], views: [], services: [] } };
  /** Changed fields, with `project` when the request's project adopts an unowned object. */
  const fieldsOf = (kind: OwnedKind, name: string, old: object, next: object) =>
    adopts(kind, name, true) ? [...changedFields(old, next), 'project'].sort() : changedFields(old, next);
  for (const e of entities) {
    const old = current.entities.get(e.name);
    if (adopts('entities', e.name, !!old)) plan.adopt.entities.push(e.name);
    if (!old) plan.created.push({ kind: 'entity', name: e.name });
    else if (!specEqual(old, e) || adopts('entities', e.name, true)) plan.changed.push({ kind: 'entity', name: e.name, fields: fieldsOf('entities', e.name, old, e) });
    else {
      plan.unchanged.push({ kind: 'entity', name: e.name });
      continue;
    }
    plan.entities.push({ op: 'upsert', spec: e });
  }
  for (const v of views) {
    const op = viewOps.find((o) => o.op !== 'remove' && o.spec.name === v.name);
    const reg = current.views.get(v.name);
    const adopted = adopts('views', v.name, !!reg);
    if (adopted) plan.adopt.views.push(v.name);
    if (!op && !adopted) plan.unchanged.push({ kind: 'feature_view', name: v.name, version: reg!.head });
    else if (!op) plan.changed.push({ kind: 'feature_view', name: v.name, version: reg!.head, fields: ['project'], new_version: false });
    else if (op.op === 'create') plan.created.push({ kind: 'feature_view', name: v.name, version: op.version });
    else if (op.op === 'new_version' || op.op === 'update') {
      const head = reg!.versions.get(reg!.head)!;
      plan.changed.push({ kind: 'feature_view', name: v.name, version: op.version, fields: fieldsOf('views', v.name, head, v), new_version: op.op === 'new_version' });
    }
  }
  for (const s of services) {
    const old = current.services.get(s.name);
    if (adopts('services', s.name, !!old)) plan.adopt.services.push(s.name);
    if (!old) plan.created.push({ kind: 'feature_service', name: s.name });
    else if (!specEqual(old, s) || adopts('services', s.name, true)) plan.changed.push({ kind: 'feature_service', name: s.name, fields: fieldsOf('services', s.name, old, s) });
    else {
      plan.unchanged.push({ kind: 'feature_service', name: s.name });
      continue;
    }
    plan.services.push({ op: 'upsert', spec: s });
  }
  if (req.prune) {
    for (const name of current.services.keys()) if (!nextServices.has(name)) {
      plan.removed.push({ kind: 'feature_service', name });
      plan.services.push({ op: 'remove', name });
    }
    for (const v of liveViews) if (!nextViews.has(v.name)) {
      plan.removed.push({ kind: 'feature_view', name: v.name, version: v.head });
      viewOps.push({ op: 'remove', name: v.name });
    }
    for (const name of current.entities.keys()) if (!nextEntities.has(name)) {
      plan.removed.push({ kind: 'entity', name });
      plan.entities.push({ op: 'remove', name });
    }
  }
  return plan;
}
