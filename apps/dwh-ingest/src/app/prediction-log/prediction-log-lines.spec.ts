import type { PredictionLogRecord } from '@mlp/contracts';
import { parsePredictionLogLines } from './prediction-log-lines';

const record: PredictionLogRecord = {
  predictionId: 'p-1',
  requestId: 'r-"quoted"-é',
  model: 'churn',
  version: 2,
  arm: 'champion',
  inputs: { 'features[0]': 0.5, plan: 'pro', missing: null },
  output: 0.25,
  latencyMs: 0.01,
  predictedAt: '2026-12-06T10:00:00.000Z',
  entity: { user_id: 'u1' },
};

describe('parsePredictionLogLines', () => {
  it('returns the records of valid lines, in order and unchanged', () => {
    const second = { ...record, predictionId: 'p-2', entity: undefined };
    const parsed = parsePredictionLogLines([JSON.stringify(record), JSON.stringify(second)]);
    expect(parsed).toEqual({ records: [{ index: 0, record }, { index: 1, record: JSON.parse(JSON.stringify(second)) }], rejected: [] });
  });

  it('rejects each bad line alone, naming every offending field, and keeps the valid ones', () => {
    const lines = [
      JSON.stringify(record),
      JSON.stringify({ ...record, output: null }), // a non-finite output serialises as null
      '{"predictionId": "p-3", ',
      JSON.stringify({ ...record, arm: 'canary', extra: 1 }),
      JSON.stringify({ ...record, predictionId: 'p-5' }),
    ];
    const parsed = parsePredictionLogLines(lines);
    expect(parsed.records.map((r) => r.index)).toEqual([0, 4]);
    const paths = parsed.rejected.flatMap((r) => r.violations.map((v) => `${r.index} ${v.path} ${v.code}`));
    expect(paths).toEqual(expect.arrayContaining(['1 $.output DATATYPE_MISMATCH', '2 $ SCHEMA_VIOLATION', '3 $.arm ACCEPTED_VALUES', '3 $.extra ADDITIONAL_PROPERTIES']));
    expect(parsed.rejected.map((r) => r.line)).toEqual([lines[1], lines[2], lines[3]]);
  });

  it('refuses lines that are JSON but not an object, and prototype-polluting keys', () => {
    const parsed = parsePredictionLogLines(['[1,2]', '"text"', `{"__proto__": {"polluted": true}, ${JSON.stringify(record).slice(1)}`]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(parsed.rejected.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it('rejects a line whose text the warehouse cannot store (U+0000, a lone surrogate) or nested too deep, alone', () => {
    const deep = `{"predictionId":"p-d","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const parsed = parsePredictionLogLines([
      JSON.stringify({ ...record, requestId: 'a\u0000b' }),
      JSON.stringify({ ...record, inputs: { plan: '\ud800' } }),
      deep,
      JSON.stringify(record),
    ]);
    expect(parsed.records.map((r) => r.index)).toEqual([3]);
    expect(parsed.rejected.map((r) => `${r.index} ${r.violations.map((v) => `${v.path} ${v.code}`).join(',')}`)).toEqual([
      '0 $.requestId INVALID_CHARACTER',
      '1 $.inputs.plan INVALID_CHARACTER',
      '2 $ NESTING_TOO_DEEP',
    ]);
  });
});
