import { cycleMembers, selectWithDownstream, topologicalOrder, type DagNode } from './model-dag';

const m = (name: string, deps: string[] = []): DagNode => ({ name, deps });

describe('the model DAG', () => {
  it('orders models after their dependencies, ignoring relations outside the graph', () => {
    expect(topologicalOrder([m('c', ['b']), m('a', ['src_x']), m('b', ['a', 'events'])]).map((x) => x.name)).toEqual(['a', 'b', 'c']);
  });

  it('finds the models on a cycle', () => {
    expect(() => topologicalOrder([m('a', ['b']), m('b', ['a'])])).toThrow(/cycle through a, b/);
    expect(cycleMembers([m('x'), m('a', ['b']), m('b', ['c']), m('c', ['a'])])).toEqual(['a', 'b', 'c']);
    expect(cycleMembers([m('a'), m('b', ['a'])])).toEqual([]);
  });

  it('selects a model with everything downstream of it', () => {
    const models = [m('a'), m('b', ['a']), m('c', ['b']), m('d')];
    expect(selectWithDownstream(models, ['b']).map((x) => x.name)).toEqual(['b', 'c']);
  });
});
