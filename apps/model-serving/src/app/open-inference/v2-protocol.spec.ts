import type { ModelArtifact } from '@mlp/contracts';
import { baselineArtifact } from '../../testing/model-fixtures';
import { inferResponseJson, outputTensors, parseInferRequest } from './v2-protocol';

const limits = { maxElements: 1000 };
const body = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ inputs: [{ name: 'features', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6], ...input }], ...extra });
const fails = (b: unknown, status: number, code: string) => {
  try {
    parseInferRequest(b, limits);
  } catch (err) {
    expect(err).toMatchObject({ status, code });
    return;
  }
  throw new Error('expected the request to be refused');
};

describe('parseInferRequest', () => {
  it('accepts flat and nested row-major data alike', () => {
    const flat = parseInferRequest(body({}), limits);
    const nested = parseInferRequest(body({ data: [[1, 2, 3], [4, 5, 6]] }), limits);
    expect(nested.inputs[0].data).toEqual(flat.inputs[0].data);
    expect(flat.inputs[0]).toEqual({ name: 'features', datatype: 'FP32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] });
  });

  it('keeps id, parameters and the requested outputs', () => {
    const parsed = parseInferRequest(body({}, { id: 'req-1', parameters: { sticky: 'u1' }, outputs: [{ name: 'probability' }] }), limits);
    expect([parsed.id, parsed.parameters, parsed.outputs]).toEqual(['req-1', { sticky: 'u1' }, ['probability']]);
  });

  it('refuses element counts and nesting that do not follow the shape', () => {
    fails(body({ data: [1, 2, 3] }), 400, 'SHAPE_MISMATCH');
    fails(body({ data: [[1, 2], [3, 4], [5, 6]] }), 400, 'SHAPE_MISMATCH');
    fails(body({ data: [[[1], [2], [3]], [[4], [5], [6]]] }), 400, 'SHAPE_MISMATCH');
    fails(body({ shape: [2, -1] }), 400, 'SHAPE_MISMATCH');
    fails(body({ shape: [] }), 400, 'SHAPE_MISMATCH');
  });

  it('refuses values outside their datatype and non-finite numbers', () => {
    fails(body({ data: [1, 2, 3, 4, 5, '6'] }), 400, 'DATATYPE_MISMATCH');
    fails(body({ data: [1, 2, 3, 4, 5, Infinity] }), 400, 'NON_FINITE_NUMBER');
    fails(body({ data: [1, 2, 3, 4, 5, 1e39] }), 400, 'NON_FINITE_NUMBER');
    fails(body({ datatype: 'INT8', data: [1, 2, 3, 4, 5, 300] }), 400, 'DATATYPE_MISMATCH');
    fails(body({ datatype: 'INT32', data: [1, 2, 3, 4, 5, 1.5] }), 400, 'DATATYPE_MISMATCH');
    fails(body({ datatype: 'BOOL' }), 400, 'DATATYPE_MISMATCH');
    fails(body({ datatype: 'FP8' }), 400, 'DATATYPE_MISMATCH');
    // null is a missing raw value (filled by the model's preprocessing), not a type error.
    expect(parseInferRequest(body({ data: [1, 2, 3, 4, 5, null] }), limits).inputs[0].data[5]).toBeNull();
  });

  it('refuses malformed requests with a machine-readable code', () => {
    for (const bad of [null, [], 'x', {}, { inputs: [] }, { inputs: [{}] }, { inputs: 'x' }, body({}, { extra: 1 }), body({}, { id: 5 }), body({ data: 'abc' })]) {
      fails(bad, 400, expect.any(String) as unknown as string);
    }
    fails({ inputs: [body({}).inputs[0], body({}).inputs[0]] }, 400, 'INVALID_INFER_REQUEST');
  });

  it('answers 413 when the request holds more elements than the limit, before walking the data', () => {
    fails(body({ shape: [100000, 3], data: [] }), 413, 'BATCH_TOO_LARGE');
    fails({ inputs: [body({ name: 'a', shape: [200, 3], data: new Array(600).fill(0) }).inputs[0], body({ name: 'b', shape: [200, 3], data: new Array(600).fill(0) }).inputs[0]] }, 413, 'BATCH_TOO_LARGE');
  });
});

describe('inferResponseJson', () => {
  const outputs = [
    { name: 'probability', datatype: 'FP32' as const, shape: [3, 1], data: [0.5306586623191833, -0, 1e-7] },
    { name: 'label', datatype: 'INT64' as const, shape: [3, 2], data: [1, 0, 12345678901, -3, Number.NaN, Number.POSITIVE_INFINITY] },
  ];

  it('echoes the id, keeps the model version as a string, and selects outputs in the order asked', () => {
    const answer = JSON.parse(inferResponseJson('churn', 3, { id: 'abc', outputs: ['label'] }, outputs, { arm: 'pinned' }));
    expect(answer).toEqual({ model_name: 'churn', model_version: '3', id: 'abc', parameters: { arm: 'pinned' }, outputs: [{ ...outputs[1], data: [1, 0, 12345678901, -3, null, null] }] });
    expect(JSON.parse(inferResponseJson('churn', 3, {}, outputs)).outputs).toHaveLength(2);
  });

  /** The response object written the generic way: the text must be exactly its JSON.stringify. */
  const reference = (...[model, version, request, all, parameters]: Parameters<typeof inferResponseJson>) => ({
    model_name: model,
    model_version: String(version),
    ...(request.id !== undefined ? { id: request.id } : {}),
    ...(parameters ? { parameters } : {}),
    outputs: request.outputs ? request.outputs.map((n) => all.find((o) => o.name === n)) : all,
  });
  const cases: Array<[string, Parameters<typeof inferResponseJson>]> = [
    ['all outputs with the arm', ['churn', 3, {}, outputs, { arm: 'champion' }]],
    ['an echoed id that needs escaping and a selection in another order', ['m"x', 12, { id: 'req-"1"\n', outputs: ['label', 'probability'] }, outputs, { arm: 'challenger' }]],
    ['no parameters and an empty output', ['churn', 1, {}, [{ name: 'empty', datatype: 'FP64', shape: [0, 1], data: [] }]]],
  ];
  it.each(cases)('writes exactly what JSON.stringify writes for the response object: %s', (_, args) => {
    expect(inferResponseJson(...args)).toBe(JSON.stringify(reference(...args)));
  });
});

describe('outputTensors', () => {
  it('shapes the per-row output as the signature says', () => {
    expect(outputTensors(baselineArtifact('churn', 1), new Float32Array([0.25, 0.75]), 2)).toEqual([{ name: 'probability', datatype: 'FP32', shape: [2, 1], data: [0.25, 0.75] }]);
  });
  it('answers a multiclass model\'s probabilities as [n, K] and its label as the BYTES name of each row\'s most probable class', () => {
    const multiclass = {
      ...baselineArtifact('species', 1),
      task: 'multiclass_classification',
      classes: ['bird', 'cat', 'dog'],
      signature: {
        inputs: baselineArtifact('species', 1).signature.inputs,
        outputs: [
          { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
          { name: 'label', datatype: 'BYTES', shape: [-1] },
        ],
      },
    } as ModelArtifact;
    const out = Float32Array.from([0.25, 0.5, 0.25, 0.75, 0.125, 0.125]);
    const tensors = outputTensors(multiclass, out, 2);
    expect(tensors).toEqual([
      { name: 'probabilities', datatype: 'FP32', shape: [2, 3], data: [0.25, 0.5, 0.25, 0.75, 0.125, 0.125] },
      { name: 'label', datatype: 'BYTES', shape: [2], data: ['cat', 'bird'] },
    ]);
    const text = inferResponseJson('species', 1, { id: 'r1', outputs: ['label'] }, tensors, { arm: 'champion', classes: multiclass.classes });
    expect(JSON.parse(text)).toEqual({
      model_name: 'species',
      model_version: '1',
      id: 'r1',
      parameters: { arm: 'champion', classes: ['bird', 'cat', 'dog'] },
      outputs: [{ name: 'label', datatype: 'BYTES', shape: [2], data: ['cat', 'bird'] }],
    });
  });
});
