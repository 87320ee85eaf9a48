import type { ResolvedFeatures } from '../registry/feature-registry.service';
import { parseTimestamp, type Instant } from '../time/event-time';
import { assembleOnlineResponse, entityKeysOf, onlineResponseJson } from './online-response';

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
      retired: false,
    },
  ],
  resolvedRefs: ['a@v1:orders'],
  retired: [],
};

const at = (iso: string): Instant => {
  const t = parseTimestamp(iso);
  if (typeof t === 'string') throw new Error(`${iso}: ${t}`);
  return t;
};

describe('online response', () => {
  it('checks join keys: present, known, same length, right type', () => {
    expect(entityKeysOf(resolved, { user_id: [1, 2] }).get('user_id')).toEqual(['1', '2']);
    expect(() => entityKeysOf(resolved, { user_id: ['1'] })).toThrow(expect.objectContaining({ code: 'WRONG_KEY_TYPE' }));
    expect(() => entityKeysOf(resolved, { user_id: [1.5] })).toThrow(expect.objectContaining({ code: 'WRONG_KEY_TYPE' }));
    expect(() => entityKeysOf(resolved, { account: [1] })).toThrow(expect.objectContaining({ code: 'MISSING_JOIN_KEY' }));
    expect(() => entityKeysOf(resolved, { user_id: [1], account: [1] })).toThrow(expect.objectContaining({ code: 'UNKNOWN_JOIN_KEY' }));
  });

  it('serves values up to exactly ttl, to the microsecond, hides older ones as OUTSIDE_MAX_AGE and prints their microseconds', () => {
    const now = new Date('2026-01-01T00:01:00Z');
    const stored = new Map([
      [
        'a@v1',
        [
          { values: { orders: 3 }, at: at('2026-01-01T00:00:00Z') },
          { values: { orders: 4 }, at: at('2025-12-31T23:59:59.999Z') },
          null,
          { values: { orders: 5 }, at: at('2026-01-01T00:00:00.000001Z') },
          { values: { orders: 6 }, at: at('2025-12-31T23:59:59.999999Z') },
        ],
      ],
    ]);
    const res = assembleOnlineResponse(resolved, { user_id: [1, 2, 3, 4, 5] }, stored, now);
    expect(res.metadata.feature_names).toEqual(['user_id', 'orders']);
    expect(res.results[1]).toEqual({
      values: [3, null, null, 5, null],
      statuses: ['PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND', 'PRESENT', 'OUTSIDE_MAX_AGE'],
      event_timestamps: ['2026-01-01T00:00:00.000Z', '2025-12-31T23:59:59.999Z', null, '2026-01-01T00:00:00.000001Z', '2025-12-31T23:59:59.999999Z'],
    });
  });

  it('writes the same JSON text as JSON.stringify of the assembled response', () => {
    const view = (name: string, joinKeys: string[], keyType: 'string' | 'int64', ttl: number, features: Array<[string, string]>) => ({
      name,
      version: 2,
      viewKey: `${name}@v2`,
      joinKeys,
      keyType,
      spec: { name, entities: ['e'], features: features.map(([f]) => ({ name: f, type: 'string' as const })), source: { sql: 'SELECT 1' }, ttl_seconds: ttl, online: true },
      features: features.map(([f, out]) => ({ name: f, type: 'string' as const, outputName: out, ref: `${name}:${f}` })),
      retired: false,
    });
    const twoViews: ResolvedFeatures = {
      featureNames: ['b__plan', 'a__orders', 'a__note', 'b__active', 'a__missing'],
      views: [
        view('a', ['user_id', 'shop'], 'string', 60, [['orders', 'a__orders'], ['note', 'a__note'], ['missing', 'a__missing']]),
        view('b', ['user_id', 'shop'], 'string', 3600, [['plan', 'b__plan'], ['active', 'b__active']]),
      ],
      resolvedRefs: ['b@v2:plan', 'a@v2:orders', 'a@v2:note', 'b@v2:active', 'a@v2:missing'],
      retired: [],
    };
    const now = new Date('2026-01-01T01:00:00Z');
    const stored = new Map([
      [
        'a@v2',
        [
          { values: { orders: 3.25, note: 'quote " backslash \\ newline \n tab \t \u0001 é 😀 </script>' }, at: at('2026-01-01T00:59:30Z') },
          { values: { orders: -0, note: null }, at: at('2026-01-01T00:00:00Z') },
          null,
          { values: { orders: 1e21, note: '' }, at: at('2026-01-01T00:59:00Z') },
        ],
      ],
      [
        'b@v2',
        [
          { values: { plan: 'pro', active: true }, at: at('2026-01-01T00:00:00Z') },
          { values: { plan: 'free', active: false }, at: at('2026-01-01T00:30:00.123456Z') },
          { values: { plan: { nested: [1, 'x'] }, active: null }, at: at('2025-12-31T23:59:59.999Z') },
          null,
        ],
      ],
    ]);
    const entities = { user_id: ['u"1', 'u2', 'u3', 'u4'], shop: ['s', 's', 't', 'é'] };
    expect(onlineResponseJson(twoViews, entities, stored, now)).toBe(JSON.stringify(assembleOnlineResponse(twoViews, entities, stored, now)));
    // One entity (its own code path): every row of the fixture alone, plus values JSON has no words for.
    for (let i = 0; i < 4; i++) {
      const one = { user_id: [entities.user_id[i]], shop: [entities.shop[i]] };
      const oneStored = new Map([...stored].map(([k, v]) => [k, [v[i]]]));
      expect(onlineResponseJson(twoViews, one, oneStored, now)).toBe(JSON.stringify(assembleOnlineResponse(twoViews, one, oneStored, now)));
    }
    const odd = new Map([['a@v2', [{ values: { orders: NaN, note: undefined, missing: -Infinity }, at: at('2026-01-01T00:59:59Z') } as never]]]);
    expect(onlineResponseJson(twoViews, { user_id: ['u'], shop: ['s'] }, odd, now)).toBe(JSON.stringify(assembleOnlineResponse(twoViews, { user_id: ['u'], shop: ['s'] }, odd, now)));
    expect(onlineResponseJson(resolved, { user_id: [42] }, new Map(), now)).toBe(JSON.stringify(assembleOnlineResponse(resolved, { user_id: [42] }, new Map(), now)));

    const stale = new Map([['a@v1', [{ values: { orders: 7 }, at: at('2025-12-31T23:00:00Z') }, null]]]);
    expect(onlineResponseJson(resolved, { user_id: [1, 9007199254740991] }, stale, now)).toBe(JSON.stringify(assembleOnlineResponse(resolved, { user_id: [1, 9007199254740991] }, stale, now)));
    expect(onlineResponseJson(resolved, { user_id: [] }, new Map(), now)).toBe(JSON.stringify(assembleOnlineResponse(resolved, { user_id: [] }, new Map(), now)));
  });
});
