import { columnsOf, crossings, layeredLayout, type LayoutEdge } from './layered-layout';

const opts = { nodeWidth: 100, nodeHeight: 40, columnGap: 60, rowGap: 20 };
const e = (from: string, to: string): LayoutEdge => ({ from, to });

describe('the layered layout of the lineage graph', () => {
  // sources -> staging -> marts -> feature views, with a mart reading a source directly.
  const ids = ['src_orders', 'events', 'src_spend', 'stg_events', 'stg_orders', 'mart_orders', 'mart_spend', 'fv_orders'];
  const edges = [
    e('events', 'stg_events'),
    e('stg_events', 'stg_orders'),
    e('src_orders', 'stg_orders'),
    e('stg_orders', 'mart_orders'),
    e('src_spend', 'mart_spend'),
    e('mart_orders', 'fv_orders'),
    e('mart_spend', 'fv_orders'),
  ];

  it('puts each node one column right of the furthest thing it reads', () => {
    const c = columnsOf(ids, edges);
    expect(Object.fromEntries(c)).toEqual({ src_orders: 0, events: 0, src_spend: 0, stg_events: 1, stg_orders: 2, mart_orders: 3, mart_spend: 1, fv_orders: 4 });
    for (const edge of edges) expect(c.get(edge.to) ?? -1).toBeGreaterThan(c.get(edge.from) ?? Infinity);
  });

  it('orders each column so that edges do not cross where the input order made them cross', () => {
    // Listed crosswise: a->y, b->x with a above b and x above y.
    const crossIds = ['a', 'b', 'x', 'y'];
    const crossEdges = [e('a', 'y'), e('b', 'x')];
    const naiveRow = new Map([['a', 0], ['b', 1], ['x', 0], ['y', 1]]);
    const column = columnsOf(crossIds, crossEdges);
    expect(crossings(crossEdges, column, naiveRow)).toBe(1);
    const layout = layeredLayout(crossIds, crossEdges, opts);
    const row = new Map(layout.nodes.map((n) => [n.id, n.row]));
    expect(crossings(crossEdges, column, row)).toBe(0);
  });

  it('places boxes without overlap, edges from the right side of one box to the left of the next, deterministically', () => {
    const layout = layeredLayout(ids, edges, opts);
    const boxes = layout.nodes;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const apart = a.x + opts.nodeWidth <= b.x || b.x + opts.nodeWidth <= a.x || a.y + opts.nodeHeight <= b.y || b.y + opts.nodeHeight <= a.y;
        expect(apart).toBe(true);
      }
    }
    expect(layout.width).toBe(5 * 100 + 4 * 60);
    expect(layout.height).toBe(3 * 40 + 2 * 20);
    const fv = boxes.find((n) => n.id === 'fv_orders');
    const mart = boxes.find((n) => n.id === 'mart_orders');
    expect(layout.edges.find((x) => x.from === 'mart_orders' && x.to === 'fv_orders')).toEqual(expect.objectContaining({ x1: (mart?.x ?? NaN) + 100, y1: (mart?.y ?? NaN) + 20, x2: fv?.x, y2: (fv?.y ?? NaN) + 20 }));
    expect(layeredLayout(ids, edges, opts)).toEqual(layout);
  });

  it('survives a cycle and edges to unknown nodes instead of looping', () => {
    const layout = layeredLayout(['a', 'b'], [e('a', 'b'), e('b', 'a'), e('a', 'ghost')], opts);
    expect(layout.nodes.map((n) => n.id)).toEqual(['a', 'b']);
    expect(layout.edges).toHaveLength(2);
  });
});
