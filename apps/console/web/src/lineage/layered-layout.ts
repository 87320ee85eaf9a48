// A layered (Sugiyama-style) layout of a directed acyclic graph, for the lineage graph: each node in
// the column of its longest path from a root, the order within each column chosen by barycenters
// (the mean position of a node's neighbours) swept left-right and back, which removes most edge
// crossings of small DAGs such as a warehouse's models. Pure and deterministic: same graph, same
// picture. (dagre does this and more; this keeps the bundle free of a dependency for a few dozen nodes.)

/** A map's value that the layout put there itself (a missing one is a bug here, not bad input). */
function must<K, V>(m: ReadonlyMap<K, V>, k: K): V {
  const v = m.get(k);
  if (v === undefined) throw new Error(`layout: no entry for ${String(k)}`);
  return v;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface LayoutOptions {
  nodeWidth: number;
  nodeHeight: number;
  columnGap: number;
  rowGap: number;
  /** Sweeps of barycenter ordering (each one left-to-right and right-to-left). */
  sweeps?: number;
}

export interface PlacedNode {
  id: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: PlacedNode[];
  /** Edges between placed nodes, from the right side of one box to the left side of the other. */
  edges: Array<LayoutEdge & { x1: number; y1: number; x2: number; y2: number }>;
  width: number;
  height: number;
}

/**
 * Columns by longest path from the roots. Edges that would close a cycle (none in a valid model DAG)
 * are ignored rather than looped on. Nodes are taken in the given order, so ties keep it.
 */
export function columnsOf(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, number> {
  const known = new Set(ids);
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) if (known.has(e.from) && known.has(e.to) && e.from !== e.to) must(preds, e.to).push(e.from);
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const done = column.get(id);
    if (done !== undefined) return done;
    if (visiting.has(id)) return -1; // a cycle: this edge does not push the column
    visiting.add(id);
    let c = 0;
    for (const p of must(preds, id)) c = Math.max(c, visit(p) + 1);
    visiting.delete(id);
    column.set(id, c);
    return c;
  };
  for (const id of ids) visit(id);
  return column;
}

/** How many pairs of edges cross between adjacent columns for the given rows. */
export function crossings(edges: readonly LayoutEdge[], column: ReadonlyMap<string, number>, row: ReadonlyMap<string, number>): number {
  const spans = edges.filter((e) => column.has(e.from) && column.has(e.to) && must(column, e.to) === must(column, e.from) + 1);
  let n = 0;
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i];
      const b = spans[j];
      if (column.get(a.from) !== column.get(b.from)) continue;
      const d1 = must(row, a.from) - must(row, b.from);
      const d2 = must(row, a.to) - must(row, b.to);
      if (d1 * d2 < 0) n++;
    }
  }
  return n;
}

export function layeredLayout(ids: readonly string[], edges: readonly LayoutEdge[], o: LayoutOptions): Layout {
  const column = columnsOf(ids, edges);
  const columns: string[][] = [];
  for (const id of ids) (columns[must(column, id)] ??= []).push(id);
  const neighbours = (id: string, side: 'in' | 'out') =>
    edges.filter((e) => (side === 'in' ? e.to === id : e.from === id) && column.has(e.from) && column.has(e.to)).map((e) => (side === 'in' ? e.from : e.to));
  const row = new Map<string, number>();
  const renumber = () => columns.forEach((c) => c.forEach((id, i) => row.set(id, i)));
  renumber();
  const order = (c: number, side: 'in' | 'out') => {
    const key = new Map<string, number>();
    for (const id of columns[c]) {
      const ns = neighbours(id, side).filter((n) => column.get(n) === c + (side === 'in' ? -1 : 1));
      // No neighbour on that side: keep its place.
      key.set(id, ns.length ? ns.reduce((s, n) => s + must(row, n), 0) / ns.length : must(row, id));
    }
    columns[c].sort((a, b) => must(key, a) - must(key, b) || must(row, a) - must(row, b));
    columns[c].forEach((id, i) => row.set(id, i));
  };
  let best = new Map(row);
  let fewest = crossings(edges, column, row);
  for (let s = 0; s < (o.sweeps ?? 4) && fewest > 0; s++) {
    for (let c = 1; c < columns.length; c++) order(c, 'in');
    for (let c = columns.length - 2; c >= 0; c--) order(c, 'out');
    const n = crossings(edges, column, row);
    if (n < fewest) {
      fewest = n;
      best = new Map(row);
    }
  }
  const tallest = Math.max(0, ...columns.map((c) => c.length));
  const height = tallest * o.nodeHeight + Math.max(0, tallest - 1) * o.rowGap;
  const nodes: PlacedNode[] = ids.map((id) => {
    const c = must(column, id);
    const r = must(best, id);
    // Each column centred vertically against the tallest.
    const own = columns[c].length * o.nodeHeight + (columns[c].length - 1) * o.rowGap;
    return { id, column: c, row: r, x: c * (o.nodeWidth + o.columnGap), y: (height - own) / 2 + r * (o.nodeHeight + o.rowGap) };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const placed = edges.filter((e) => at.has(e.from) && at.has(e.to) && e.from !== e.to);
  return {
    nodes,
    edges: placed.map((e) => {
      const a = must(at, e.from);
      const b = must(at, e.to);
      return { ...e, x1: a.x + o.nodeWidth, y1: a.y + o.nodeHeight / 2, x2: b.x, y2: b.y + o.nodeHeight / 2 };
    }),
    width: columns.length * o.nodeWidth + Math.max(0, columns.length - 1) * o.columnGap,
    height,
  };
}
