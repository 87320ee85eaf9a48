import { chooseArm, DEFAULT_POLICY, stickyHash, stickyKeyFor } from './traffic-split';

describe('chooseArm', () => {
  const canary = { ...DEFAULT_POLICY, canaryWeight: 0.2 };

  it('sends about the canary weight of keys to the challenger, always the same keys', () => {
    const keys = Array.from({ length: 10000 }, (_, i) => `user-${i}`);
    const first = keys.map((k) => chooseArm(canary, k, true).serve);
    const share = first.filter((a) => a === 'challenger').length / keys.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
    expect(keys.map((k) => chooseArm(canary, k, true).serve)).toEqual(first);
  });

  it('keeps a key on the challenger when the weight grows (ramping a canary does not flip users back)', () => {
    const onChallenger = Array.from({ length: 2000 }, (_, i) => `u${i}`).filter((k) => chooseArm(canary, k, true).serve === 'challenger');
    expect(onChallenger.every((k) => chooseArm({ ...canary, canaryWeight: 0.5 }, k, true).serve === 'challenger')).toBe(true);
  });

  it('serves the champion without a challenger, and in shadow mode scores the challenger silently', () => {
    expect(chooseArm({ ...canary, canaryWeight: 1 }, 'x', false)).toEqual({ serve: 'champion', shadow: false });
    expect(chooseArm({ ...canary, shadow: true }, 'x', true)).toEqual({ serve: 'champion', shadow: true });
    expect(chooseArm({ ...canary, canaryWeight: 1 }, 'x', true).serve).toBe('challenger');
  });

  it('hashes into [0, 1)', () => {
    for (const k of ['', 'a', 'user-1', '🙂']) {
      expect(stickyHash(k)).toBeGreaterThanOrEqual(0);
      expect(stickyHash(k)).toBeLessThan(1);
    }
  });
});

describe('stickyKeyFor', () => {
  it('routes by the entity key, then the header, under `entity`; by the header under `header`; else by the request id', () => {
    const all = { entity: 'user_id=u1', header: 'h', requestId: 'r' };
    expect(stickyKeyFor({ stickyKey: 'entity' }, all)).toBe('user_id=u1');
    expect(stickyKeyFor({ stickyKey: 'entity' }, { header: 'h', requestId: 'r' })).toBe('h');
    expect(stickyKeyFor({ stickyKey: 'header' }, all)).toBe('h');
    expect(stickyKeyFor({ stickyKey: 'header' }, { entity: 'user_id=u1', requestId: 'r' })).toBe('r');
    expect(stickyKeyFor({ stickyKey: 'entity' }, { requestId: 'r' })).toBe('r');
  });
});
