import type { LineageNode, WarehouseLineage } from '@mlp/contracts';

export interface LineageModel {
  name: string;
  project: string;
  layer: 'staging' | 'marts';
  materialized: string;
  description: string | null;
  /** Models it reads (and its relationships / sql tests read). */
  deps: string[];
  /** Relations it reads that are not models: `src_<source>`, `events`, `prediction_log`. */
  inputs: string[];
  /** Declared tests as stored with their results: `unique(id) [error]`. */
  tests: string[];
}

export interface LineageFacts {
  models: LineageModel[];
  /** Declared sources (relation `src_<name>`), read by a model or not. */
  sources: Array<{ relation: string; project: string; description: string | null }>;
  state: Array<{ name: string; last_run_id: string | null; last_status: string | null; last_rows: string | number | null; last_built_at: Date | null }>;
  /** The latest result of each (model, test). */
  tests: Array<{ model: string; test: string; status: string; failures: string | number; ran_at: Date }>;
  /** Freshness checks of `dwh.sla_state`, by dataset (a source's dataset is its relation, a model's its name). */
  freshness: Array<{ dataset: string; status: string; measured: number | null; checked_at: Date }>;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/** The model DAG as nodes and edges: sources, then models with their last build, tests and freshness. */
export function lineageGraph(f: LineageFacts): WarehouseLineage {
  const state = new Map(f.state.map((s) => [s.name, s]));
  const fresh = new Map(f.freshness.map((s) => [s.dataset, s]));
  const results = new Map(f.tests.map((t) => [`${t.model}\u0000${t.test}`, t]));
  const freshnessOf = (dataset: string): LineageNode['freshness'] => {
    const s = fresh.get(dataset);
    return s ? { status: s.status as 'ok' | 'warn' | 'error', ageSeconds: s.measured, checkedAt: new Date(s.checked_at).toISOString() } : null;
  };
  const nodes: LineageNode[] = [];
  const sources = new Map<string, LineageNode>();
  const source = (relation: string, project: string | null, description: string | null) => {
    if (sources.has(relation)) return;
    const node: LineageNode = { id: `source:${relation}`, kind: 'source', name: relation, project, layer: 'source', materialized: null, description, lastRun: null, tests: [], freshness: freshnessOf(relation) };
    sources.set(relation, node);
  };
  for (const s of f.sources) source(s.relation, s.project, s.description);
  // What a model reads that no project declared is the platform's own (`events`, `prediction_log`).
  for (const m of f.models) for (const input of m.inputs) source(input, null, null);
  nodes.push(...[...sources.values()].sort((a, b) => a.name.localeCompare(b.name)));

  const edges: WarehouseLineage['edges'] = [];
  for (const m of f.models) {
    const s = state.get(m.name);
    nodes.push({
      id: `model:${m.name}`,
      kind: 'model',
      name: m.name,
      project: m.project,
      layer: m.layer,
      materialized: m.materialized,
      description: m.description,
      lastRun: s?.last_status ? { runId: s.last_run_id, status: s.last_status, builtAt: iso(s.last_built_at), rows: s.last_rows === null ? null : Number(s.last_rows) } : null,
      tests: m.tests.map((test) => {
        const r = results.get(`${m.name}\u0000${test}`);
        return { test, status: r ? (r.status as 'pass' | 'fail') : null, failures: r ? Number(r.failures) : null, ranAt: r ? iso(r.ran_at) : null };
      }),
      freshness: freshnessOf(m.name),
    });
    for (const input of m.inputs) edges.push({ from: `source:${input}`, to: `model:${m.name}` });
    for (const dep of m.deps) edges.push({ from: `model:${dep}`, to: `model:${m.name}` });
  }
  return { nodes, edges };
}
