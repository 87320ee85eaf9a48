import type { ErrorResponse, IngestResponse } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import net from 'node:net';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyTrackingPlan, trackMessage } from '../test-support';

describe('tracking API on a real PostgreSQL', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule);
    await applyTrackingPlan(svc);
  });
  afterAll(() => svc.close());

  const count = async (sql: string, params: unknown[] = []) => {
    const rows = await svc.app.get(Database).query<{ n: string }>(sql, params);
    return Number(rows[0].n);
  };

  it('stores a track call with device, sent, received, loaded and derived timestamps', async () => {
    const msg = trackMessage({ timestamp: '2026-11-20T10:00:00.000Z', sentAt: '2026-11-20T10:00:05.000Z' });
    const before = Date.now();
    const res = await callService(svc, 'POST', '/v1/track', msg);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ accepted: 1, duplicates: 0, rejected: 0, results: [] });
    const [row] = await svc.app.get(Database).query<Record<string, Date>>(
      `SELECT device_created_at, device_sent_at, received_at, derived_at, loaded_at FROM "dwh".events WHERE message_id = $1`,
      [msg['messageId']],
    );
    expect(row.device_created_at.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(row.device_sent_at.toISOString()).toBe('2026-11-20T10:00:05.000Z');
    expect(row.received_at.getTime()).toBeGreaterThanOrEqual(before - 5);
    // The device clock is skewed by (received - sent); the derived time corrects the event time by it.
    expect(row.derived_at.getTime() - row.device_created_at.getTime()).toBe(row.received_at.getTime() - row.device_sent_at.getTime());
    expect(row.loaded_at.getTime()).toBeGreaterThanOrEqual(row.received_at.getTime() - 1000);
  });

  it('never stores a second row for concurrent retries of the same messages', async () => {
    const batch = Array.from({ length: 50 }, () => trackMessage());
    const answers = await Promise.all(Array.from({ length: 8 }, () => callService<IngestResponse>(svc, 'POST', '/v1/batch', { batch })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.reduce((s, a) => s + a.json['accepted'], 0)).toBe(50);
    expect(answers.reduce((s, a) => s + a.json['duplicates'], 0)).toBe(7 * 50);
    const ids = batch.map((m) => m['messageId']);
    expect(await count(`SELECT count(*) AS n FROM "dwh".events WHERE message_id = ANY($1)`, [ids])).toBe(50);
    const dup = answers.find((a) => a.json['duplicates'] > 0);
    expect(dup?.json['results'][0]).toMatchObject({ status: 'duplicate', errors: [] });
  });

  it('reports exactly the stored and the duplicate messages of a large batch that mixes new and retried ones', async () => {
    const first = Array.from({ length: 60 }, () => trackMessage());
    expect((await callService(svc, 'POST', '/v1/batch', { batch: first })).json).toMatchObject({ accepted: 60, duplicates: 0 });
    const fresh = Array.from({ length: 10 }, () => trackMessage());
    const mixed = await callService<IngestResponse>(svc, 'POST', '/v1/batch', { batch: [...fresh, ...first.slice(0, 50)] });
    expect(mixed.json).toMatchObject({ accepted: 10, duplicates: 50, rejected: 0 });
    expect(mixed.json['results'].map((r) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => i + 10));
    const ids = [...first, ...fresh].map((m) => m['messageId']);
    expect(await count(`SELECT count(*) AS n FROM "dwh".events WHERE message_id = ANY($1)`, [ids])).toBe(70);
  });

  it('answers 200 with per-event statuses and stores rejected events with codes and paths', async () => {
    const good = trackMessage();
    const unplanned = trackMessage({ event: 'rocket_launched', properties: {} });
    const missing = trackMessage({ event: 'order_completed', properties: { order_id: 'o1', items: 1 } });
    const wrongType = trackMessage({ properties: { product_id: 'p1', price: 'cheap' } });
    const extra = trackMessage({ properties: { product_id: 'p1', price: 1, colour: 'red' } });
    const anonymousless = trackMessage({ userId: undefined });
    const inBatchDuplicate = { ...good };
    const res = await callService(svc, 'POST', '/v1/batch', { batch: [good, unplanned, missing, wrongType, extra, anonymousless, inBatchDuplicate, 42] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ accepted: 1, duplicates: 1, rejected: 6 });
    const byIndex = Object.fromEntries((res.json['results'] as Array<{ index: number; errors: unknown[] }>).map((r) => [r.index, r]));
    expect(byIndex[1]).toMatchObject({ status: 'rejected', messageId: unplanned['messageId'], errors: [{ path: '$.event', code: 'UNPLANNED_EVENT' }] });
    expect(byIndex[2].errors).toEqual([expect.objectContaining({ path: '$.properties.revenue', code: 'REQUIRED_MISSING' })]);
    expect(byIndex[3].errors).toEqual([expect.objectContaining({ path: '$.properties.price', code: 'DATATYPE_MISMATCH' })]);
    expect(byIndex[4].errors).toEqual([expect.objectContaining({ path: '$.properties.colour', code: 'ADDITIONAL_PROPERTIES' })]);
    expect(byIndex[5].errors).toEqual([expect.objectContaining({ code: 'IDENTITY_MISSING' })]);
    expect(byIndex[6]).toMatchObject({ status: 'duplicate', messageId: good['messageId'] });
    expect(byIndex[7]).toMatchObject({ status: 'rejected', messageId: null });
    const [failed] = await svc.app.get(Database).query<{ payload: unknown; codes: string[]; received_at: Date }>(
      `SELECT payload, codes, received_at FROM "dwh".failed_events WHERE message_id = $1`,
      [wrongType['messageId']],
    );
    expect(failed.payload).toEqual(wrongType);
    expect(failed.codes).toEqual(['DATATYPE_MISMATCH']);
    expect(failed.received_at).toBeInstanceOf(Date);
  });

  it('stores the 99 valid events of a batch whose 100th holds a lone surrogate, and keeps that one in failed events', async () => {
    const valid = Array.from({ length: 99 }, () => trackMessage());
    const bad = trackMessage({ properties: { product_id: 'p\ud800', price: 1 } });
    const res = await callService<IngestResponse>(svc, 'POST', '/v1/batch', { batch: [...valid, bad] });
    expect([res.status, res.json.accepted, res.json.rejected]).toEqual([200, 99, 1]);
    expect(res.json.results).toEqual([expect.objectContaining({ index: 99, status: 'rejected', errors: [expect.objectContaining({ path: '$.properties.product_id', code: 'INVALID_CHARACTER' })] })]);
    const [failed] = await svc.app.get(Database).query<{ payload: { properties: Record<string, string> }; payload_raw: string }>(`SELECT payload, payload_raw FROM "dwh".failed_events WHERE message_id = $1`, [bad['messageId']]);
    expect(failed.payload.properties.product_id).toBe('p\ufffd');
    expect(JSON.parse(failed.payload_raw).properties.product_id).toBe('p\ud800');
  });

  it('rejects an event nested deeper than the kit allows alone, and refuses a body nested 5,000 deep with 400', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const res = await callService<IngestResponse>(svc, 'POST', '/v1/batch', { batch: [trackMessage(), trackMessage({ context: { deep } })] });
    expect([res.status, res.json.accepted, res.json.rejected]).toEqual([200, 1, 1]);
    expect(res.json.results[0].errors[0].code).toBe('NESTING_TOO_DEEP');
    const body = `{"type":"track","properties":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    for (const route of ['/v1/track', '/v1/identify', '/v1/batch']) {
      const deeper = await callService(svc, 'POST', route, route === '/v1/batch' ? `{"batch":[${body}]}` : body);
      expect([route, deeper.status, deeper.json['code']]).toEqual([route, 400, 'NESTING_TOO_DEEP']);
    }
  });

  it('refuses a body that is not a batch envelope with 400', async () => {
    const res = await callService(svc, 'POST', '/v1/batch', { events: [] });
    expect([res.status, res.json['code']]).toEqual([400, 'INVALID_ENVELOPE']);
    const notObject = await callService(svc, 'POST', '/v1/track', [1, 2]);
    expect([notObject.status, notObject.json['code']]).toEqual([400, 'INVALID_ENVELOPE']);
  });

  it('refuses prototype-poisoning keys with 400 and finds U+0000 anywhere in a batch', async () => {
    const proto = await callService(svc, 'POST', '/v1/batch', '{"batch":[{"__proto__":{"admin":true}}]}');
    expect([proto.status, proto.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
    const ctor = await callService(svc, 'POST', '/v1/batch', '{"batch":[],"context":{"constructor":{"prototype":{"admin":true}}}}');
    expect([ctor.status, ctor.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
    const nul = await callService<IngestResponse>(svc, 'POST', '/v1/batch', { batch: [trackMessage(), trackMessage({ properties: { product_id: 'p\u0000', price: 1 } })] });
    expect([nul.status, nul.json['accepted'], nul.json['rejected']]).toEqual([200, 1, 1]);
    expect(nul.json['results'][0]).toMatchObject({ index: 1, errors: [{ path: '$.properties.product_id', code: 'INVALID_CHARACTER' }] });
  });

  it('answers 413 with a code for an event over 32 KB, a request over 500 KB and a batch over 2,500 events', async () => {
    const big = trackMessage({ context: { blob: 'x'.repeat(33 * 1024) } });
    const event = await callService<ErrorResponse>(svc, 'POST', '/v1/batch', { batch: [trackMessage(), big] });
    expect([event.status, event.json['code']]).toEqual([413, 'EVENT_TOO_LARGE']);
    expect(event.json['details'][0]).toMatchObject({ path: '$.batch[1]', code: 'EVENT_TOO_LARGE' });
    const many = Array.from({ length: 20 }, () => trackMessage({ context: { blob: 'y'.repeat(30 * 1024) } }));
    const request = await callService(svc, 'POST', '/v1/batch', { batch: many });
    expect([request.status, request.json['code']]).toEqual([413, 'REQUEST_TOO_LARGE']);
    const chunked = await fetch(`${svc.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([JSON.stringify({ batch: many })]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect([chunked.status, ((await chunked.json()) as { code: string }).code]).toEqual([413, 'REQUEST_TOO_LARGE']);
    const batch = Array.from({ length: 2501 }, (_, i) => ({ messageId: `n${i}` }));
    const count = await callService(svc, 'POST', '/v1/batch', { batch });
    expect([count.status, count.json['code']]).toEqual([413, 'BATCH_TOO_LARGE']);
    expect(svc.logs.find((l) => l['level'] === 50)).toEqual([]);
  });

  it('refuses a body that is not JSON with 415, and survives its client hanging up (found by the OpenAPI fuzz)', async () => {
    // NDJSON has a parser in this service (imports) but is no tracking call: answered at once, the
    // body (declared longer than sent) never read. The client then closes: the aborted body must
    // not take the process down.
    const port = Number(new URL(svc.url).port);
    for (const path of ['/v1/track', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias', '/v1/batch']) {
      const answer = await new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`POST ${path}?limit=2147483648 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 500\r\n\r\n{"messageId":"m1"`);
        });
        let text = '';
        socket.on('data', (d) => {
          text += d;
          socket.destroy();
        });
        socket.on('close', () => resolve(text.split('\r\n')[0]));
        socket.on('error', () => undefined);
      });
      expect(answer).toBe('HTTP/1.1 415 Unsupported Media Type');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await callService(svc, 'POST', '/v1/track', trackMessage())).status).toBe(200);
  });
});
