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
    expect(parsed).toEqual({ ok: true, records: [record, JSON.parse(JSON.stringify(second))] });
  });

  it('names every bad line and the offending field, not only the first one', () => {
    const parsed = parsePredictionLogLines([
      JSON.stringify(record),
      JSON.stringify({ ...record, output: null }), // a non-finite output serialises as null
      '{"predictionId": "p-3", ',
      JSON.stringify({ ...record, arm: 'canary', extra: 1 }),
    ]);
    expect(parsed.ok).toBe(false);
    const paths = parsed.ok ? [] : parsed.violations.map((v) => `${v.path} ${v.code}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.lines[1].output DATATYPE_MISMATCH',
        '$.lines[2] SCHEMA_VIOLATION',
        '$.lines[3].arm ACCEPTED_VALUES',
        '$.lines[3].extra ADDITIONAL_PROPERTIES',
      ]),
    );
    expect(paths.some((p) => p.startsWith('$.lines[0]'))).toBe(false);
  });

  it('refuses lines that are JSON but not an object, and prototype-polluting keys', () => {
    const parsed = parsePredictionLogLines(['[1,2]', '"text"', `{"__proto__": {"polluted": true}, ${JSON.stringify(record).slice(1)}`]);
    expect(parsed.ok).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    if (!parsed.ok) expect(new Set(parsed.violations.map((v) => v.path.slice(0, 10)))).toEqual(new Set(['$.lines[0]', '$.lines[1]', '$.lines[2]']));
  });
});
