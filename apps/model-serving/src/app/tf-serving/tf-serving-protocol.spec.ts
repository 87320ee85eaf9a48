import { baselineArtifact } from '../../testing/model-fixtures';
import { tfServingToV2, v2ToTfServing } from './tf-serving-protocol';

const artifact = baselineArtifact('churn', 1);
/** A model of one raw feature: TF-Serving lets its instances be bare values. */
const single = {
  ...artifact,
  preprocessing: { outputWidth: 2, features: artifact.preprocessing.features.slice(0, 1) },
  signature: { ...artifact.signature, inputs: artifact.signature.inputs.slice(0, 1) },
};

describe('TF-Serving conversion', () => {
  it('turns bare instances of a single-input model into its one raw feature tensor', () => {
    expect(tfServingToV2({ instances: [3, 1] }, single)).toEqual({
      format: 'row',
      v2: { inputs: [{ name: 'user_activity:orders_7d', datatype: 'INT64', shape: [2], data: [3, 1] }] },
    });
    expect(() => tfServingToV2({ instances: [3, 1] }, artifact)).toThrow(/several inputs/);
  });

  it('turns named instances and columnar inputs into one tensor per name', () => {
    const rows = tfServingToV2({ instances: [{ 'user_profile:plan': 'pro', 'user_activity:orders_7d': 3 }, { 'user_profile:plan': 'free', 'user_activity:orders_7d': 1 }] }, artifact);
    expect(rows.v2['inputs']).toEqual([
      { name: 'user_profile:plan', datatype: 'BYTES', shape: [2], data: ['pro', 'free'] },
      { name: 'user_activity:orders_7d', datatype: 'INT64', shape: [2], data: [3, 1] },
    ]);
    const cols = tfServingToV2({ inputs: { 'user_activity:revenue_7d': [2.5, null], 'user_profile:plan': ['pro', 'free'] } }, artifact);
    expect(cols).toEqual({
      format: 'columnar',
      v2: {
        inputs: [
          { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [2], data: [2.5, null] },
          { name: 'user_profile:plan', datatype: 'BYTES', shape: [2], data: ['pro', 'free'] },
        ],
      },
    });
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
  it('answers a multiclass model per row as {probabilities, label} (instances) or per output (inputs)', () => {
    const out = [
      { name: 'probabilities', datatype: 'FP32' as const, shape: [2, 3], data: [0.25, 0.5, 0.25, 0.75, 0.125, 0.125] },
      { name: 'label', datatype: 'BYTES' as const, shape: [2], data: ['cat', 'bird'] },
    ];
    expect(v2ToTfServing(out, 'row')).toEqual({
      predictions: [
        { probabilities: [0.25, 0.5, 0.25], label: 'cat' },
        { probabilities: [0.75, 0.125, 0.125], label: 'bird' },
      ],
    });
    expect(v2ToTfServing(out, 'columnar')).toEqual({ outputs: { probabilities: [[0.25, 0.5, 0.25], [0.75, 0.125, 0.125]], label: ['cat', 'bird'] } });
  });
});
