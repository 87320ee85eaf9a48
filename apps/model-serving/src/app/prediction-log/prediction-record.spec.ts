import { PredictionLogRecordContract, type PredictionLogRecord } from '@mlp/contracts';
import { encodePredictionRecord } from './prediction-record';

const base: PredictionLogRecord = {
  predictionId: '3f1c2a4e-9b7d-4c1e-8f2a-6d5e4c3b2a19-1z',
  requestId: 'req-1',
  model: 'demo_churn',
  version: 7,
  arm: 'champion',
  inputs: { 'features[0]': 0.1234567, 'features[1]': -3, 'features[2]': 1e-7, 'features[3]': 1e21 },
  output: 0.30000001192092896,
  latencyMs: 0.0125,
  predictedAt: '2026-12-06T10:00:00.000Z',
};

describe('encodePredictionRecord', () => {
  const cases: Array<[string, PredictionLogRecord]> = [
    ['a signature-mode record', base],
    ['an entity-keyed record with raw features, nulls and categories', { ...base, arm: 'challenger', inputs: { 'user_activity:orders_7d': 2, 'user_profile:plan': 'pro', 'user_activity:revenue_7d': null }, entity: { user_id: 'u42', tenant: 3 } }],
    ['strings that need escaping (quotes, backslashes, control and non-ASCII characters, lone surrogates)', { ...base, requestId: 'r"\\\n\t\u0001é😀\ud800', model: 'm"x', inputs: { 'we"ird\\key': 'v\u2028' } }],
    ['negative zero, integers and extreme doubles', { ...base, version: 1, output: -0, latencyMs: 0, inputs: { a: Number.MAX_VALUE, b: Number.MIN_VALUE, c: -1.5e-300 } }],
    ['a shadow prediction with an empty inputs object', { ...base, arm: 'shadow', inputs: {} }],
    ['a pinned prediction', { ...base, arm: 'pinned' }],
  ];
  it.each(cases)('writes exactly what JSON.stringify writes for %s, and the warehouse contract accepts it', (_, record) => {
    const line = encodePredictionRecord(record);
    expect(line).toBe(JSON.stringify(record));
    expect(PredictionLogRecordContract.validate(JSON.parse(line)).ok).toBe(true);
  });

  it('writes a non-finite output as null, as JSON.stringify does, so the warehouse refuses it by name', () => {
    const line = encodePredictionRecord({ ...base, output: Number.NaN, latencyMs: Number.POSITIVE_INFINITY });
    expect(line).toBe(JSON.stringify({ ...base, output: Number.NaN, latencyMs: Number.POSITIVE_INFINITY }));
    const checked = PredictionLogRecordContract.validate(JSON.parse(line));
    expect(checked.ok ? [] : checked.violations.map((v) => v.path)).toEqual(['$.output', '$.latencyMs']);
  });
});
