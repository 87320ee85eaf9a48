import type { ResolvedFeatures } from '../registry/feature-registry.service';
import { assembleOnlineResponse, entityKeysOf } from './online-response';

const resolved: ResolvedFeatures = {
  featureNames: ['orders'],
  views: [
    {
      name: 'a',
      version: 1,
      viewKey: 'a@v1',
      joinKeys: ['user_id'],
      keyType: 'int64',
      spec: { name: 'a', entities: ['user'], features: [{ name: 'orders', type: 'int64' }], source: { sql: 'SELECT 1' }, ttl_seconds: 60, online: true },
      features: [{ name: 'orders', type: 'int64', outputName: 'orders', ref: 'a:orders' }],
    },
  ],
};

describe('online response', () => {
  it('checks join keys: present, known, same length, right type', () => {
    expect(entityKeysOf(resolved, { user_id: [1, 2] }).get('user_id')).toEqual(['1', '2']);
    expect(() => entityKeysOf(resolved, { user_id: ['1'] })).toThrow(expect.objectContaining({ code: 'WRONG_KEY_TYPE' }));
    expect(() => entityKeysOf(resolved, { user_id: [1.5] })).toThrow(expect.objectContaining({ code: 'WRONG_KEY_TYPE' }));
    expect(() => entityKeysOf(resolved, { account: [1] })).toThrow(expect.objectContaining({ code: 'MISSING_JOIN_KEY' }));
    expect(() => entityKeysOf(resolved, { user_id: [1], account: [1] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_JOIN_KEY' }));
  });

  it('serves values up to exactly ttl and hides older ones as OUTSIDE_MAX_AGE', () => {
    const now = new Date('2026-01-01T00:01:00Z');
    const stored = new Map([
      [
        'a@v1',
        [
          { values: { orders: 3 }, eventTimestamp: new Date('2026-01-01T00:00:00Z') },
          { values: { orders: 4 }, eventTimestamp: new Date('2025-12-31T23:59:59.999Z') },
          null,
        ],
      ],
    ]);
    const res = assembleOnlineResponse(resolved, { user_id: [1, 2, 3] }, stored, now);
    expect(res.metadata.feature_names).toEqual(['user_id', 'orders']);
    expect(res.results[1]).toEqual({
      values: [3, null, null],
      statuses: ['PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND'],
      event_timestamps: ['2026-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z', null],
    });
  });
});
