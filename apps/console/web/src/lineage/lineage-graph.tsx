import { useMemo } from 'react';
import { layeredLayout } from './layered-layout';
import type { LineageBox, LineageKind } from './lineage-graph-model';

// Narrow enough that five columns (source to model) fit a wide page without scrolling.
const BOX = { nodeWidth: 224, nodeHeight: 46, columnGap: 40, rowGap: 14 };
const KIND_LABEL: Record<LineageKind, string> = { source: 'source', staging: 'staging', marts: 'mart', feature_view: 'feature view', feature_service: 'feature service', model: 'model' };

/**
 * The lineage as an SVG: one box per source, warehouse model, feature view, feature service and
 * trained model, laid out in columns by
 * layered-layout.ts, coloured by kind, with the status dot of its build, tests and freshness. A box
 * is a button: choosing it shows its details beside the graph.
 */
export function LineageGraph({ boxes, edges, selected, onSelect }: { boxes: LineageBox[]; edges: Array<{ from: string; to: string }>; selected: string | null; onSelect: (id: string) => void }) {
  const layout = useMemo(() => layeredLayout(boxes.map((b) => b.id), edges, BOX), [boxes, edges]);
  const byId = useMemo(() => new Map(boxes.map((b) => [b.id, b])), [boxes]);
  const pad = 8;
  const near = selected ? new Set(edges.filter((e) => e.from === selected || e.to === selected).flatMap((e) => [e.from, e.to])) : null;
  return (
    <div className="lineage-scroll">
      <svg
        className="lineage"
        role="group"
        aria-label="Lineage: sources, staging models, marts, feature views, feature services and models"
        data-nodes={layout.nodes.length}
        data-edges={layout.edges.length}
        width={layout.width + 2 * pad}
        height={layout.height + 2 * pad}
        viewBox={`${-pad} ${-pad} ${layout.width + 2 * pad} ${layout.height + 2 * pad}`}
      >
        <defs>
          <marker id="lineage-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L8,4 L0,8 z" className="lineage-arrowhead" />
          </marker>
        </defs>
        {layout.edges.map((e) => {
          const mid = (e.x1 + e.x2) / 2;
          const lit = selected !== null && (e.from === selected || e.to === selected);
          return <path key={`${e.from}>${e.to}`} className={lit ? 'lineage-edge lit' : 'lineage-edge'} data-from={e.from} data-to={e.to} d={`M${e.x1},${e.y1} C${mid},${e.y1} ${mid},${e.y2} ${e.x2},${e.y2}`} markerEnd="url(#lineage-arrow)" />;
        })}
        {layout.nodes.map((n) => {
          const b = byId.get(n.id);
          if (!b) return null;
          const dim = near !== null && !near.has(n.id);
          return (
            <g
              key={n.id}
              transform={`translate(${n.x},${n.y})`}
              className={`lineage-node kind-${b.kind}${selected === n.id ? ' selected' : ''}${dim ? ' dim' : ''}`}
              role="button"
              tabIndex={0}
              aria-label={`${KIND_LABEL[b.kind]} ${b.name}: ${b.status}, ${b.why.join(', ')}`}
              aria-pressed={selected === n.id}
              data-lineage-node={b.name}
              data-lineage-kind={b.kind}
              data-lineage-id={b.id}
              data-status={b.status}
              onClick={() => onSelect(n.id)}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter' || ev.key === ' ') {
                  ev.preventDefault();
                  onSelect(n.id);
                }
              }}
            >
              <rect width={BOX.nodeWidth} height={BOX.nodeHeight} rx={6} />
              <circle cx={14} cy={BOX.nodeHeight / 2} r={5} className={`lineage-dot dot-${b.status}`} />
              <text x={26} y={19} className="lineage-name">
                {b.name.length > 26 ? `${b.name.slice(0, 25)}…` : b.name}
              </text>
              <text x={26} y={35} className="lineage-kind">
                {KIND_LABEL[b.kind]}
                {b.why[0] ? ` · ${b.why[0]}` : ''}
              </text>
              <title>{`${b.name} (${KIND_LABEL[b.kind]}${b.project ? `, ${b.project}` : ''}): ${b.why.join(', ')}`}</title>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
