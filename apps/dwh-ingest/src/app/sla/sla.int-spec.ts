import type { SlaReport } from '@mlp/contracts';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { createServer, type Server } from 'node:http';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyTrackingPlan, applyWarehouse, MARKETING_SPEND_FIXTURE, trackMessage } from '../test-support';

describe('SLAs on a real PostgreSQL', () => {
  let svc: TestService;
  let hooks: Server;
  const received: Array<{ event: string; payload: Record<string, unknown> }> = [];
  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const port = (hooks.address() as { port: number }).port;
    svc = await startTestService(service, AppModule, {
      env: {
        TRANSFORM_INTERVAL_SECONDS: '0',
        SLA_CHECK_INTERVAL_SECONDS: '0',
        OUTBOX_POLL_MS: '100',
        WEBHOOK_URLS: `http://127.0.0.1:${port}/hook`,
        SLA_OVERRIDES: JSON.stringify({ events: { warnAfter: 1, errorAfter: 2 }, 'events:completeness': { warnAfter: 0.3, errorAfter: 0.6 } }),
      },
    });
    await applyTrackingPlan(svc);
    // A team's source with its own freshness policy, checked beside the platform's datasets.
    await applyWarehouse(svc, { project: 'sla-fixture', sources: [{ ...MARKETING_SPEND_FIXTURE, freshness: { warn_after: '2d', error_after: '7d' } }] });
  });
  afterAll(async () => {
    await svc.close();
    await new Promise((r) => hooks.close(r));
  });

  const check = (report: { checks: Array<{ dataset: string; check: string }> }, dataset: string, kind = 'freshness') =>
    report.checks.find((c) => c.dataset === dataset && c.check === kind) as Record<string, unknown>;

  it('flips a source to error when it goes stale, fires the breach webhook once, and exposes the measures', async () => {
    expect((await callService(svc, 'POST', '/v1/track', trackMessage())).status).toBe(200);
    const fresh = await callService<SlaReport>(svc, 'GET', '/v1/sla');
    expect(fresh.status).toBe(200);
    expect(check(fresh.json, 'events')).toMatchObject({ status: 'ok', warnAfter: 1, errorAfter: 2 });
    expect(check(fresh.json, 'src_marketing_spend')).toMatchObject({ status: 'warn', measured: null, warnAfter: 2 * 86400, errorAfter: 7 * 86400 });
    expect(check(fresh.json, 'events', 'completeness')).toMatchObject({ status: 'ok', measured: 0 });

    await new Promise((r) => setTimeout(r, 2100));
    const stale = await callService<SlaReport>(svc, 'GET', '/v1/sla');
    expect(check(stale.json, 'events')).toMatchObject({ status: 'error' });
    expect(check(stale.json, 'events')['measured']).toBeGreaterThanOrEqual(2);
    expect(stale.json['status']).toBe('error');
    await callService(svc, 'GET', '/v1/sla');

    const deadline = Date.now() + 5000;
    const breaches = () => received.filter((r) => r.event === 'dwh.sla.breached.v1' && r.payload['dataset'] === 'events' && r.payload['check'] === 'freshness');
    while (breaches().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(breaches().map((b) => [b.payload['previousStatus'], b.payload['status']])).toEqual([['ok', 'error']]);

    const metrics = (await callService(svc, 'GET', '/metrics')).json['text'] as string;
    expect(metrics).toMatch(/dwh_dataset_freshness_seconds\{[^}]*dataset="events"[^}]*\} [0-9.]+/);
    expect(metrics).toMatch(/dwh_events_total\{[^}]*status="accepted"[^}]*\} 1/);
  });

  it('turns completeness to error when most events are rejected', async () => {
    const bad = [1, 2, 3].map(() => trackMessage({ event: 'nope' }));
    await callService(svc, 'POST', '/v1/batch', { batch: bad });
    const report = await callService<SlaReport>(svc, 'GET', '/v1/sla');
    expect(check(report.json, 'events', 'completeness')).toMatchObject({ status: 'error', measured: 0.75 });
  });

  it('emits dwh.sla.recovered once when the stale source is loaded again, with the breach start, through the outbox to the webhooks', async () => {
    const before = await callService<SlaReport>(svc, 'GET', '/v1/sla');
    expect(check(before.json, 'events')).toMatchObject({ status: 'error' });
    const breachedSince = check(before.json, 'events')['since'];
    expect((await callService(svc, 'POST', '/v1/track', trackMessage())).status).toBe(200);
    const after = await callService<SlaReport>(svc, 'GET', '/v1/sla');
    expect(check(after.json, 'events')).toMatchObject({ status: 'ok' });
    await callService(svc, 'GET', '/v1/sla');

    const recoveries = () => received.filter((r) => r.event === 'dwh.sla.recovered.v1' && r.payload['dataset'] === 'events' && r.payload['check'] === 'freshness');
    const deadline = Date.now() + 5000;
    while (recoveries().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(recoveries().map((r) => r.payload)).toEqual([
      expect.objectContaining({ status: 'ok', previousStatus: 'error', breachedSince, warnAfter: 1, errorAfter: 2, reason: expect.stringMatching(/^newest data \d+ s old$/) }),
    ]);
    // A check that was never breached does not "recover": src_marketing_spend has been warn (no rows) all along.
    expect(received.filter((r) => r.event === 'dwh.sla.recovered.v1' && r.payload['dataset'] !== 'events')).toEqual([]);
  });
});
