import type { EventStats, ImportRunsPage, WarehouseLineage } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyTrackingPlan, applyWarehouse, trackMessage } from '../test-support';

const HOUR = 3_600_000;

describe('warehouse aggregates (events stats, imports, lineage) on a real PostgreSQL', () => {
  let svc: TestService;
  let db: Database;
  const get = <T extends object = Record<string, unknown>>(path: string) => callService<T>(svc, 'GET', path);
  // A fixed day in the past, so nothing the service writes by itself lands in it.
  const day = Date.parse('2026-03-10T00:00:00.000Z');

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0', OUTCOMES_REFRESH_SECONDS: '0' } });
    db = svc.app.get(Database);
    await applyTrackingPlan(svc);
    // Irregular counts over 30 hours: events by load time, failed events by received time with 1-2 codes.
    const events: Array<[string, string]> = [];
    const failed: Array<[string, string | null, string[]]> = [];
    const codes = ['UNPLANNED_EVENT', 'DATATYPE_MISMATCH', 'REQUIRED_MISSING'];
    for (let h = 0; h < 30; h++) {
      for (let i = 0; i < (h * 7) % 11; i++) events.push([`e-${h}-${i}`, new Date(day + h * HOUR + i * 60_000).toISOString()]);
      for (let i = 0; i < (h * 5) % 7; i++) {
        const c = i % 4 === 3 ? [codes[1], codes[2]] : [codes[(h + i) % 3]];
        failed.push([new Date(day + h * HOUR + i * 1000).toISOString(), i % 5 === 4 ? null : `ev_${(h + i) % 4}`, c]);
      }
    }
    await db.query(
      `INSERT INTO "dwh".events (message_id, type, event, schema_version, user_id, properties, device_created_at, received_at, derived_at, loaded_at)
       SELECT id, 'track', 'product_viewed', '1-0-0', 'u1', '{}', t, t, t, t FROM unnest($1::text[], $2::timestamptz[]) AS x(id, t)`,
      [events.map((e) => e[0]), events.map((e) => e[1])],
    );
    await db.query(
      `INSERT INTO "dwh".failed_events (message_id, event, payload, payload_sha256, violations, codes, received_at)
       SELECT 'f-' || n, ev, '{}', md5(n::text), '[]', string_to_array(c, ','), t FROM unnest($1::timestamptz[], $2::text[], $3::text[]) WITH ORDINALITY AS x(t, ev, c, n)`,
      [failed.map((f) => f[0]), failed.map((f) => f[1]), failed.map((f) => f[2].join(','))],
    );
    await db.query(`INSERT INTO "dwh".tracking_duplicates (hour, duplicates) VALUES ($1, 4), ($2, 9)`, [new Date(day + 2 * HOUR), new Date(day + 26 * HOUR)]);
  });
  afterAll(() => svc.close());

  /** The reference: every row read back and counted here, by hand. */
  async function bruteForce(from: number, to: number, bucketMs: number, top: number) {
    const ev = await db.query<{ t: Date }>(`SELECT loaded_at AS t FROM "dwh".events`);
    const fe = await db.query<{ t: Date; event: string | null; codes: string[] }>(`SELECT received_at AS t, event, codes FROM "dwh".failed_events`);
    const du = await db.query<{ t: Date; n: string }>(`SELECT hour AS t, duplicates AS n FROM "dwh".tracking_duplicates`);
    const inRange = (t: Date) => t.getTime() >= from && t.getTime() < to;
    const buckets = [];
    for (let b = from; b < to; b += bucketMs) {
      const inB = (t: Date) => t.getTime() >= b && t.getTime() < b + bucketMs;
      buckets.push({
        start: new Date(b).toISOString(),
        accepted: ev.filter((r) => inB(r.t)).length,
        rejected: fe.filter((r) => inB(r.t)).length,
        duplicates: du.filter((r) => inB(r.t)).reduce((s, r) => s + Number(r.n), 0),
      });
    }
    const codeCount = new Map<string, number>();
    const eventCount = new Map<string | null, number>();
    for (const r of fe.filter((x) => inRange(x.t))) {
      for (const c of r.codes) codeCount.set(c, (codeCount.get(c) ?? 0) + 1);
      eventCount.set(r.event, (eventCount.get(r.event) ?? 0) + 1);
    }
    const topCodes = [...codeCount].map(([code, events]) => ({ code, events })).sort((a, b) => b.events - a.events || a.code.localeCompare(b.code)).slice(0, top);
    const topEvents = [...eventCount]
      .map(([event, rejected]) => ({ event, rejected }))
      .sort((a, b) => b.rejected - a.rejected || (a.event === null ? 1 : b.event === null ? -1 : a.event < b.event ? -1 : a.event > b.event ? 1 : 0))
      .slice(0, top);
    return { buckets, topCodes, topEvents };
  }

  it('counts accepted, rejected and duplicates per hour and the top codes and events exactly as a count of every row', async () => {
    const from = day + 3 * HOUR;
    const to = day + 27 * HOUR;
    // from/to off the hour: rounded down and up.
    const res = await get<EventStats>(`/v1/events/stats?from=${new Date(from + 1234).toISOString()}&to=${new Date(to - 5000).toISOString()}&top=2`);
    expect(res.status).toBe(200);
    const expected = await bruteForce(from, to, HOUR, 2);
    expect(res.json.from).toBe(new Date(from).toISOString());
    expect(res.json.to).toBe(new Date(to).toISOString());
    expect(res.json.buckets).toEqual(expected.buckets);
    expect(res.json.buckets).toHaveLength(24);
    expect(res.json.totals).toEqual({
      accepted: expected.buckets.reduce((s, b) => s + b.accepted, 0),
      rejected: expected.buckets.reduce((s, b) => s + b.rejected, 0),
      duplicates: 9,
    });
    expect(res.json.topCodes).toEqual(expected.topCodes);
    expect(res.json.topEvents).toEqual(expected.topEvents);
    expect(res.json.totals.accepted).toBeGreaterThan(100);
  });

  it('answers days in UTC with the same reference, and a window with nothing in it as zeros', async () => {
    const res = await get<EventStats>(`/v1/events/stats?from=2026-03-10T00:00:00Z&to=2026-03-12T00:00:00Z&bucket=day&top=10`);
    expect(res.status).toBe(200);
    const expected = await bruteForce(day, day + 48 * HOUR, 24 * HOUR, 10);
    expect(res.json.buckets).toEqual(expected.buckets);
    expect(res.json.topCodes).toEqual(expected.topCodes);
    expect(res.json.topEvents).toEqual(expected.topEvents);
    expect(res.json.topEvents.some((e) => e.event === null)).toBe(true);

    const empty = await get<EventStats>(`/v1/events/stats?from=2025-01-01T00:00:00Z&to=2025-01-01T03:00:00Z`);
    expect(empty.json.buckets.map((b) => [b.accepted, b.rejected, b.duplicates])).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect([empty.json.topCodes, empty.json.topEvents]).toEqual([[], []]);
  });

  it('stays exact when failed events change (a replay finding other codes) or go (retention), as the hourly counts follow by trigger', async () => {
    await db.query(`UPDATE "dwh".failed_events SET codes = ARRAY['PATTERN_MISMATCH'], event = NULL WHERE id % 5 = 0 AND received_at < $1`, [new Date(day + 10 * HOUR)]);
    await db.query(`UPDATE "dwh".failed_events SET replayed_at = now(), replay_status = 'still_invalid' WHERE id % 3 = 0`);
    await db.query(`DELETE FROM "dwh".failed_events WHERE id % 7 = 0 AND received_at >= $1`, [new Date(day + 20 * HOUR)]);
    const res = await get<EventStats>(`/v1/events/stats?from=2026-03-10T00:00:00Z&to=2026-03-11T06:00:00Z&top=10`);
    const expected = await bruteForce(day, day + 30 * HOUR, HOUR, 10);
    expect(res.json.buckets).toEqual(expected.buckets);
    expect(res.json.topCodes).toEqual(expected.topCodes);
    expect(res.json.topCodes.map((c) => c.code)).toContain('PATTERN_MISMATCH');
    expect(res.json.topEvents).toEqual(expected.topEvents);
    const [left] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".failed_event_counts WHERE messages <= 0`);
    expect(Number(left.n)).toBe(0);
  });

  it('counts what live tracking accepts, rejects and deduplicates in the current hour', async () => {
    const before = (await get<EventStats>('/v1/events/stats?top=100')).json;
    const now = (s: EventStats) => s.buckets[s.buckets.length - 1];
    const good = [1, 2, 3].map((i) => trackMessage({ messageId: `live-${i}` }));
    const bad = trackMessage({ messageId: 'live-bad', event: 'never_planned' });
    expect((await callService(svc, 'POST', '/v1/batch', { batch: [...good, bad] })).json).toMatchObject({ accepted: 3, rejected: 1 });
    expect((await callService(svc, 'POST', '/v1/batch', { batch: [good[0], good[1]] })).json).toMatchObject({ accepted: 0, duplicates: 2 });
    const after = (await get<EventStats>('/v1/events/stats?top=100')).json;
    // The hour may have turned between the two reads: compare totals over the 24 hours then.
    const delta = (k: 'accepted' | 'rejected' | 'duplicates') => (after.to === before.to ? now(after)[k] - now(before)[k] : after.totals[k] - before.totals[k]);
    expect([delta('accepted'), delta('rejected'), delta('duplicates')]).toEqual([3, 1, 2]);
    expect(after.topEvents).toEqual(expect.arrayContaining([{ event: 'never_planned', rejected: 1 }]));
  });

  it('refuses a window it cannot answer with 400 and a code', async () => {
    const reversed = await get('/v1/events/stats?from=2026-03-10T05:00:00Z&to=2026-03-10T01:00:00Z');
    expect([reversed.status, reversed.json['code']]).toEqual([400, 'INVALID_STATS_QUERY']);
    const tooMany = await get('/v1/events/stats?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect([tooMany.status, tooMany.json['code']]).toEqual([400, 'INVALID_STATS_QUERY']);
    const notADate = await get('/v1/events/stats?from=monday');
    expect([notADate.status, notADate.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
    const badBucket = await get('/v1/events/stats?bucket=minute');
    expect(badBucket.status).toBe(400);
  });

  it('lists imports newest first with their counts, paged by cursor', async () => {
    await applyWarehouse(svc, {
      project: 'paint-stats',
      sources: [{ name: 'paints', columns: [{ name: 'paint_id', type: 'integer', required: true }, { name: 'hue', type: 'text', required: true }] }],
    });
    const upload = async (csv: string) => {
      const res = await fetch(`${svc.url}/v1/imports/paints`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
      expect(res.status).toBe(201);
      return (await res.json()) as { importId: string };
    };
    const first = await upload('paint_id,hue\n1,red\nx,blue\n');
    const second = await upload('paint_id,hue\n2,green\n3,\n4,teal\n');
    const page1 = await get<ImportRunsPage>('/v1/imports/runs?source=paints&limit=1');
    expect(page1.json.items).toEqual([expect.objectContaining({ importId: second.importId, source: 'paints', status: 'completed', rowsAccepted: 2, rowsRejected: 1 })]);
    const page2 = await get<ImportRunsPage>(`/v1/imports/runs?source=paints&limit=1&cursor=${page1.json.nextCursor}`);
    expect(page2.json.items).toEqual([expect.objectContaining({ importId: first.importId, rowsAccepted: 1, rowsRejected: 1 })]);
    expect(page2.json.nextCursor).toBeNull();
    const bad = await get('/v1/imports/runs?cursor=yesterday');
    expect([bad.status, bad.json['code']]).toEqual([400, 'INVALID_CURSOR']);
  });

  it('draws the model DAG with each model\'s last build, latest test results and freshness', async () => {
    await applyWarehouse(svc, {
      project: 'paint-stats',
      sources: [{ name: 'paints', columns: [{ name: 'paint_id', type: 'integer', required: true }, { name: 'hue', type: 'text', required: true }] }],
      models: [
        { name: 'stg_paints', layer: 'staging', materialized: 'view', sql: 'SELECT paint_id, hue, loaded_at FROM src_paints' },
        {
          name: 'mart_paints',
          layer: 'marts',
          materialized: 'table',
          sql: 'SELECT paint_id, hue, loaded_at FROM stg_paints',
          tests: [{ kind: 'unique', columns: ['paint_id'] }, { kind: 'accepted_values', column: 'hue', values: ['red', 'green'], severity: 'warn' }],
          freshness: { column: 'loaded_at', warn_after: '1h', error_after: '1d' },
        },
      ],
    });
    const run = await callService(svc, 'POST', '/v1/transformations/run', { project: 'paint-stats' });
    expect(run.status).toBe(200);
    expect((await get('/v1/sla')).status).toBe(200);
    const res = await get<WarehouseLineage>('/v1/lineage');
    expect(res.status).toBe(200);
    const byId = new Map(res.json.nodes.map((n) => [n.id, n]));
    expect(byId.get('source:src_paints')).toMatchObject({ kind: 'source', project: 'paint-stats', layer: 'source', lastRun: null });
    expect(byId.get('model:stg_paints')).toMatchObject({ layer: 'staging', materialized: 'view', lastRun: { status: 'success' } });
    const mart = byId.get('model:mart_paints');
    expect(mart).toMatchObject({ layer: 'marts', lastRun: { status: 'success', rows: 3 }, freshness: { status: 'ok' } });
    // 3 rows loaded (1 red, green, teal): unique passes, the warn test finds teal.
    expect(mart?.tests).toEqual([
      expect.objectContaining({ test: 'unique(paint_id) [error]', status: 'pass', failures: 0 }),
      expect.objectContaining({ test: 'accepted_values(hue) [warn]', status: 'fail', failures: 1 }),
    ]);
    expect(res.json.edges).toEqual(expect.arrayContaining([
      { from: 'source:src_paints', to: 'model:stg_paints' },
      { from: 'model:stg_paints', to: 'model:mart_paints' },
    ]));
    expect(res.json.edges.filter((e) => e.to === 'model:mart_paints')).toHaveLength(1);
  });
});
