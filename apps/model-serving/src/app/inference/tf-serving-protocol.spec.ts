import { baselineArtifact } from '../../testing/model-fixtures';
import { tfServingToV2, v2ToTfServing } from './tf-serving-protocol';

const artifact = baselineArtifact('churn', 1);

describe('TF-Serving conversion', () => {
  it('turns instances of a single-input model into one batched tensor', () => {
    expect(tfServingToV2({ instances: [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]] }, artifact)).toEqual({
      format: 'row',
      v2: { inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 6], data: [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]] }] },
    });
  });

  it('turns named instances and columnar inputs into one tensor per name', () => {
    const rows = tfServingToV2({ instances: [{ 'user_profile:plan': 'pro', 'user_activity:orders_7d': 3 }, { 'user_profile:plan': 'free', 'user_activity:orders_7d': 1 }] }, artifact);
    expect(rows.v2['inputs']).toEqual([
      { name: 'user_profile:plan', datatype: 'BYTES', shape: [2], data: ['pro', 'free'] },
      { name: 'user_activity:orders_7d', datatype: 'FP64', shape: [2], data: [3, 1] },
    ]);
    const cols = tfServingToV2({ inputs: { features: [[0, 0, 0, 0, 0, 0]] } }, artifact);
    expect(cols).toEqual({ format: 'columnar', v2: { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 6], data: [[0, 0, 0, 0, 0, 0]] }] } });
  });

  it('refuses bodies with both or neither of instances and inputs, and ragged named instances', () => {
    expect(() => tfServingToV2({}, artifact)).toThrow(/exactly one/);
    expect(() => tfServingToV2({ instances: [[1]], inputs: [[1]] }, artifact)).toThrow(/exactly one/);
    expect(() => tfServingToV2({ instances: [{ a: 1 }, { b: 1 }] }, artifact)).toThrow(/same inputs/);
  });

  it('answers predictions per row or outputs per column', () => {
    const out = [{ name: 'probability', datatype: 'FP32' as const, shape: [2, 1], data: [0.1, 0.9] }];
    expect(v2ToTfServing(out, 'row')).toEqual({ predictions: [[0.1], [0.9]] });
    expect(v2ToTfServing(out, 'columnar')).toEqual({ outputs: [[0.1], [0.9]] });
  });
});
