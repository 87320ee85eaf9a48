import { baselineArtifact, demoTensors, demoVector } from '../../testing/model-fixtures';
import { assembleRows, TensorInputs } from './tensor-inputs';
import { parseInferRequest } from './v2-protocol';

const artifact = baselineArtifact('churn', 1);
const parse = (inputs: unknown[]) => parseInferRequest({ inputs }, { maxElements: 10000 }).inputs;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return `${(err as { status: number }).status} ${(err as { code: string }).code}`;
  }
  return 'ok';
};

describe('assembleRows: a request names the raw features, and the server preprocesses them', () => {
  it('runs the artifact preprocessing over the raw values, nulls filled as in training', () => {
    const raw = [
      { orders: 5, revenue: Math.expm1(3), plan: 'pro' },
      { orders: null, revenue: 0, plan: 'free' },
    ];
    const rows = assembleRows(artifact, parse(demoTensors(raw)), 100);
    expect(rows.rows).toBe(2);
    Array.from(rows.matrix).forEach((x, i) => expect(x).toBeCloseTo(raw.flatMap(demoVector)[i], 5));
    // The log and drift see the raw values, not the model vector: the columns in the model's feature order.
    expect(rows.columns).toEqual([[5, null], [Math.expm1(3), 0], ['pro', 'free']]);
  });

  it('takes [n] and [n, 1] shapes and any numeric datatype for a numeric feature, integers included', () => {
    const raw = [{ orders: 3, revenue: 10, plan: 'plus' }];
    const base = demoTensors(raw);
    const expected = Array.from(assembleRows(artifact, parse(base), 10).matrix);
    const variants = [
      base.map((t) => ({ ...t, shape: [1, 1] })),
      base.map((t) => (t.datatype === 'BYTES' ? t : { ...t, datatype: 'FP32' })),
      base.map((t) => (t.datatype === 'BYTES' ? t : { ...t, datatype: 'INT32' })),
    ];
    for (const v of variants) expect(Array.from(assembleRows(artifact, parse(v), 10).matrix)).toEqual(expected);
  });

  it('refuses unknown and missing inputs, wrong datatypes and shapes, and too many rows, each with its code', () => {
    const ok = demoTensors([{ orders: 1, revenue: 1, plan: 'free' }]);
    expect(codeOf(() => assembleRows(artifact, parse([...ok, { name: 'nope', datatype: 'FP32', shape: [1], data: [0] }]), 100))).toBe('400 UNKNOWN_INPUT');
    // A preprocessed vector is not a second way in: the model has no such input.
    expect(codeOf(() => assembleRows(artifact, parse([{ name: 'features', datatype: 'FP32', shape: [1, 6], data: [0, 0, 0, 0, 0, 0] }]), 100))).toBe('400 UNKNOWN_INPUT');
    expect(codeOf(() => assembleRows(artifact, parse(ok.slice(0, 2)), 100))).toBe('400 MISSING_INPUT');
    expect(codeOf(() => assembleRows(artifact, parse([{ ...ok[0], datatype: 'BYTES', data: ['1'] }, ok[1], ok[2]]), 100))).toBe('400 DATATYPE_MISMATCH');
    expect(codeOf(() => assembleRows(artifact, parse([ok[0], ok[1], { ...ok[2], datatype: 'FP64', data: [1] }]), 100))).toBe('400 DATATYPE_MISMATCH');
    expect(codeOf(() => assembleRows(artifact, parse([{ ...ok[0], shape: [1, 2], data: [1, 2] }, ok[1], ok[2]]), 100))).toBe('400 SHAPE_MISMATCH');
    expect(codeOf(() => assembleRows(artifact, parse([{ ...ok[0], shape: [2], data: [1, 2] }, ok[1], ok[2]]), 100))).toBe('400 SHAPE_MISMATCH');
    const two = demoTensors([{ orders: 1, revenue: 1, plan: 'free' }, { orders: 2, revenue: 2, plan: 'pro' }]);
    expect(codeOf(() => assembleRows(artifact, parse(two), 1))).toBe('413 BATCH_TOO_LARGE');
  });

  it('refuses a finite value that the preprocessing turns into a non-finite model input, naming the input', () => {
    const huge = demoTensors([{ orders: 1, revenue: 1, plan: 'free' }]);
    huge[1] = { ...huge[1], data: [1e308] };
    // log1p(1e308) is finite: revenue is fine. A float64 that overflows float32 once standardised is not.
    const unclipped = { ...artifact, preprocessing: { ...artifact.preprocessing, features: artifact.preprocessing.features.map((f, i) => (i === 0 && f.kind === 'numeric' ? { ...f, clip: undefined } : f)) } };
    const bad = demoTensors([{ orders: 1, revenue: 1, plan: 'free' }]);
    bad[0] = { ...bad[0], datatype: 'FP64', data: [1e300] };
    expect(codeOf(() => assembleRows(artifact, parse(huge), 10))).toBe('ok');
    expect(codeOf(() => assembleRows(unclipped, parse(bad), 10))).toBe('400 INPUT_OUT_OF_RANGE');
  });
});

describe('TensorInputs', () => {
  it('checks the outputs a request asks for against the version that answers', () => {
    const tensors = parse(demoTensors([{ orders: 1, revenue: 1, plan: 'free' }]));
    expect(new TensorInputs(tensors, 10, ['probability']).rowsFor(artifact).rows).toBe(1);
    expect(codeOf(() => new TensorInputs(tensors, 10, ['logits']).rowsFor(artifact))).toBe('400 UNKNOWN_OUTPUT');
  });
});
