import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { collectStatus, renderStatus } from './status.mjs';

/** A local HTTP server answering `routes[path]` (status, body) and 404 with a machine code otherwise. */
async function serve(routes) {
  const server = http.createServer((req, res) => {
    const route = routes[req.url];
    const [status, body] = route ?? [404, { error: 'not found', code: 'NOT_FOUND' }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

async function closedPortUrl() {
  const { server, url } = await serve({});
  await new Promise((r) => server.close(r));
  return url;
}

describe('status command', () => {
  const servers = [];
  after(() => Promise.all(servers.map((s) => new Promise((r) => s.server.close(r)))));

  it('prints unavailable for every part when nothing runs yet', async () => {
    const down = await closedPortUrl();
    const s = await collectStatus({ urls: { 'dwh-ingest': down, 'feature-store': down, trainer: down, 'model-serving': down }, webhooksUrl: down });
    const text = renderStatus(s);
    assert.equal(s.services.filter((x) => x.state === 'unavailable').length, 4);
    assert.match(text, /warehouse SLAs.*\n {2}unavailable \(ECONNREFUSED\)/);
    assert.match(text, /models .*\n {2}unavailable \(ECONNREFUSED\)/);
    assert.match(text, /recent webhooks.*\n {2}unavailable \(ECONNREFUSED\)/);
  });

  it('shows health, SLAs, freshness, champions with drift, and webhooks in the shapes the services answer', async () => {
    // Shapes of dwh-ingest's SlaReport, feature-store's /v1/freshness, the trainer's model list and model-serving's DriftReport.
    const dwh = await serve({
      '/readyz': [200, { status: 'ok' }],
      '/v1/sla': [
        200,
        {
          status: 'warn',
          checkedAt: '2026-01-01T10:00:00.000Z',
          checks: [
            { dataset: 'mart_orders', check: 'freshness', status: 'ok', measured: 42, warnAfter: 7200, errorAfter: 86400, reason: '', since: null },
            { dataset: 'events', check: 'completeness', status: 'warn', measured: 0.062, warnAfter: 0.05, errorAfter: 0.2, reason: '', since: null },
            { dataset: 'prediction_log', check: 'freshness', status: 'error', measured: null, warnAfter: 3600, errorAfter: 21600, reason: '', since: null },
          ],
        },
      ],
    });
    const fs = await serve({
      '/readyz': [503, { status: 'not ready', code: 'DEPENDENCY_UNAVAILABLE' }],
      '/v1/freshness': [200, { status: 'OK', views: [{ view: 'user_activity', version: 2, newest_event_timestamp: null, age_seconds: 5400, sla_seconds: 172800, status: 'OK' }] }],
    });
    const trainer = await serve({
      '/readyz': [200, {}],
      '/v1/models': [200, { models: [{ name: 'purchase_propensity', latestVersion: 5, champion: 4, challenger: 5 }, { name: 'churn', latestVersion: null, champion: null, challenger: null }] }],
    });
    const serving = await serve({
      '/readyz': [200, {}],
      '/v1/models/purchase_propensity/live-quality': [
        200,
        {
          model: 'purchase_propensity',
          windowHours: 720,
          labelKind: 'binary',
          outcome: { project: 'acme-shop', horizon: '7d' },
          groups: [
            { version: 4, arm: 'champion', predictions: 1200, labelled: 900, positives: 120, auc: 0.7712, logLoss: 0.3512, brier: 0.09, calibration: [] },
            { version: 5, arm: 'challenger', predictions: 80, labelled: 0, positives: 0, auc: null, logLoss: null, brier: null, calibration: [] },
          ],
        },
      ],
      '/v1/models/purchase_propensity/drift': [
        200,
        {
          model: 'purchase_propensity',
          version: 4,
          baseline: 'preprocessing',
          window: 1000,
          warnThreshold: 0.1,
          driftThreshold: 0.25,
          features: [
            { feature: 'user_activity:page_views_7d', psi: 0.12, observations: 800, status: 'warn' },
            { feature: 'user_activity:orders_7d', psi: 0.34, observations: 800, status: 'drift' },
            { feature: 'user_profile:plan', psi: 0.01, observations: 800, status: 'ok' },
          ],
        },
      ],
    });
    const sink = await serve({ '/webhooks': [200, { webhooks: [{ receivedAt: '2026-01-01T10:11:12.000Z', event: 'model.promoted.v1', service: 'trainer', summary: 'model=purchase_propensity version=4' }] }] });
    servers.push(dwh, fs, trainer, serving, sink);
    const s = await collectStatus({ urls: { 'dwh-ingest': dwh.url, 'feature-store': fs.url, trainer: trainer.url, 'model-serving': serving.url }, webhooksUrl: sink.url });
    const text = renderStatus(s);
    assert.deepEqual(
      s.services.map((x) => x.state),
      ['ready', 'not ready', 'ready', 'ready'],
    );
    assert.match(text, /feature-store +not ready +\S+ +HTTP 503 DEPENDENCY_UNAVAILABLE/);
    assert.match(text, /warehouse SLAs \(dwh-ingest \/v1\/sla\): warn/);
    assert.match(text, /mart_orders freshness +ok +newest data 42 s old \(warn 2\.0 h, error 24\.0 h\)/);
    assert.match(text, /events completeness +warn +6\.2% rejected \(warn 5\.0%, error 20\.0%\)/);
    assert.match(text, /prediction_log freshness +error +no data yet/);
    assert.match(text, /user_activity v2 +OK +newest value 1\.5 h old \(SLA 2\.0 d\)/);
    assert.match(text, /purchase_propensity: champion v4, challenger v5, latest v5\n +live quality: v4 champion: AUC 0\.771, log loss 0\.351, 900 labelled of 1200; v5 challenger: 80 predictions, outcomes not known yet \(7d horizon\)/);
    assert.match(text, /drift: +v4: DRIFT in 1 of 3 features; highest user_activity:orders_7d psi 0\.340, user_activity:page_views_7d psi 0\.120/);
    assert.match(text, /churn: no versions yet\n/);
    assert.match(text, /prediction_log freshness +error +no data yet \(warn 1\.0 h, error 6\.0 h\)/);
    assert.match(text, /10:11:12 model.promoted.v1 from trainer: model=purchase_propensity version=4/);
  });

  it('falls back to a generic summary for shapes it does not know', async () => {
    const dwh = await serve({ '/readyz': [200, {}], '/v1/sla': [200, { datasets: [{ dataset: 'raw_events', status: 'warn', lag_seconds: 4000 }] }] });
    servers.push(dwh);
    const down = await closedPortUrl();
    const s = await collectStatus({ urls: { 'dwh-ingest': dwh.url, 'feature-store': down, trainer: down, 'model-serving': down }, webhooksUrl: down });
    assert.match(renderStatus(s), /raw_events +warn +lag_seconds=4000/);
  });
});
