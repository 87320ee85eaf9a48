import type { Preprocessing } from '@mlp/contracts';
import { acceptsDatatype, rawInputSignature, signatureProblem } from './model-signature';

const p: Preprocessing = {
  outputWidth: 6,
  features: [
    { kind: 'numeric', name: 'color:r', mean: 120, std: 60, fill: 118, missingIndicator: false },
    { kind: 'numeric', name: 'color:ratio', mean: 0.5, std: 0.2, fill: 0.5, missingIndicator: true },
    { kind: 'numeric', name: 'color:bright', mean: 0.4, std: 0.5, fill: 0, missingIndicator: false },
    { kind: 'categorical', name: 'color:name', categories: ['red', 'blue'], oov: false },
  ],
};

describe('a model takes its raw features', () => {
  it('declares one [-1] input per raw feature, typed from the feature store types', () => {
    expect(rawInputSignature(p, { 'color:r': 'int64', 'color:ratio': 'float64', 'color:bright': 'bool', 'color:name': 'string' })).toEqual([
      { name: 'color:r', datatype: 'INT64', shape: [-1] },
      { name: 'color:ratio', datatype: 'FP64', shape: [-1] },
      { name: 'color:bright', datatype: 'BOOL', shape: [-1] },
      { name: 'color:name', datatype: 'BYTES', shape: [-1] },
    ]);
    // Without declared types numbers are FP64.
    expect(rawInputSignature(p)[0].datatype).toBe('FP64');
  });

  it('lets a numeric feature arrive in any numeric datatype and a categorical one only as BYTES', () => {
    expect(['INT64', 'INT32', 'FP32', 'FP64', 'BOOL'].every((d) => acceptsDatatype(p.features[0], d as never))).toBe(true);
    expect(acceptsDatatype(p.features[0], 'BYTES')).toBe(false);
    expect(acceptsDatatype(p.features[3], 'BYTES')).toBe(true);
    expect(acceptsDatatype(p.features[3], 'FP64')).toBe(false);
  });

  it('finds a signature that is not the raw features (a preprocessed tensor, another order, a wrong datatype)', () => {
    const inputs = rawInputSignature(p);
    expect(signatureProblem({ preprocessing: p, signature: { inputs, outputs: [] } })).toBeUndefined();
    expect(signatureProblem({ preprocessing: p, signature: { inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 6] }], outputs: [] } })).toMatch(/1 inputs for 4 raw features/);
    expect(signatureProblem({ preprocessing: p, signature: { inputs: [inputs[1], inputs[0], inputs[2], inputs[3]], outputs: [] } })).toMatch(/input 0 is color:ratio/);
    expect(signatureProblem({ preprocessing: p, signature: { inputs: [...inputs.slice(0, 3), { ...inputs[3], datatype: 'FP64' }], outputs: [] } })).toMatch(/categorical/);
    expect(signatureProblem({ preprocessing: p, signature: { inputs: [{ ...inputs[0], shape: [-1, 3] }, ...inputs.slice(1)], outputs: [] } })).toMatch(/\[-1\] or \[-1, 1\]/);
  });
});
