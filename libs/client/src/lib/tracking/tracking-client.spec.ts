import { standInServer, type Received, type StandIn } from '../testing/stand-in-server';
import { PlatformApiError } from '../platform-api-error';
import { TrackingClient, type RejectedEvent, type TrackingClientOptions } from './tracking-client';
import type { OutgoingMessage } from './tracking-messages';

const ok = (req: Received) => {
  const batch = (req.json as { batch: unknown[] }).batch;
  return { json: { accepted: batch.length, duplicates: 0, rejected: 0, results: [] } };
};
const batchOf = (r: Received) => (r.json as { batch: OutgoingMessage[] }).batch;
const ids = (r: Received) => batchOf(r).map((m) => m.messageId);
const library = { name: '@mlp/client', version: '0.1.0' };

describe('TrackingClient', () => {
  let server: StandIn;
  let client: TrackingClient | undefined;
  const make = (options: Partial<TrackingClientOptions> = {}) => (client = new TrackingClient({ baseUrl: server.url, flushIntervalMs: 0, sleep: async () => undefined, ...options }));

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    client = undefined;
    await server?.close();
  });

  it('sends the six Segment calls to /v1/batch with exactly the spec fields, its token and a request id', async () => {
    server = await standInServer(ok);
    const t = make({ token: 'secret' });
    const at = '2026-01-02T03:04:05.000Z';
    t.track({ userId: 'u1', event: 'Order Completed', properties: { revenue: 12.5 }, messageId: 'm1', timestamp: new Date(at) });
    t.identify({ userId: 'u1', traits: { plan: 'pro' }, messageId: 'm2', timestamp: at, context: { ip: '1.2.3.4' } });
    t.page({ anonymousId: 'a1', name: 'Home', category: 'Shop', properties: { path: '/' }, messageId: 'm3', timestamp: at });
    t.screen({ userId: 'u1', name: 'Cart', messageId: 'm4', timestamp: at });
    t.group({ userId: 'u1', groupId: 'g1', traits: { seats: 3 }, messageId: 'm5', timestamp: at });
    t.alias({ userId: 'u1', previousId: 'a1', messageId: 'm6', timestamp: at, schemaVersion: '1-0-0' });
    const result = await t.flush();

    expect(server.received).toHaveLength(1);
    const [req] = server.received;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/batch');
    expect(req.headers['authorization']).toBe('Bearer secret');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const body = req.json as { batch: unknown[]; sentAt: string };
    expect(Object.keys(body).sort()).toEqual(['batch', 'sentAt']);
    expect(Number.isNaN(Date.parse(body.sentAt))).toBe(false);
    expect(body.batch).toEqual([
      { type: 'track', userId: 'u1', event: 'Order Completed', properties: { revenue: 12.5 }, messageId: 'm1', timestamp: at, context: { library } },
      { type: 'identify', userId: 'u1', traits: { plan: 'pro' }, messageId: 'm2', timestamp: at, context: { ip: '1.2.3.4', library } },
      { type: 'page', anonymousId: 'a1', name: 'Home', category: 'Shop', properties: { path: '/' }, messageId: 'm3', timestamp: at, context: { library } },
      { type: 'screen', userId: 'u1', name: 'Cart', messageId: 'm4', timestamp: at, context: { library } },
      { type: 'group', userId: 'u1', groupId: 'g1', traits: { seats: 3 }, messageId: 'm5', timestamp: at, context: { library } },
      { type: 'alias', userId: 'u1', previousId: 'a1', messageId: 'm6', timestamp: at, schemaVersion: '1-0-0', context: { library } },
    ]);
    expect(result).toEqual({ sent: 6, accepted: 6, duplicates: 0, rejected: 0, failed: 0, requests: 1 });
  });

  it('refuses calls the server would certainly refuse, before queueing them', async () => {
    server = await standInServer(ok);
    const t = make();
    expect(() => t.track({ event: 'x' })).toThrow('userId or anonymousId');
    expect(() => t.track({ userId: 'u', event: '' })).toThrow('event is required');
    expect(() => t.group({ userId: 'u', groupId: '' })).toThrow('groupId');
    expect(() => t.alias({ userId: 'u', previousId: '' })).toThrow('previousId');
    expect(t.pending).toBe(0);
  });

  it('sends on its own when flushAt events are queued', async () => {
    server = await standInServer(ok);
    const t = make({ flushAt: 3 });
    for (let i = 0; i < 3; i++) t.track({ userId: 'u', event: 'e', messageId: `m${i}` });
    await server.waitFor(1);
    expect(ids(server.received[0])).toEqual(['m0', 'm1', 'm2']);
  });

  it('sends queued events after flushIntervalMs, and not before', async () => {
    server = await standInServer(ok);
    const t = make({ flushAt: 100, flushIntervalMs: 150 });
    const started = Date.now();
    t.track({ userId: 'u', event: 'e', messageId: 'late' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(server.received).toHaveLength(0);
    await server.waitFor(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(ids(server.received[0])).toEqual(['late']);
  });

  it('retries 5xx, 429 and network errors with the same messageIds, waiting an exponential, jittered backoff (or Retry-After)', async () => {
    const script = [{ status: 503, json: { error: 'down', code: 'DEPENDENCY_UNAVAILABLE', details: [] } }, { status: 429, json: { error: 'slow down', code: 'RATE_LIMITED', details: [] }, headers: { 'retry-after': '2' } }, { drop: true }];
    server = await standInServer((req, n) => script[n] ?? ok(req));
    const waits: number[] = [];
    const t = make({ sleep: async (ms) => void waits.push(ms), random: () => 0.5, backoff: { baseMs: 200, maxMs: 30_000, jitter: 0.5 } });
    t.track({ userId: 'u', event: 'e', messageId: 'same' });
    const result = await t.flush();
    expect(server.received.map(ids)).toEqual([['same'], ['same'], ['same'], ['same']]);
    // ceiling 200, 400, 800 ms; half fixed, half jitter at 0.5 -> 150, 300 (server asked for 2 s), 600.
    expect(waits).toEqual([150, 2000, 600]);
    expect(result).toMatchObject({ accepted: 1, failed: 0, requests: 4 });
  });

  it('reports a batch it gave up on after maxRetries, with the last error, and does not retry 4xx', async () => {
    server = await standInServer((_req, n) => (n < 3 ? { status: 500, json: { error: 'boom', code: 'INTERNAL', details: [] } } : { status: 401, json: { error: 'no', code: 'UNAUTHENTICATED', details: [] } }));
    const failed: Array<[PlatformApiError, OutgoingMessage[]]> = [];
    const t = make({ maxRetries: 2, onDeliveryFailed: (e, m) => failed.push([e, m]) });
    t.track({ userId: 'u', event: 'e', messageId: 'lost' });
    expect(await t.flush()).toMatchObject({ failed: 1, requests: 3 });
    expect(server.received).toHaveLength(3);
    expect(failed).toHaveLength(1);
    expect(failed[0][0]).toBeInstanceOf(PlatformApiError);
    expect(failed[0][0]).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(failed[0][1].map((m) => m.messageId)).toEqual(['lost']);

    t.track({ userId: 'u', event: 'e', messageId: 'unauthorised' });
    expect(await t.flush()).toMatchObject({ failed: 1, requests: 1 });
    expect(server.received).toHaveLength(4);
    expect(failed[1][0]).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', retryable: false });
  });

  it('splits a batch answered 413 in halves until each part fits, delivering every event once and in order', async () => {
    server = await standInServer((req) => (batchOf(req).length > 2 ? { status: 413, json: { error: 'too large', code: 'REQUEST_TOO_LARGE', details: [] } } : ok(req)));
    const t = make();
    for (let i = 0; i < 5; i++) t.track({ userId: 'u', event: 'e', messageId: `m${i}` });
    const result = await t.flush();
    expect(server.received.map((r) => batchOf(r).length)).toEqual([5, 3, 2, 1, 2]);
    const delivered = server.received.filter((r) => batchOf(r).length <= 2).flatMap(ids);
    expect(delivered).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(result).toMatchObject({ accepted: 5, failed: 0, rejected: 0 });
  });

  it('reports a single event answered 413 as rejected with the server code', async () => {
    server = await standInServer(() => ({ status: 413, json: { error: 'big', code: 'EVENT_TOO_LARGE', details: [{ path: '$.batch[0]', code: 'EVENT_TOO_LARGE', message: '40000 bytes' }] } }));
    const rejected: RejectedEvent[] = [];
    const t = make({ onRejected: (e) => rejected.push(...e) });
    t.track({ userId: 'u', event: 'e', messageId: 'one' });
    await t.flush();
    expect(rejected).toEqual([expect.objectContaining({ code: 'EVENT_TOO_LARGE', errors: [{ path: '$.batch[0]', code: 'EVENT_TOO_LARGE', message: '40000 bytes' }] })]);
    expect(rejected[0].message.messageId).toBe('one');
  });

  it('hands events the server rejected to onRejected with their codes, matched by index', async () => {
    server = await standInServer(() => ({
      json: {
        accepted: 1,
        duplicates: 1,
        rejected: 1,
        results: [
          { index: 1, messageId: 'b', status: 'duplicate', errors: [] },
          { index: 2, messageId: 'c', status: 'rejected', errors: [{ path: '$.properties.revenue', code: 'DATATYPE_MISMATCH', message: 'must be number' }] },
        ],
      },
    }));
    const rejected: RejectedEvent[] = [];
    const t = make({ onRejected: (e) => rejected.push(...e) });
    for (const id of ['a', 'b', 'c']) t.track({ userId: 'u', event: 'e', messageId: id });
    expect(await t.flush()).toMatchObject({ accepted: 1, duplicates: 1, rejected: 1 });
    expect(rejected.map((r) => [r.message.messageId, r.code])).toEqual([['c', 'DATATYPE_MISMATCH']]);
  });

  it('rejects an event over 32 KiB locally and never sends it', async () => {
    server = await standInServer(ok);
    const rejected: RejectedEvent[] = [];
    const t = make({ onRejected: (e) => rejected.push(...e) });
    t.track({ userId: 'u', event: 'big', properties: { blob: 'x'.repeat(33 * 1024) } });
    t.track({ userId: 'u', event: 'small', messageId: 'small' });
    await t.flush();
    expect(rejected.map((r) => r.code)).toEqual(['EVENT_TOO_LARGE']);
    expect(server.received.flatMap(ids)).toEqual(['small']);
  });

  it('measures events in UTF-8 bytes, not characters: multi-byte text counts towards the 32 KiB limit and the request size', async () => {
    server = await standInServer(ok);
    const rejected: RejectedEvent[] = [];
    const t = make({ onRejected: (e) => rejected.push(...e), maxBatchBytes: 4000 });
    // 11,000 characters but 33,000 bytes: too large, though its length is under 32 KiB.
    t.track({ userId: 'u', event: 'euros', messageId: 'big', properties: { note: '€'.repeat(11_000) } });
    // 400 characters, 1,200 bytes each: three fit in 4,000 bytes by length, only two by size.
    for (let i = 0; i < 6; i++) t.track({ userId: 'u', event: 'e', messageId: `m${i}`, properties: { note: '€'.repeat(400) } });
    await t.flush();
    expect(rejected.map((r) => [r.message.messageId, r.code])).toEqual([['big', 'EVENT_TOO_LARGE']]);
    for (const r of server.received) expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(4000);
    expect(server.received.flatMap(ids)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(server.received.map((r) => batchOf(r).length)).toEqual([2, 2, 2]);
  });

  it('sends an event as it was when the call was made, with the client setting type and sentAt', async () => {
    server = await standInServer(ok);
    const t = make();
    const properties: Record<string, unknown> = { step: 1 };
    const params = { userId: 'u', event: 'e', messageId: 'm', properties, type: 'identify', sentAt: '2020-01-01T00:00:00.000Z' };
    t.track(params as Parameters<TrackingClient['track']>[0]);
    properties['step'] = 2;
    await t.flush();
    const [sent] = batchOf(server.received[0]) as Array<OutgoingMessage & { sentAt?: string }>;
    expect(sent).toMatchObject({ type: 'track', properties: { step: 1 } });
    expect(sent.sentAt).toBeUndefined();
  });

  it('keeps each request under maxBatchBytes and maxBatchEvents', async () => {
    server = await standInServer(ok);
    const t = make({ maxBatchBytes: 4000, maxBatchEvents: 4 });
    for (let i = 0; i < 10; i++) t.track({ userId: 'u', event: 'e', messageId: `m${i}`, properties: { pad: 'p'.repeat(900) } });
    await t.flush();
    for (const r of server.received) {
      expect(batchOf(r).length).toBeLessThanOrEqual(4);
      expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(4000);
    }
    expect(server.received.length).toBeGreaterThanOrEqual(3);
    expect(server.received.flatMap(ids)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it('loses nothing on close: everything queued, mid-flight or not, is delivered once, then new calls are refused', async () => {
    server = await standInServer(async (req) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return ok(req);
    });
    const t = make({ flushAt: 100, maxBatchEvents: 100, flushIntervalMs: 20 });
    for (let i = 0; i < 250; i++) t.track({ userId: 'u', event: 'e', messageId: `m${i}` });
    const result = await t.close();
    const delivered = server.received.flatMap(ids);
    expect(delivered).toHaveLength(250);
    expect(new Set(delivered).size).toBe(250);
    expect(result.failed).toBe(0);
    expect(t.pending).toBe(0);
    expect(() => t.track({ userId: 'u', event: 'e' })).toThrow(expect.objectContaining({ code: 'CLIENT_CLOSED' }));
  });
});
