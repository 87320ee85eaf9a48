import type { WarehouseLineage } from '@mlp/client';
import { lineageBoxes, nodeStatus } from './lineage-graph-model';

type N = WarehouseLineage['nodes'][number];
const model = (over: Partial<N>): N => ({ id: 'model:m', kind: 'model', name: 'm', project: 'p', layer: 'marts', materialized: 'table', description: null, lastRun: null, tests: [], freshness: null, ...over });

describe('the lineage graph of the warehouse page', () => {
  it('colours a model by its worst signal: build, error tests, warn tests, freshness', () => {
    const built = { runId: 'r', status: 'success', builtAt: '2026-12-07T10:00:00.000Z', rows: 12 };
    expect(nodeStatus(model({}))).toEqual({ status: 'unknown', why: ['never built'] });
    expect(nodeStatus(model({ lastRun: built }))).toEqual({ status: 'green', why: ['built, 12 rows'] });
    expect(nodeStatus(model({ lastRun: { ...built, status: 'failed' } })).status).toBe('red');
    const warnFails = [{ test: 'unique(id) [error]', status: 'pass' as const, failures: 0, ranAt: null }, { test: 'accepted_values(x) [warn]', status: 'fail' as const, failures: 2, ranAt: null }];
    expect(nodeStatus(model({ lastRun: built, tests: warnFails }))).toEqual({ status: 'amber', why: ['built, 12 rows', '1/2 tests pass'] });
    expect(nodeStatus(model({ lastRun: built, tests: [{ ...warnFails[0], status: 'fail' }] })).status).toBe('red');
    expect(nodeStatus(model({ lastRun: built, freshness: { status: 'error', ageSeconds: 9e4, checkedAt: '2026-12-07T10:00:00.000Z' } })).status).toBe('red');
  });

  it('adds the feature views reading marts, with edges from the marts they read', () => {
    const dwh: WarehouseLineage = {
      nodes: [
        { ...model({ id: 'source:src_a', kind: 'source', name: 'src_a', layer: 'source', materialized: null }) },
        model({ id: 'model:mart_a', name: 'mart_a' }),
      ],
      edges: [{ from: 'source:src_a', to: 'model:mart_a' }],
    };
    const { boxes, edges } = lineageBoxes(dwh, [
      { name: 'fv_a', version: 2, project: 'p', sourceStatus: 'READY', relations: ['dwh.mart_a', 'dwh.mart_gone'] },
    ]);
    expect(boxes.map((b) => [b.id, b.kind, b.status])).toEqual([
      ['source:src_a', 'source', 'green'],
      ['model:mart_a', 'marts', 'unknown'],
      ['view:fv_a', 'feature_view', 'green'],
      ['source:mart_gone', 'source', 'unknown'],
    ]);
    expect(edges).toEqual([
      { from: 'source:src_a', to: 'model:mart_a' },
      { from: 'model:mart_a', to: 'view:fv_a' },
      { from: 'source:mart_gone', to: 'view:fv_a' },
    ]);
  });
});
