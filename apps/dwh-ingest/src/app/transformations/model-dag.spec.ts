import { DemoModels } from './demo-models';
import { bindWindow, checkModels, selectWithDownstream, topologicalOrder, type ModelDefinition } from './model-dag';

const m = (name: string, deps: string[] = [], over: Partial<ModelDefinition> = {}): ModelDefinition => ({
  name,
  layer: 'staging',
  description: name,
  materialized: 'view',
  deps,
  sql: 'SELECT 1',
  tests: [],
  ...over,
});

describe('the model DAG', () => {
  it('accepts the demo warehouse models', () => {
    expect(checkModels(DemoModels)).toEqual([]);
  });

  it('orders models after their dependencies and finds cycles', () => {
    expect(topologicalOrder([m('c', ['b']), m('a'), m('b', ['a'])]).map((x) => x.name)).toEqual(['a', 'b', 'c']);
    expect(() => topologicalOrder([m('a', ['b']), m('b', ['a'])])).toThrow(/cycle through a, b/);
    expect(checkModels([m('a', ['b']), m('b', ['a'])])).toEqual(['the model graph has a cycle through a, b']);
  });

  it('selects a model with everything downstream of it', () => {
    const models = [m('a'), m('b', ['a']), m('c', ['b']), m('d')];
    expect(selectWithDownstream(models, ['b']).map((x) => x.name)).toEqual(['b', 'c']);
  });

  it('refuses unsafe names, unknown dependencies and incomplete incremental models', () => {
    expect(checkModels([m('Robert"); DROP TABLE x; --')])).toEqual([expect.stringMatching(/is not an identifier/)]);
    expect(checkModels([m('a', ['ghost'])])).toEqual(['a depends on unknown model ghost']);
    const inc = m('inc', [], { materialized: 'incremental', columns: [{ name: 'id', type: 'text' }], sql: 'SELECT id FROM t' });
    expect(checkModels([inc])).toEqual([
      'inc is incremental without a unique key',
      'inc is incremental without a watermark column',
      'inc is incremental but its SQL does not filter on {{from}}/{{to}}',
    ]);
    expect(checkModels([m('t', [], { materialized: 'table', columns: [{ name: 'id', type: 'text; drop' }] })])).toEqual([
      't has an invalid column id text; drop',
    ]);
  });

  it('binds the incremental window as typed parameters', () => {
    expect(bindWindow('x >= {{from}} AND x < {{to}}')).toBe('x >= $1::timestamptz AND x < $2::timestamptz');
  });
});
