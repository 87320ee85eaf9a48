import { baselineArtifact } from '../../testing/model-fixtures';
import { assembleRows, loggedRow, outputTensors } from './model-input';
import { parseInferRequest } from './v2-protocol';

const artifact = baselineArtifact('churn', 1);
const parse = (inputs: unknown[], allowNull = false) => parseInferRequest({ inputs }, { maxElements: 10000 }, allowNull).inputs;

describe('assembleRows', () => {
  it('passes the signature tensor through as the model matrix and logs its columns', () => {
    const rows = assembleRows(artifact, parse([{ name: 'features', datatype: 'FP32', shape: [2, 6], data: [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0] }]), 100);
    expect(rows.rows).toBe(2);
    expect(Array.from(rows.matrix)).toEqual([0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0]);
    expect(loggedRow(rows.logged, 1)).toMatchObject({ 'features[0]': 1, 'features[2]': 1 });
    // Drift sees raw values: the first feature standardised 1 -> 1 * std + mean = 3.5.
    expect(rows.raw[1]['user_activity:orders_7d']).toBeCloseTo(3.5);
    expect(rows.raw[1]['user_profile:plan']).toBe('plus');
  });

  it('applies the preprocessing to raw features, with nulls filled and reported', () => {
    const rows = assembleRows(
      artifact,
      parse(
        [
          { name: 'user_activity:orders_7d', datatype: 'FP64', shape: [2], data: [5, null] },
          { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [2, 1], data: [Math.expm1(3), 0] },
          { name: 'user_profile:plan', datatype: 'BYTES', shape: [2], data: ['pro', 'free'] },
        ],
        true,
      ),
      100,
    );
    expect(Array.from(rows.matrix.slice(0, 6)).map((x) => Math.round(x * 1000) / 1000)).toEqual([2, 0, 0, 0, 0, 1]);
    expect(rows.reports?.[1].filled).toEqual(['user_activity:orders_7d']);
    expect(loggedRow(rows.logged, 1)['user_activity:orders_7d']).toBeNull();
  });

  it('refuses unknown and missing inputs, wrong datatypes, wrong row widths and too many rows', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return `${(err as { status: number }).status} ${(err as { code: string }).code}`;
      }
      return 'ok';
    };
    expect(codeOf(() => assembleRows(artifact, parse([{ name: 'nope', datatype: 'FP32', shape: [1, 6], data: [0, 0, 0, 0, 0, 0] }]), 100))).toBe('400 UNKNOWN_INPUT');
    expect(codeOf(() => assembleRows(artifact, parse([{ name: 'features', datatype: 'FP64', shape: [1, 6], data: [0, 0, 0, 0, 0, 0] }]), 100))).toBe('400 DATATYPE_MISMATCH');
    expect(codeOf(() => assembleRows(artifact, parse([{ name: 'features', datatype: 'FP32', shape: [2, 3], data: [0, 0, 0, 0, 0, 0] }]), 100))).toBe('400 SHAPE_MISMATCH');
    expect(codeOf(() => assembleRows(artifact, parse([{ name: 'features', datatype: 'FP32', shape: [6], data: [0, 0, 0, 0, 0, 0] }]), 100))).toBe('400 SHAPE_MISMATCH');
    expect(codeOf(() => assembleRows(artifact, parse([{ name: 'features', datatype: 'FP32', shape: [2, 6], data: new Array(12).fill(0) }]), 1))).toBe('413 BATCH_TOO_LARGE');
    expect(codeOf(() => assembleRows(artifact, parse([{ name: 'user_profile:plan', datatype: 'FP32', shape: [1], data: [1] }]), 100))).toBe('400 DATATYPE_MISMATCH');
  });
});

describe('outputTensors', () => {
  it('shapes the per-row output as the signature says', () => {
    expect(outputTensors(artifact, new Float32Array([0.25, 0.75]), 2)).toEqual([{ name: 'probability', datatype: 'FP32', shape: [2, 1], data: [0.25, 0.75] }]);
  });
});
