import type { KpiReport } from '@mlp/contracts';
import { Database, verifyWebhook, webhookKey } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { storeProjectObjects } from '../test-support';
import { KpiReports } from './kpi-reports';

type Delivery = { headers: http.IncomingHttpHeaders; body: string };

// A KPI with a report schedule, two dwh-ingest replicas on one real PostgreSQL, and a local HTTP
// receiver standing for the BI team's webhook: one signed report per occurrence, with the points
// summed here by hand from the rows.
describe('scheduled KPI reports through the webhooks', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const deliveries: Delivery[] = [];
  let receiver: http.Server;
  let replicas: TestService[];
  const sales: Array<[string, number]> = [];
  for (let d = 0; d < 12; d++) for (let i = 0; i <= d % 4; i++) sales.push([new Date(Date.UTC(2026, 10, 27 + d, 9 + i)).toISOString(), 5 + d * 3 + i]);
  const expected = (from: string, to: string) => {
    const byDay = new Map<string, number>();
    for (const [at, amount] of sales) {
      const day = at.slice(0, 10);
      if (day >= from && day <= to) byDay.set(day, (byDay.get(day) ?? 0) + amount);
    }
    return [...byDay].sort(([a], [b]) => a.localeCompare(b)).map(([date, value]) => ({ date, value }));
  };
  const ticks = (at: string) => Promise.all(replicas.map((r) => r.app.get(KpiReports).tick(new Date(at))));

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/kpi`;
    const env = {
      TRANSFORM_INTERVAL_SECONDS: '0',
      SLA_CHECK_INTERVAL_SECONDS: '0',
      OUTCOMES_REFRESH_SECONDS: '0',
      KPI_REPORT_POLL_MS: '0',
      OUTBOX_POLL_MS: '100',
      // The receiver takes SLA events only: a report addressed to it by name is delivered all the same.
      WEBHOOKS: JSON.stringify([{ name: 'bi-team', url, secret, events: ['dwh.sla.*'] }]),
    };
    const first = await startTestService(service, AppModule, { env });
    replicas = [first, await startTestService(service, AppModule, { env, db: first.db })];
    const db = first.app.get(Database);
    await db.query(`CREATE TABLE "dwh".test_sales (sold_at timestamptz, amount numeric(10,2))`);
    await db.query(`INSERT INTO "dwh".test_sales SELECT a::timestamptz, m FROM unnest($1::text[], $2::numeric[]) AS t(a, m)`, [sales.map((s) => s[0]), sales.map((s) => s[1])]);
    await storeProjectObjects(db, 'bi', [
      {
        kind: 'kpi',
        name: 'weekly_sales',
        definition: { name: 'weekly_sales', unit: 'EUR', sql: 'SELECT sold_at::date AS date, sum(amount) AS value FROM dwh.test_sales GROUP BY 1', report: { schedule: '0 7 * * 1', webhook: 'bi-team' } },
      },
      { kind: 'kpi', name: 'unreported', definition: { name: 'unreported', sql: 'SELECT sold_at::date AS date, count(*) AS value FROM dwh.test_sales GROUP BY 1' } },
    ]);
  }, 90000);

  afterAll(async () => {
    await replicas[1]?.close();
    await replicas[0]?.close();
    receiver.close();
  });

  const waitForDeliveries = async (n: number) => {
    for (let i = 0; i < 100 && deliveries.length < n; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500)); // and nothing more arrives
  };

  it('sends one signed report per occurrence, however many replicas, with the points of the week before', async () => {
    const sent = await ticks('2026-12-07T07:20:00Z'); // a Monday, 20 minutes after 07:00
    expect(sent.reduce((a, b) => a + b, 0)).toBe(1);
    await waitForDeliveries(1);
    expect(deliveries).toHaveLength(1);
    const [d] = deliveries;
    const check = verifyWebhook(webhookKey(secret), { id: d.headers['webhook-id'] as string, timestamp: d.headers['webhook-timestamp'] as string, signature: d.headers['webhook-signature'] as string }, d.body);
    expect(check).toEqual({ ok: true });
    const envelope = JSON.parse(d.body) as { event: string; service: string; payload: KpiReport };
    expect([envelope.event, envelope.service]).toEqual(['dwh.kpi.report.v1', 'dwh-ingest']);
    const payload = envelope.payload;
    expect(payload).toMatchObject({ kpi: 'weekly_sales', project: 'bi', unit: 'EUR', scheduledFor: '2026-12-07T07:00:00.000Z', from: '2026-11-30', to: '2026-12-06' });
    expect(payload.points).toEqual(expected('2026-11-30', '2026-12-06'));
    expect(payload.points).toHaveLength(7);
  });

  it('sends nothing more for the same occurrence, nor for one past the catch-up time', async () => {
    expect(await ticks('2026-12-07T07:45:00Z')).toEqual([0, 0]);
    expect(await ticks('2026-12-14T08:30:00Z')).toEqual([0, 0]); // 90 minutes late: skipped, next Monday's is the next report
    await waitForDeliveries(2);
    expect(deliveries).toHaveLength(1);
  });

  it('refuses a report with a bad schedule or an unknown receiver when a project applies it', async () => {
    const apply = (report: unknown) =>
      callService(replicas[0], 'POST', '/v1/warehouse/apply', { project: 'bi', kpis: [{ name: 'weekly_sales', sql: 'SELECT sold_at::date AS date, sum(amount) AS value FROM dwh.test_sales GROUP BY 1', report }] });
    const badSchedule = await apply({ schedule: 'every monday', webhook: 'bi-team' });
    expect([badSchedule.status, badSchedule.json['code']]).toEqual([400, 'INVALID_SCHEDULE']);
    const unknown = await apply({ schedule: '0 7 * * 1', webhook: 'nobody' });
    expect([unknown.status, unknown.json['code']]).toEqual([400, 'UNKNOWN_WEBHOOK']);
    expect((unknown.json['details'] as Array<{ path: string }>)[0].path).toBe('$.kpis[0].report.webhook');
  });
});
