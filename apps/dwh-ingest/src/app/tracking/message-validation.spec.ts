import { TRACKING_PLAN_FIXTURE } from '../test-support';
import { CompiledPlan } from '../schemas/compiled-plan';
import { canonicalTimestamp, namedSchema, ReceivedAt, validateMessage } from './message-validation';

const plan = new CompiledPlan(TRACKING_PLAN_FIXTURE);
const received = new ReceivedAt(new Date('2026-11-20T10:00:10.000Z'));
const msg = (over: Record<string, unknown> = {}) => ({
  type: 'track',
  messageId: 'm1',
  userId: 'u1',
  event: 'added_to_cart',
  timestamp: '2026-11-20T10:00:00.000Z',
  properties: { product_id: 'p', price: 2, quantity: 1 },
  ...over,
});

describe('validating a tracking message against the plan', () => {
  it('derives the true event time from the device clock skew (received - sent)', () => {
    const out = validateMessage(msg({ sentAt: '2026-11-20T09:59:05.000Z' }), plan, received);
    expect(out.ok && out.row.derivedAt).toBe('2026-11-20T10:01:05.000Z');
    const noSent = validateMessage(msg(), plan, received);
    expect(noSent.ok && noSent.row.derivedAt).toBe('2026-11-20T10:00:00.000Z');
    const sentNow = validateMessage(msg({ timestamp: '2026-11-20T09:00:00.000Z', sentAt: '2026-11-20T09:00:00.000Z' }), plan, received);
    expect(sentNow.ok && sentNow.row.derivedAt).toBe('2026-11-20T10:00:10.000Z');
  });

  it('keeps canonical UTC timestamps as sent and normalises any other ISO 8601 form to UTC milliseconds', () => {
    expect(canonicalTimestamp('2026-11-20T10:00:00.123Z')).toBe('2026-11-20T10:00:00.123Z');
    expect(canonicalTimestamp('2026-11-20T12:00:00+02:00')).toBe('2026-11-20T10:00:00.000Z');
    expect(canonicalTimestamp('2026-11-20T10:00:00.123456Z')).toBe('2026-11-20T10:00:00.123Z');
    const out = validateMessage(msg({ timestamp: '2026-11-20T11:00:00.5+01:00', sentAt: '2026-11-20T10:00:00Z' }), plan, received);
    expect(out.ok && [out.row.deviceCreatedAt, out.row.deviceSentAt, out.row.receivedAt, out.row.derivedAt]).toEqual([
      '2026-11-20T10:00:00.500Z',
      '2026-11-20T10:00:00.000Z',
      '2026-11-20T10:00:10.000Z',
      '2026-11-20T10:00:10.500Z',
    ]);
  });

  it('gives each violation a code and a JSON path under properties or traits', () => {
    const out = validateMessage(msg({ properties: { product_id: 'p', price: -1, quantity: 1.5, size: 'L' } }), plan, received);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.violations.map((v) => [v.path, v.code])).toEqual(
      expect.arrayContaining([
        ['$.properties.price', 'OUT_OF_RANGE'],
        ['$.properties.quantity', 'DATATYPE_MISMATCH'],
        ['$.properties.size', 'ADDITIONAL_PROPERTIES'],
      ]),
    );
    const traits = validateMessage({ type: 'identify', messageId: 'i', userId: 'u', timestamp: received.iso, traits: { plan: 'gold', country: 'de' } }, plan, received);
    expect(!traits.ok && traits.violations.map((v) => [v.path, v.code])).toEqual([
      ['$.traits.country', 'PATTERN_MISMATCH'],
      ['$.traits.plan', 'ACCEPTED_VALUES'],
    ]);
  });

  it('flags unplanned events, unknown versions, missing identity and broken envelopes', () => {
    const codes = (m: unknown) => {
      const out = validateMessage(m, plan, received);
      return out.ok ? [] : out.violations.map((v) => v.code);
    };
    expect(codes(msg({ event: 'signed_up' }))).toEqual(['UNPLANNED_EVENT']);
    expect(codes(msg({ schemaVersion: '1-0-7' }))).toEqual(['UNKNOWN_SCHEMA_VERSION']);
    expect(codes(msg({ userId: undefined }))).toEqual(['IDENTITY_MISSING']);
    expect(codes(msg({ timestamp: 'yesterday' }))).toEqual(['FORMAT_MISMATCH']);
    expect(codes(msg({ messageId: undefined }))).toEqual(['REQUIRED_MISSING']);
    expect(codes('hello')).toEqual(['DATATYPE_MISMATCH']);
  });
});

