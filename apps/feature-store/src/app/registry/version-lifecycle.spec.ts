import type { FeatureViewDefinition } from '@mlp/contracts';
import type { RegistrySnapshot } from './apply-plan';
import { checkRetirable, liveVersions, pinnedVersions, versionsToRetire, type VersionUsage } from './version-lifecycle';

const spec = (ttl: number): FeatureViewDefinition => ({
  name: 'activity',
  entities: ['user'],
  features: [{ name: 'orders', type: 'int64' }],
  source: { sql: `SELECT user_id, ts AS event_timestamp, orders + ${ttl} AS orders FROM dwh.mart_x` },
  ttl_seconds: ttl,
  online: true,
});

/** activity v1..v4 (head v4, v1 retired), profile v1 removed, and a service pinning activity@v2. */
function snapshot(): RegistrySnapshot {
  return {
    entities: new Map([['user', { name: 'user', join_key: 'user_id', value_type: 'string' }]]),
    views: new Map([
      ['activity', { name: 'activity', head: 4, maxVersion: 4, removed: false, versions: new Map([1, 2, 3, 4].map((v) => [v, spec(v * 10)])), retired: new Set([1]) }],
      ['profile', { name: 'profile', head: 1, maxVersion: 1, removed: true, versions: new Map([[1, { ...spec(5), name: 'profile' }]]) }],
    ]),
    services: new Map([['svc', { name: 'svc', features: ['activity@v2:orders', 'activity:orders'] }]]),
  };
}

const HOUR = 3600_000;
const NOW = Date.parse('2026-03-01T00:00:00Z');
const usage = (entries: Record<string, Partial<VersionUsage>>) =>
  new Map(Object.entries(entries).map(([k, u]) => [k, { supersededAt: u.supersededAt ?? null, lastOnlineReadAt: u.lastOnlineReadAt ?? null }]));

describe('view version lifecycle', () => {
  it('serves the head and every version not retired, the head first; nothing of a removed view', () => {
    const snap = snapshot();
    expect(liveVersions(snap.views.get('activity')!)).toEqual([4, 3, 2]);
    expect(liveVersions(snap.views.get('profile')!)).toEqual([]);
    expect([...pinnedVersions(snap)]).toEqual([['activity@v2', ['svc']]]);
  });

  it('retires an older version once it is idle for the period since it was superseded or last read, whichever is later', () => {
    const snap = snapshot();
    const idle = 24 * 3600;
    // v3 was superseded 25 h ago and never read: retired. The removed view goes whatever its use.
    expect(versionsToRetire(snap, usage({ 'activity@v3': { supersededAt: NOW - 25 * HOUR } }), NOW, idle)).toEqual([
      { view: 'activity', version: 3, reason: 'IDLE' },
      { view: 'profile', version: 1, reason: 'VIEW_REMOVED' },
    ]);
    // Superseded long ago but read online an hour ago (a served model reads it): kept.
    expect(versionsToRetire(snap, usage({ 'activity@v3': { supersededAt: NOW - 100 * HOUR, lastOnlineReadAt: NOW - HOUR } }), NOW, idle).map((c) => c.version)).toEqual([1]);
    // Read long ago but superseded only an hour ago (a model trained on it may not be served yet): kept.
    expect(versionsToRetire(snap, usage({ 'activity@v3': { supersededAt: NOW - HOUR, lastOnlineReadAt: NOW - 100 * HOUR } }), NOW, idle).map((c) => c.view)).toEqual(['profile']);
    // Exactly the idle period counts as idle.
    expect(versionsToRetire(snap, usage({ 'activity@v3': { supersededAt: NOW - 24 * HOUR } }), NOW, idle).map((c) => c.version)).toEqual([3, 1]);
  });

  it('never retires the head, a pinned version or one already retired, and retires nothing idle when the period is 0', () => {
    const snap = snapshot();
    const ancient = { supersededAt: 0, lastOnlineReadAt: 0 };
    const due = versionsToRetire(snap, usage({ 'activity@v2': ancient, 'activity@v3': ancient, 'activity@v4': ancient }), NOW, 60);
    expect(due.map((c) => `${c.view}@v${c.version}`)).toEqual(['activity@v3', 'profile@v1']);
    expect(versionsToRetire(snap, usage({ 'activity@v3': ancient }), NOW, 0)).toEqual([{ view: 'profile', version: 1, reason: 'VIEW_REMOVED' }]);
  });

  it('refuses to retire explicitly the head, a pinned version or an unknown one, with codes', () => {
    const snap = snapshot();
    expect(checkRetirable(snap, 'activity', 3)).toEqual({ alreadyRetired: false });
    expect(checkRetirable(snap, 'activity', 1)).toEqual({ alreadyRetired: true });
    expect(() => checkRetirable(snap, 'activity', 4)).toThrow(expect.objectContaining({ status: 409, code: 'VERSION_IS_HEAD' }));
    expect(() => checkRetirable(snap, 'activity', 2)).toThrow(expect.objectContaining({ status: 409, code: 'VERSION_PINNED' }));
    expect(() => checkRetirable(snap, 'activity', 9)).toThrow(expect.objectContaining({ status: 404, code: 'UNKNOWN_FEATURE_VERSION' }));
    expect(() => checkRetirable(snap, 'profile', 1)).toThrow(expect.objectContaining({ status: 404, code: 'UNKNOWN_FEATURE_VIEW' }));
  });
});
