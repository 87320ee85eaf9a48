/** The model graph as plain data: each model with the models it reads (derived from its SQL). */
export interface DagNode {
  name: string;
  deps: readonly string[];
}

/** The models on a cycle (empty when there is none). */
export function cycleMembers<T extends DagNode>(nodes: readonly T[]): string[] {
  try {
    topologicalOrder(nodes);
    return [];
  } catch (err) {
    return (err as CycleError).members ?? [];
  }
}

export class CycleError extends Error {
  constructor(readonly members: string[]) {
    super(`the model graph has a cycle through ${members.join(', ')}`);
  }
}

/**
 * Dependency order (Kahn), ties broken by the given order so runs are reproducible. Dependencies
 * outside the set (already-published relations) do not constrain the order.
 */
export function topologicalOrder<T extends DagNode>(nodes: readonly T[]): T[] {
  const names = new Set(nodes.map((m) => m.name));
  const indegree = new Map(nodes.map((m) => [m.name, new Set(m.deps.filter((d) => names.has(d) && d !== m.name)).size]));
  const order: T[] = [];
  const done = new Set<string>();
  const ready = nodes.filter((m) => indegree.get(m.name) === 0);
  while (ready.length) {
    const m = ready.shift() as T;
    order.push(m);
    done.add(m.name);
    for (const child of nodes) {
      if (done.has(child.name) || !child.deps.includes(m.name) || child.name === m.name) continue;
      const left = (indegree.get(child.name) ?? 0) - 1;
      indegree.set(child.name, left);
      if (left === 0) ready.push(child);
    }
  }
  if (order.length !== nodes.length) throw new CycleError(nodes.filter((m) => !done.has(m.name)).map((m) => m.name));
  return order;
}

/** The selected models and everything downstream of them, in dependency order. */
export function selectWithDownstream<T extends DagNode>(nodes: readonly T[], selected: readonly string[]): T[] {
  const keep = new Set(selected);
  const order = topologicalOrder(nodes);
  for (const m of order) if (m.deps.some((d) => keep.has(d))) keep.add(m.name);
  return order.filter((m) => keep.has(m.name));
}
