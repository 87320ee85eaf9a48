import type { Rag } from '../components';
import type { LineageBox } from './lineage-graph-model';

// The lineage past the feature views: the feature services that bundle their features and the
// models trained on each service, with the champion the registry names and what serving loaded.
// Each part comes from another service (feature-store, trainer, model-serving); a part the reader's
// token cannot see ends the graph there, with the reason, instead of failing the page.

export interface Graph {
  boxes: LineageBox[];
  edges: Array<{ from: string; to: string }>;
}

/** Either what a service listed, or why it could not be read (a missing scope, an error). */
export type Reach<T> = { items: T[] } | { stop: string };

/** feature-store `GET /v1/feature-services`: features are `view:feature` or `view@vN:feature`. */
export interface ServiceSource {
  name: string;
  project: string | null;
  features: string[];
}

/** A declared model with its registry state (see `declaredModels`). */
export interface ModelSource {
  name: string;
  project: string | null;
  featureService: string;
  task: string;
  latestVersion: number | null;
  aliases: { champion: number | null; challenger: number | null };
}

/** trainer `GET /v1/model-specs`: what is declared now, by which project. */
export interface SpecSource {
  spec: { name: string; featureService: string; task: string };
  project: string | null;
}

/** trainer `GET /v1/models`: the registry, with versions and aliases (removed specs' models stay listed). */
export interface RegistrySource {
  name: string;
  featureService: string;
  task: string;
  latestVersion: number | null;
  aliases: { champion: number | null; challenger: number | null };
}

/**
 * The models in the lineage: every declared spec (its feature service and project as declared now),
 * with the registry's versions and aliases where it has any. A registry model whose spec was removed
 * is history, not lineage, and is left out; a spec not trained yet is in, without versions.
 */
export function declaredModels(specs: SpecSource[], registry: RegistrySource[]): ModelSource[] {
  const byName = new Map(registry.map((m) => [m.name, m]));
  return specs.map(({ spec, project }) => {
    const m = byName.get(spec.name);
    return { name: spec.name, project, featureService: spec.featureService, task: spec.task, latestVersion: m?.latestVersion ?? null, aliases: m?.aliases ?? { champion: null, challenger: null } };
  });
}

/** model-serving `GET /v1/models`: the champion it loaded (and the last load error). */
export interface ServedSource {
  name: string;
  champion: number | null;
  lastError?: string | null;
}

/** The feature view a feature reference reads: `orders@v2:total` -> `orders`. */
export function viewOfFeature(ref: string): string {
  const colon = ref.indexOf(':');
  const view = colon < 0 ? ref : ref.slice(0, colon);
  const at = view.indexOf('@');
  return at < 0 ? view : view.slice(0, at);
}

/** A model's dot: no champion is unknown; a champion serving loaded is green, another one amber, a load error red. */
export function modelStatus(m: ModelSource, served: ServedSource | null | undefined): { status: Rag; why: string[] } {
  const champion = m.aliases.champion;
  if (champion === null) return { status: 'unknown', why: [m.latestVersion === null ? 'not trained yet' : `no champion (latest v${m.latestVersion})`] };
  const why = [`champion v${champion}`];
  // null: serving was not read (refused or down); undefined: it was read and does not know the model.
  if (served === null) return { status: 'green', why: [...why, 'serving not read'] };
  if (served === undefined) return { status: 'amber', why: [...why, 'not loaded by serving'] };
  if (served.lastError) return { status: 'red', why: [...why, `load failed: ${served.lastError}`] };
  if (served.champion !== champion) return { status: 'amber', why: [...why, served.champion === null ? 'serving has not loaded it yet' : `serving still loads v${served.champion}`] };
  return { status: 'green', why: [...why, `served v${champion}`] };
}

/**
 * The warehouse lineage continued: feature views -> feature services -> models. A service reading a
 * view the graph lacks gets a box of its own (unknown), as does a model's service the feature store
 * does not list. Where a part cannot be read the graph stops before it and `stops` says why; models
 * are only joined to services, so they stop with the services. Pure: same inputs, same graph.
 */
export function continueToModels(base: Graph, services: Reach<ServiceSource>, models: Reach<ModelSource>, served: Reach<ServedSource>): Graph & { stops: string[] } {
  const boxes = [...base.boxes];
  const edges = [...base.edges];
  const ids = new Set(boxes.map((b) => b.id));
  const add = (b: LineageBox) => {
    if (ids.has(b.id)) return;
    ids.add(b.id);
    boxes.push(b);
  };
  if ('stop' in services) return { boxes, edges, stops: [services.stop] };
  for (const s of services.items) {
    const id = `service:${s.name}`;
    const views = [...new Set(s.features.map(viewOfFeature))];
    const missing = views.filter((v) => !ids.has(`view:${v}`));
    add({ id, name: s.name, kind: 'feature_service', project: s.project, service: s, status: missing.length ? 'amber' : 'green', why: [`${s.features.length} feature${s.features.length === 1 ? '' : 's'}`, `from ${views.length} view${views.length === 1 ? '' : 's'}`, ...(missing.length ? [`reads unlisted ${missing.join(', ')}`] : [])] });
    for (const v of missing) add({ id: `view:${v}`, name: v, kind: 'feature_view', project: null, status: 'unknown', why: ['not listed by the feature store'] });
    for (const v of views) edges.push({ from: `view:${v}`, to: id });
  }
  if ('stop' in models) return { boxes, edges, stops: [models.stop] };
  const loaded = 'stop' in served ? null : new Map(served.items.map((m) => [m.name, m]));
  for (const m of models.items) {
    const from = `service:${m.featureService}`;
    add({ id: from, name: m.featureService, kind: 'feature_service', project: null, status: 'unknown', why: ['not listed by the feature store'] });
    const state = loaded === null ? null : loaded.get(m.name);
    const id = `trained:${m.name}`;
    add({
      id,
      name: m.name,
      kind: 'model',
      project: m.project,
      model: { name: m.name, featureService: m.featureService, task: m.task, latestVersion: m.latestVersion, champion: m.aliases.champion, challenger: m.aliases.challenger, served: state && { champion: state.champion, lastError: state.lastError ?? null } },
      ...modelStatus(m, state),
    });
    edges.push({ from, to: id });
  }
  return { boxes, edges, stops: 'stop' in served ? [served.stop] : [] };
}

/**
 * What the page knows of one part: refused by the token's scopes (checked before asking, or a 403
 * from the service) or unreadable stops the graph with a sentence; still loading stops it for now.
 */
export function reachOf<T>(part: { what: string; scope: string; allowed: boolean; data: T[] | undefined; error: unknown }): Reach<T> {
  const refused = `Your token cannot read ${part.what} (it needs ${part.scope}), so the graph stops before them.`;
  if (!part.allowed) return { stop: refused };
  if (part.data) return { items: part.data };
  if (part.error) {
    const status = (part.error as { status?: unknown }).status;
    return { stop: status === 403 ? refused : `${part.what[0].toUpperCase()}${part.what.slice(1)} could not be read: ${part.error instanceof Error ? part.error.message : String(part.error)}.` };
  }
  return { stop: `Loading ${part.what}…` };
}
