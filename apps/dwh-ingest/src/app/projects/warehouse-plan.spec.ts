import type { WarehouseApplyRequest, WarehouseModelDefinition } from '@mlp/contracts';
import { analyseRequest, checkModelColumns, definitionSha, diffObjects, type StoredObject } from './warehouse-plan';

const view = (name: string, sql: string, over: Partial<WarehouseModelDefinition> = {}): WarehouseModelDefinition => ({ name, layer: 'staging', materialized: 'view', sql, ...over });
const stored = (project: string, kind: StoredObject['kind'], name: string, definition: unknown): StoredObject => ({ kind, name, project, definition, definition_sha256: definitionSha(definition) });
const codes = (a: Awaited<ReturnType<typeof analyseRequest>>) => a.violations.map((v) => [v.path, v.code]);

describe('planning warehouse definitions', () => {
  it('derives model dependencies from the SQL: models of any project, sources, events', async () => {
    const other = stored('team-b', 'model', 'b_users', view('b_users', 'SELECT 1 AS user_id'));
    const req: WarehouseApplyRequest = {
      project: 'team-a',
      sources: [{ name: 'spend', columns: [{ name: 'x', type: 'text' }] }],
      models: [view('a2', 'SELECT * FROM a1 JOIN dwh.b_users USING (user_id)'), view('a1', 'SELECT user_id FROM events UNION SELECT x FROM src_spend')],
    };
    const a = await analyseRequest(req, [other]);
    expect(a.violations).toEqual([]);
    const byName = new Map(a.models.map((m) => [m.name, m]));
    expect(byName.get('a2')).toMatchObject({ deps: ['a1', 'b_users'], inputs: [] });
    expect(byName.get('a1')).toMatchObject({ deps: [], inputs: ['events', 'src_spend'] });
  });

  it('finds unknown relations, cycles, misplaced windows and reserved names, each at its JSON path', async () => {
    const req: WarehouseApplyRequest = {
      project: 'team-a',
      models: [
        view('x', 'SELECT * FROM y'),
        view('y', 'SELECT * FROM x'),
        view('z', 'SELECT * FROM nowhere'),
        view('w', 'SELECT * FROM events WHERE loaded_at >= {{from}}'),
        view('outbox', 'SELECT 1 AS a'),
        { ...view('inc', 'SELECT 1 AS a FROM events'), materialized: 'incremental' },
      ],
    };
    expect(codes(await analyseRequest(req, []))).toEqual([
      ['$.models[3].sql', 'INVALID_MODEL'],
      ['$.models[4].name', 'INVALID_MODEL'],
      ['$.models[5].unique_key', 'INVALID_MODEL'],
      ['$.models[5].sql', 'INVALID_MODEL'],
      ['$.models[2].sql', 'SQL_UNKNOWN_RELATION'],
      ['$.models[0].sql', 'MODEL_CYCLE'],
      ['$.models[1].sql', 'MODEL_CYCLE'],
    ]);
  });

  it('publishes marts as mart_*: a marts model must be named so, and a mart_ name must be a mart', async () => {
    const req: WarehouseApplyRequest = {
      project: 'team-a',
      models: [view('users', 'SELECT 1 AS a', { layer: 'marts' }), view('mart_users', 'SELECT 1 AS a'), view('mart_ok', 'SELECT 1 AS a', { layer: 'marts' })],
    };
    expect(codes(await analyseRequest(req, []))).toEqual([
      ['$.models[0].name', 'INVALID_MODEL'],
      ['$.models[1].layer', 'INVALID_MODEL'],
    ]);
  });

  it('reports names owned by another project, and refuses to remove what another project reads', async () => {
    const spend = { name: 'spend', columns: [{ name: 'x', type: 'text' as const }] };
    const owned = await analyseRequest({ project: 'team-b', sources: [spend] }, [stored('team-a', 'source', 'spend', spend)]);
    expect(owned.conflicts).toEqual([{ kind: 'source', name: 'spend', owner: 'team-a', path: '$.sources[0]' }]);

    const state = [stored('team-a', 'source', 'spend', spend), stored('team-b', 'model', 'b', view('b', 'SELECT x FROM src_spend'))];
    const pruned = await analyseRequest({ project: 'team-a', prune: true }, state);
    expect(pruned.violations).toEqual([expect.objectContaining({ path: '$', code: 'OBJECT_IN_USE', message: expect.stringMatching(/model b of project team-b/) })]);
    // Without prune the source stays, so nothing breaks.
    expect((await analyseRequest({ project: 'team-a' }, state)).violations).toEqual([]);
  });

  it('checks source columns: constraints fit their types, keys and freshness columns exist', async () => {
    const a = await analyseRequest(
      {
        project: 'team-a',
        sources: [
          {
            name: 's',
            columns: [
              { name: 'n', type: 'integer', pattern: '^x$' },
              { name: 't', type: 'text', minimum: 1, pattern: '(' },
              { name: 'loaded_at', type: 'timestamptz' },
            ],
            primary_key: ['id'],
            freshness: { column: 't', warn_after: '1h', error_after: '2h' },
          },
        ],
        full_refresh: ['ghost'],
      },
      [],
    );
    expect(codes(a)).toEqual([
      ['$.sources[0].columns[0].pattern', 'INVALID_SOURCE'],
      ['$.sources[0].columns[1].minimum', 'INVALID_SOURCE'],
      ['$.sources[0].columns[1].pattern', 'INVALID_SOURCE'],
      ['$.sources[0].columns[2].name', 'INVALID_SOURCE'],
      ['$.sources[0].primary_key[0]', 'INVALID_SOURCE'],
      ['$.sources[0].freshness.column', 'INVALID_SOURCE'],
      ['$.full_refresh[0]', 'UNKNOWN_NAME'],
    ]);
  });

  it('lets outcomes and KPIs read only published marts, dwh-qualified', async () => {
    const a = await analyseRequest(
      {
        project: 'team-a',
        models: [view('stg', 'SELECT 1 AS user_id'), view('mart_x', 'SELECT user_id FROM stg', { layer: 'marts' })],
        outcomes: [{ model: 'churn', sql: 'SELECT user_id, 1 AS y FROM dwh.mart_x', keys: ['user_id'], label_column: 'y', timestamp_column: 'at' }],
        kpis: [{ name: 'k', sql: 'SELECT * FROM dwh.stg' }, { name: 'k2', sql: 'SELECT * FROM mart_x' }],
      },
      [],
    );
    expect(codes(a)).toEqual([
      ['$.outcomes[0].horizon', 'INVALID_OUTCOME'],
      ['$.kpis[0].sql', 'SQL_UNKNOWN_RELATION'],
      ['$.kpis[1].sql', 'SQL_UNKNOWN_RELATION'],
    ]);
  });

  it('checks keys, indexes, tests and freshness against the columns PostgreSQL derived', () => {
    const m: WarehouseModelDefinition = {
      ...view('m', 'SELECT ...'),
      materialized: 'table',
      unique_key: ['id'],
      indexes: [['day']],
      freshness: { column: 'name', warn_after: '1h', error_after: '1d' },
      tests: [{ kind: 'not_null', column: 'ghost' }],
    };
    const problems = checkModelColumns(m, '$.models[0]', [
      { name: 'id', type: 'text' },
      { name: 'name', type: 'text' },
      { name: '?column?', type: 'integer' },
    ]);
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['$.models[0].sql', 'INVALID_MODEL'],
      ['$.models[0].indexes[0][0]', 'UNKNOWN_COLUMN'],
      ['$.models[0].freshness.column', 'INVALID_MODEL'],
      ['$.models[0].tests[0].column', 'UNKNOWN_COLUMN'],
    ]);
  });

  it('diffs the request against the stored definitions: created, changed with its fields, unchanged, and removed only when pruning', () => {
    const a = view('a', 'SELECT 1 AS x');
    const b = view('b', 'SELECT 2 AS x');
    const own = [stored('p', 'model', 'a', a), stored('p', 'model', 'b', b), stored('p', 'kpi', 'old', { name: 'old', sql: 'SELECT 1 AS value' })];
    const req: WarehouseApplyRequest = { project: 'p', models: [a, { ...b, sql: 'SELECT 3 AS x', description: 'three' }, view('c', 'SELECT 1 AS y')] };
    expect(diffObjects(req, own)).toEqual({
      created: [{ kind: 'model', name: 'c', changes: [] }],
      changed: [{ kind: 'model', name: 'b', fields: ['description', 'sql'], changes: [] }],
      removed: [],
      unchanged: [{ kind: 'model', name: 'a' }],
    });
    expect(diffObjects({ ...req, prune: true }, own).removed).toEqual([{ kind: 'kpi', name: 'old', changes: [] }]);
    // Key order does not make a change.
    expect(diffObjects({ project: 'p', models: [{ sql: a.sql, materialized: 'view', layer: 'staging', name: 'a' }] }, own).unchanged).toEqual([{ kind: 'model', name: 'a' }]);
  });
});
