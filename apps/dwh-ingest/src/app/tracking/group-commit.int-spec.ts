import type { IngestResponse } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyTrackingPlan, trackMessage } from '../test-support';
import { eventsCopyText, storeEventGroup, type FailedEventRow, type StoreRequest } from './event-writer';
import type { EventRow } from './message-validation';

let seq = 0;
const row = (messageId = `gc-${Date.now().toString(36)}-${++seq}`, over: Partial<EventRow> = {}): EventRow => ({
  messageId,
  type: 'track',
  event: 'product_viewed',
  schemaName: null,
  schemaVersion: '1-0-0',
  category: null,
  groupId: null,
  previousId: null,
  userId: 'u1',
  anonymousId: null,
  properties: { product_id: 'p1', price: 1 },
  context: null,
  deviceCreatedAt: '2026-11-20T10:00:00.000Z',
  deviceSentAt: null,
  receivedAt: '2026-11-20T10:00:01.000Z',
  derivedAt: '2026-11-20T10:00:00.000Z',
  ...over,
});
const rows = (n: number) => Array.from({ length: n }, () => row());
const failedRow = (messageId: string): FailedEventRow => ({
  messageId,
  event: 'rocket_launched',
  payload: { messageId, event: 'rocket_launched' },
  violations: [{ path: '$.event', code: 'UNPLANNED_EVENT', message: 'not in the tracking plan' }],
  receivedAt: '2026-11-20T10:00:01.000Z',
});
const request = (r: EventRow[], failed: FailedEventRow[] = []): StoreRequest => ({ rows: r, failed, text: eventsCopyText(r) });
const idsOf = (r: EventRow[]) => r.map((x) => x.messageId);

describe('group commit on a real PostgreSQL', () => {
  let svc: TestService;
  let db: Database;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    await applyTrackingPlan(svc);
    db = svc.app.get(Database);
  });
  afterAll(() => svc.close());

  const count = async (ids: string[]) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".events WHERE message_id = ANY($1)`, [ids]))[0].n);

  it("stores several requests' events and failed events in one commit and answers each request for its own rows", async () => {
    const a = rows(60);
    const b = rows(10);
    const rejectedId = `gc-bad-${++seq}`;
    const outcomes = await storeEventGroup(db, [request(a), request(b, [failedRow(rejectedId)]), request([], [failedRow(`${rejectedId}-2`)])]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    expect(await count([...idsOf(a), ...idsOf(b)])).toBe(70);
    // One transaction wrote them all: the same xmin on every event and failed event.
    const [tx] = await db.query<{ n: string }>(
      `SELECT count(DISTINCT x) AS n FROM (SELECT xmin::text AS x FROM "dwh".events WHERE message_id = ANY($1)
         UNION ALL SELECT xmin::text FROM "dwh".failed_events WHERE message_id = ANY($2)) t`,
      [[...idsOf(a), ...idsOf(b)], [rejectedId, `${rejectedId}-2`]],
    );
    expect(Number(tx.n)).toBe(1);
    const failedStored = await db.query(`SELECT 1 FROM "dwh".failed_events WHERE message_id = ANY($1)`, [[rejectedId, `${rejectedId}-2`]]);
    expect(failedStored).toHaveLength(2);
  });

  it('stores one row for concurrent retries in the same group and reports the later one as a duplicate', async () => {
    const shared = rows(55);
    const own = row();
    const outcomes = await storeEventGroup(db, [request(shared), request([...shared.slice(0, 5), own])]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    const [first, retry] = outcomes.map((o) => (o.ok ? o.value : undefined));
    // First request: everything of its own stored (null means all rows, a set names them).
    for (const id of idsOf(shared)) expect(first === null || first?.has(id)).toBe(true);
    expect([...shared.slice(0, 5), own].map((r) => retry?.has(r.messageId))).toEqual([false, false, false, false, false, true]);
    expect(await count([...idsOf(shared), own.messageId])).toBe(56);
  });

  it('stores one row for two retries of one message in the same small group (the insert path) and reports the second as a duplicate', async () => {
    const msg = row();
    const outcomes = await storeEventGroup(db, [request([msg]), request([msg])]);
    expect(outcomes.map((o) => (o.ok ? o.value?.has(msg.messageId) : 'failed'))).toEqual([true, false]);
    expect(await count([msg.messageId])).toBe(1);
  });

  it('names exactly the rows each request stored when the group COPY meets a messageId that is already stored', async () => {
    const earlier = rows(3);
    await storeEventGroup(db, [request(earlier)]);
    const a = rows(40);
    const b = [...rows(20), earlier[1]];
    const outcomes = await storeEventGroup(db, [request(a), request(b)]);
    const [sa, sb] = outcomes.map((o) => (o.ok ? o.value : undefined));
    expect(idsOf(a).every((id) => sa?.has(id))).toBe(true);
    expect(b.map((r) => sb?.has(r.messageId))).toEqual([...Array(20).fill(true), false]);
    expect(await count([...idsOf(a), ...idsOf(b)])).toBe(61);
  });

  it("fails only the request whose data PostgreSQL refuses; the other requests of the group are stored", async () => {
    const good = rows(40);
    const bad = [row(undefined, { properties: { product_id: 'nul \u0000 byte', price: 1 } }), ...rows(20)];
    const alsoGood = rows(30);
    const outcomes = await storeEventGroup(db, [request(good), request(bad), request(alsoGood)]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(await count(idsOf(good))).toBe(40);
    expect(await count(idsOf(alsoGood))).toBe(30);
    expect(await count(idsOf(bad))).toBe(0);
  });

  it('answers every concurrent request with its own counts and stores all their events', async () => {
    const batches = Array.from({ length: 12 }, (_, i) => Array.from({ length: 20 + i }, () => trackMessage()));
    const answers = await Promise.all(batches.map((batch) => callService(svc, 'POST', '/v1/batch', { batch })));
    expect(answers.map((a) => [a.status, a.json['accepted'], a.json['duplicates']])).toEqual(batches.map((b) => [200, b.length, 0]));
    expect(await count(batches.flat().map((m) => String(m['messageId'])))).toBe(batches.flat().length);
  });

  it('stores one row and answers one acceptance for concurrent retries of single messages', async () => {
    const msg = trackMessage();
    const answers = await Promise.all(Array.from({ length: 6 }, () => callService<IngestResponse>(svc, 'POST', '/v1/track', msg)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.map((a) => a.json['accepted']).sort()).toEqual([0, 0, 0, 0, 0, 1]);
    expect(answers.filter((a) => a.json['results'][0]?.status === 'duplicate')).toHaveLength(5);
    expect(await count([String(msg['messageId'])])).toBe(1);
  });
});