describe('text that cannot be stored rejects its message alone', () => {
  it('rejects a message with U+0000, a lone surrogate or too deep a nesting with a code and path, and accepts the rest', () => {
    const problems = (m: unknown) => {
      const out = validateMessage(m, plan, received);
      return out.ok ? [] : out.violations.filter((v) => v.code === 'INVALID_CHARACTER' || v.code === 'NESTING_TOO_DEEP').map((v) => `${v.path} ${v.code}`);
    };
    expect(problems(msg({ userId: 'u\u0000' }))).toEqual(['$.userId INVALID_CHARACTER']);
    expect(problems(msg({ context: { page: { title: 'a\ud800b' } } }))).toEqual(['$.context.page.title INVALID_CHARACTER']);
    expect(problems(msg({ context: { ['k\udc00']: 1 } }))).toEqual(['$.context["k\ufffd"] INVALID_CHARACTER']);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    expect(problems(msg({ context: deep as Record<string, unknown> }))[0]).toMatch(/ NESTING_TOO_DEEP$/);
    expect(problems(msg({ context: { emoji: '😀', text: 'literal \\u0000' } }))).toEqual([]);
  });

  it('names no schema on a row whose schema is its event (track, identify)', () => {
    const track = validateMessage(msg(), plan, received);
    expect(track.ok && [track.row.event, track.row.schemaName, track.row.schemaVersion]).toEqual(['added_to_cart', null, '1-0-0']);
    const identify = validateMessage({ type: 'identify', messageId: 'i', userId: 'u', timestamp: received.iso, traits: {} }, plan, received);
    expect(identify.ok && [identify.row.event, identify.row.schemaName]).toEqual(['identify', null]);
  });

  it('gives the same outcome when the caller already knows the text is clean', () => {
    for (const m of [msg(), msg({ properties: { product_id: 'p', price: -1 } }), msg({ event: 'nope' }), msg({ timestamp: 'x', extra: 1 })]) {
      expect(validateMessage(m, plan, received, null)).toEqual(validateMessage(m, plan, received));
    }
  });

  describe('page, screen, group and alias calls', () => {
    const schema = (name: string, properties: Record<string, unknown>, required: string[] = []) => ({
      name,
      version: '1-0-0',
      schema: { type: 'object', properties, required, additionalProperties: false },
    });
    const segmentPlan = new CompiledPlan([
      schema('page', { title: { type: 'string' }, category: { type: 'string' } }),
      schema('page_product_detail', { sku: { type: 'string' } }, ['sku']),
      schema('screen_home', { tab: { type: 'string' } }),
      schema('group', { plan: { enum: ['free', 'pro'] } }, ['plan']),
    ]);
    const base = { messageId: 'x', userId: 'u1', timestamp: '2026-11-20T10:00:00.000Z' };
    const check = (m: Record<string, unknown>) => validateMessage({ ...base, ...m }, segmentPlan, received);
    const codes = (m: Record<string, unknown>) => {
      const out = check(m);
      return out.ok ? [] : out.violations.map((v) => `${v.path} ${v.code}`);
    };

    it('names page and screen schemas page_<name>/screen_<name> in snake case', () => {
      expect(namedSchema('page', 'Product Detail')).toBe('page_product_detail');
      expect(namedSchema('screen', '  Home!! ')).toBe('screen_home');
      expect(namedSchema('page', '***')).toBeUndefined();
      expect(namedSchema('page', 'x'.repeat(80))).toBeUndefined();
    });

    it('checks a named page against its own schema and any other page against the type schema', () => {
      const named = check({ type: 'page', name: 'Product Detail', category: 'Shop', properties: { sku: 's1' } });
      expect(named.ok && named.row).toMatchObject({ type: 'page', event: 'Product Detail', schemaName: 'page_product_detail', schemaVersion: '1-0-0', category: 'Shop', properties: { sku: 's1' } });
      expect(codes({ type: 'page', name: 'Product Detail', properties: { title: 't' } })).toEqual(['$.properties.sku REQUIRED_MISSING', '$.properties.title ADDITIONAL_PROPERTIES']);
      const other = check({ type: 'page', name: 'About', properties: { title: 'About us' } });
      expect(other.ok && [other.row.event, other.row.schemaName]).toEqual(['About', 'page']);
      const unnamed = check({ type: 'page', properties: {} });
      expect(unnamed.ok && [unnamed.row.event, unnamed.row.schemaName]).toEqual(['page', null]);
    });

    it('refuses a screen nobody planned, and fields a call does not carry', () => {
      const screen = check({ type: 'screen', name: 'Home', properties: { tab: 'feed' } });
      expect(screen.ok && [screen.row.event, screen.row.schemaName]).toEqual(['Home', 'screen_home']);
      expect(codes({ type: 'screen', name: 'Settings' })).toEqual(['$.type UNPLANNED_EVENT']);
      expect(codes({ type: 'page', name: 'About', traits: {}, event: 'x', groupId: 'g' })).toEqual([
        '$.event ADDITIONAL_PROPERTIES',
        '$.groupId ADDITIONAL_PROPERTIES',
        '$.traits ADDITIONAL_PROPERTIES',
      ]);
    });

    it('checks group traits against the group schema and needs a groupId', () => {
      const group = check({ type: 'group', groupId: 'acme', traits: { plan: 'pro' } });
      expect(group.ok && group.row).toMatchObject({ type: 'group', event: 'group', schemaName: null, groupId: 'acme', properties: { plan: 'pro' } });
      expect(codes({ type: 'group', traits: { plan: 'gold' } })).toEqual(['$.groupId REQUIRED_MISSING', '$.traits.plan ACCEPTED_VALUES']);
      expect(codes({ type: 'group', groupId: 'acme', traits: { plan: 'pro' }, properties: {} })).toEqual(['$.properties ADDITIONAL_PROPERTIES']);
    });

    it('accepts an alias without a plan entry and needs its previousId and userId', () => {
      const alias = check({ type: 'alias', previousId: 'anon-1' });
      expect(alias.ok && alias.row).toMatchObject({ type: 'alias', event: 'alias', schemaName: null, schemaVersion: '', previousId: 'anon-1', userId: 'u1', properties: {} });
      expect(codes({ type: 'alias', userId: undefined, anonymousId: 'a', previousId: 'p' })).toEqual(['$.userId IDENTITY_MISSING']);
      expect(codes({ type: 'alias', traits: {} })).toEqual(['$.previousId REQUIRED_MISSING', '$.traits ADDITIONAL_PROPERTIES']);
    });

    it('accepts what Segment libraries add (integrations, _metadata, writeKey) and still refuses unknown fields', () => {
      expect(codes({ type: 'alias', previousId: 'p', integrations: { All: true }, _metadata: { jsRuntime: 'node' }, writeKey: 'k' })).toEqual([]);
      expect(codes({ type: 'alias', previousId: 'p', colour: 'red' })[0]).toMatch(/ADDITIONAL_PROPERTIES$/);
    });
  });
});
