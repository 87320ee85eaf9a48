import type { WarehouseLineage } from '@mlp/client';
import type { Rag } from '../components';

type DwhNode = WarehouseLineage['nodes'][number];

/** A feature view as the lineage needs it: what it reads in the warehouse, and whether that runs. */
export interface ViewSource {
  name: string;
  version: number;
  project: string | null;
  sourceStatus: string | undefined;
  /** `dwh.mart_orders` */
  relations: string[];
}

export type LineageKind = 'source' | 'staging' | 'marts' | 'feature_view' | 'feature_service' | 'model';

export interface LineageBox {
  id: string;
  name: string;
  kind: LineageKind;
  project: string | null;
  /** The box's dot: its last build, test results and freshness together (worst wins). */
  status: Rag;
  /** Why, in a few words: "built 3 min ago · 2/2 tests · fresh". */
  why: string[];
  dwh?: DwhNode;
  view?: ViewSource;
  /** A feature service (model-lineage.ts). */
  service?: { name: string; project: string | null; features: string[] };
  /** A model trained on a feature service, with what serving loaded for it (model-lineage.ts). */
  model?: { name: string; featureService: string; task: string; latestVersion: number | null; champion: number | null; challenger: number | null; served: { champion: number | null; lastError: string | null } | null | undefined };
}

const RANK: Record<Rag, number> = { green: 0, unknown: 1, amber: 2, red: 3 };
const worst = (a: Rag, b: Rag): Rag => (RANK[b] > RANK[a] ? b : a);

/** The status of one warehouse node from its last build, its tests and its freshness. */
export function nodeStatus(n: DwhNode): { status: Rag; why: string[] } {
  const why: string[] = [];
  let status: Rag = n.kind === 'source' ? 'green' : 'unknown';
  if (n.kind === 'model') {
    if (!n.lastRun) why.push('never built');
    else if (n.lastRun.status === 'success') {
      status = 'green';
      why.push(n.lastRun.rows === null ? 'built' : `built, ${n.lastRun.rows} rows`);
    } else {
      status = 'red';
      why.push(`last build ${n.lastRun.status}`);
    }
  }
  if (n.tests.length) {
    const failedError = n.tests.filter((t) => t.status === 'fail' && t.test.endsWith('[error]')).length;
    const failedWarn = n.tests.filter((t) => t.status === 'fail' && !t.test.endsWith('[error]')).length;
    const passed = n.tests.filter((t) => t.status === 'pass').length;
    why.push(`${passed}/${n.tests.length} tests pass`);
    if (failedError) status = worst(status, 'red');
    else if (failedWarn) status = worst(status, 'amber');
  }
  if (n.freshness) {
    why.push(n.freshness.status === 'ok' ? 'fresh' : `freshness ${n.freshness.status}`);
    status = worst(status, n.freshness.status === 'ok' ? 'green' : n.freshness.status === 'warn' ? 'amber' : 'red');
  }
  return { status, why };
}

/**
 * The whole lineage: the warehouse's sources and models (dwh-ingest `GET /v1/lineage`) and the
 * feature views reading its marts (feature-store), with edges from what is read to what reads it.
 * A view reading a relation the warehouse does not list keeps it as a source of its own.
 */
export function lineageBoxes(dwh: WarehouseLineage, views: ViewSource[]): { boxes: LineageBox[]; edges: Array<{ from: string; to: string }> } {
  const boxes: LineageBox[] = dwh.nodes.map((n) => ({ id: n.id, name: n.name, kind: n.kind === 'source' ? 'source' : (n.layer as 'staging' | 'marts'), project: n.project, dwh: n, ...nodeStatus(n) }));
  const byName = new Map(dwh.nodes.map((n) => [n.name, n.id]));
  const edges = [...dwh.edges];
  for (const v of views) {
    const id = `view:${v.name}`;
    const ready = v.sourceStatus === 'READY';
    boxes.push({ id, name: v.name, kind: 'feature_view', project: v.project, view: v, status: ready ? 'green' : v.sourceStatus === undefined ? 'unknown' : 'red', why: [`v${v.version}`, v.sourceStatus ? `source ${v.sourceStatus.toLowerCase().replace('_', ' ')}` : 'source unknown'] });
    for (const relation of v.relations) {
      const name = relation.replace(/^dwh\./, '');
      let from = byName.get(name);
      if (!from) {
        from = `source:${name}`;
        byName.set(name, from);
        boxes.push({ id: from, name, kind: 'source', project: null, status: 'unknown', why: ['not in the warehouse lineage'] });
      }
      edges.push({ from, to: id });
    }
  }
  return { boxes, edges };
}
