import type { FailedEventsPage, RegisteredEventSchema, ReplayResult } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyTrackingPlan, trackMessage } from '../test-support';

/** What these tests read of an event's JSON Schema (an object schema, as the tracking plan writes them). */
type PropertiesSchema = { required: string[]; properties: Record<string, unknown> };

describe('failed events, schema registry and replay on a real PostgreSQL', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    await applyTrackingPlan(svc);
  });
  afterAll(() => svc.close());

  const couponOrder = trackMessage({ messageId: 'o-coupon', event: 'order_completed', properties: { order_id: 'o1', revenue: 10, items: 1, coupon: 'XMAS' } });
  const wishlist = [1, 2, 3].map((i) => trackMessage({ messageId: `w-${i}`, event: 'wishlist_added', properties: { product_id: `p${i}` } }));

  it('lists failed events by code and event with keyset pagination', async () => {
    const res = await callService(svc, 'POST', '/v1/batch', { batch: [couponOrder, ...wishlist] });
    expect(res.json).toMatchObject({ accepted: 0, rejected: 4 });
    // The same bad messages retried are stored once.
    await callService(svc, 'POST', '/v1/batch', { batch: [couponOrder, ...wishlist] });
    const first = await callService<FailedEventsPage>(svc, 'GET', '/v1/failed-events?code=UNPLANNED_EVENT&limit=2');
    expect(first.status).toBe(200);
    expect(first.json['items'].map((i) => i.messageId)).toEqual(['w-3', 'w-2']);
    const second = await callService<FailedEventsPage>(svc, 'GET', `/v1/failed-events?code=UNPLANNED_EVENT&limit=2&cursor=${first.json['nextCursor']}`);
    expect(second.json['items'].map((i) => i.messageId)).toEqual(['w-1']);
    expect(second.json['nextCursor']).toBeNull();
    const byEvent = await callService(svc, 'GET', '/v1/failed-events?event=order_completed');
    expect(byEvent.json['items']).toEqual([
      expect.objectContaining({
        messageId: 'o-coupon',
        payload: couponOrder,
        codes: ['ADDITIONAL_PROPERTIES'],
        violations: [expect.objectContaining({ path: '$.properties.coupon', code: 'ADDITIONAL_PROPERTIES' })],
        replayStatus: null,
      }),
    ]);
    const bad = await callService(svc, 'GET', '/v1/failed-events?limit=lots');
    expect([bad.status, bad.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('refuses an ADDITION that is not backward compatible with 409 and the reason, and accepts compatible ones', async () => {
    const current = (await callService<RegisteredEventSchema & { schema: PropertiesSchema }>(svc, 'GET', '/v1/schemas/order_completed/1-0-0')).json['schema'];
    const requiredAdded = { ...current, required: [...current.required, 'coupon'], properties: { ...current.properties, coupon: { type: 'string' } } };
    const refused = await callService(svc, 'POST', '/v1/schemas', { name: 'order_completed', version: '1-0-1', schema: requiredAdded });
    expect([refused.status, refused.json['code']]).toEqual([409, 'INCOMPATIBLE_SCHEMA_CHANGE']);
    expect(refused.json['details']).toEqual([expect.objectContaining({ path: '$.coupon', message: 'becomes required' })]);
    const narrowed = { ...current, properties: { ...current.properties, revenue: { type: 'integer', minimum: 0 } } };
    const typeRefused = await callService(svc, 'POST', '/v1/schemas', { name: 'order_completed', version: '1-0-1', schema: narrowed });
    expect(typeRefused.status).toBe(409);
    expect(typeRefused.json['error']).toMatch(/\$\.revenue no longer accepts type number/);
    const gap = await callService(svc, 'POST', '/v1/schemas', { name: 'order_completed', version: '1-0-3', schema: current });
    expect([gap.status, gap.json['code']]).toEqual([409, 'VERSION_NOT_NEXT']);
    const invalid = await callService(svc, 'POST', '/v1/schemas', { name: 'order_completed', version: '1.0.1', schema: current });
    expect(invalid.status).toBe(400);
    const withCoupon = { ...current, properties: { ...current.properties, coupon: { type: 'string', maxLength: 32 } } };
    const ok = await callService(svc, 'POST', '/v1/schemas', { name: 'order_completed', version: '1-0-1', schema: withCoupon });
    expect([ok.status, ok.json['change']]).toEqual([201, 'addition']);
    const again = await callService(svc, 'POST', '/v1/schemas', { name: 'order_completed', version: '1-0-1', schema: withCoupon });
    expect(again.status).toBe(200);
    const list = await callService<{ schemas: RegisteredEventSchema[] }>(svc, 'GET', '/v1/schemas');
    expect(list.json['schemas'].filter((s) => s.name === 'order_completed').map((s) => s.version)).toEqual(['1-0-0', '1-0-1']);
    expect((await callService(svc, 'GET', '/v1/schemas/order_completed/9-9-9')).status).toBe(404);
  });

  it('replays failed events against the current plan and accepts each at most once, even when replays race', async () => {
    const early = await callService(svc, 'POST', '/v1/failed-events/replay', { event: 'wishlist_added' });
    expect(early.json).toMatchObject({ replayed: 3, accepted: 0, stillInvalid: 3 });

    const wishlistSchema = { type: 'object', required: ['product_id'], properties: { product_id: { type: 'string' } }, additionalProperties: false };
    expect((await callService(svc, 'POST', '/v1/schemas', { name: 'wishlist_added', version: '1-0-0', schema: wishlistSchema })).status).toBe(201);
    const racing = await Promise.all([1, 2, 3, 4].map(() => callService<ReplayResult>(svc, 'POST', '/v1/failed-events/replay', { code: 'UNPLANNED_EVENT' })));
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(racing.reduce((n, r) => n + r.json['accepted'], 0)).toBe(3);

    const coupon = await callService(svc, 'POST', '/v1/failed-events/replay', { event: 'order_completed' }, { 'idempotency-key': 'replay-1' });
    expect(coupon.json).toMatchObject({ replayed: 1, accepted: 1, results: [expect.objectContaining({ messageId: 'o-coupon', status: 'accepted' })] });
    const repeated = await callService(svc, 'POST', '/v1/failed-events/replay', { event: 'order_completed' }, { 'idempotency-key': 'replay-1' });
    expect(repeated.json).toEqual(coupon.json);
    const fresh = await callService(svc, 'POST', '/v1/failed-events/replay', { event: 'order_completed' });
    expect(fresh.json).toMatchObject({ replayed: 0, accepted: 0 });

    const [stored] = await svc.app.get(Database).query<{ n: string; v: string }>(
      `SELECT count(*) AS n, max(schema_version) AS v FROM "dwh".events WHERE message_id = ANY($1)`,
      [['o-coupon', 'w-1', 'w-2', 'w-3']],
    );
    expect(stored).toEqual({ n: '4', v: '1-0-1' });
    const [received] = await svc.app.get(Database).query<{ same: boolean }>(
      `SELECT e.received_at = f.received_at AS same FROM "dwh".events e JOIN "dwh".failed_events f USING (message_id) WHERE message_id = 'o-coupon'`,
    );
    expect(received.same).toBe(true);
    const pending = await callService(svc, 'GET', '/v1/failed-events?status=pending');
    expect(pending.json['items']).toEqual([]);
    const replayNothing = await callService(svc, 'POST', '/v1/failed-events/replay', {});
    expect([replayNothing.status, replayNothing.json['code']]).toEqual([400, 'REPLAY_FILTER_REQUIRED']);
  });
  it('rejects U+0000 with INVALID_CHARACTER and keeps the message byte for byte, never a 500', async () => {
    const nul = trackMessage({ messageId: 'nul-1', event: 'page_viewed', userId: 'u\u0000x', properties: { path: '/a\u0000b' } });
    const fine = trackMessage({ messageId: 'nul-sibling', event: 'page_viewed', properties: { path: '/ok' } });
    const res = await callService(svc, 'POST', '/v1/batch', { batch: [nul, fine] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 1, rejected: 1, results: [expect.objectContaining({ messageId: 'nul-1', errors: [expect.objectContaining({ path: '$.userId', code: 'INVALID_CHARACTER' })] })] });
    const stored = (await callService<FailedEventsPage>(svc, 'GET', '/v1/failed-events?code=INVALID_CHARACTER')).json['items'];
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].payloadRaw ?? 'null')).toEqual(nul);
    expect(stored[0].payload).toHaveProperty('properties', { path: '/a\ufffdb' });
    const keys = await callService(svc, 'POST', '/v1/track', trackMessage({ messageId: 'nul-key', event: 'page_viewed', properties: { ['pa\u0000th']: '/x' } }));
    expect([keys.status, keys.json['rejected']]).toEqual([200, 1]);
    // A replay validates what was sent, not the readable copy: still invalid, still nothing loaded.
    const replay = await callService(svc, 'POST', '/v1/failed-events/replay', { code: 'INVALID_CHARACTER' });
    expect(replay.json).toMatchObject({ replayed: 2, accepted: 0, stillInvalid: 2 });
  });
});
