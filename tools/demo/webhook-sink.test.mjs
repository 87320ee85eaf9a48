import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createWebhookSink, summarise, verifySignature } from './webhook-sink.mjs';

/** Signs the way the service kit's outbox does: sha256=<hex HMAC-SHA256 of the exact body>. */
const sign = (secret, body) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function listen(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${server.address().port}`;
}

const delivery = (id, event = 'model.promoted.v1', payload = { model: 'purchase_propensity', version: 3 }) =>
  JSON.stringify({ id, event, service: 'trainer', occurredAt: '2026-01-01T00:00:00.000Z', payload });

describe('webhook sink', () => {
  const lines = [];
  let signed;
  let open;
  let signedUrl;
  let openUrl;
  before(async () => {
    signed = createWebhookSink({ secret: 's3cret', keep: 3, log: (l) => lines.push(l) });
    open = createWebhookSink({ log: () => {} });
    signedUrl = await listen(signed);
    openUrl = await listen(open);
  });
  after(() => Promise.all([signed, open].map((s) => new Promise((r) => s.close(r)))));

  it('accepts a correctly signed delivery and prints a one-line summary', async () => {
    const body = delivery('trainer:1');
    const res = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-mlp-signature': sign('s3cret', body) } });
    assert.equal(res.status, 200);
    assert.equal(signed.received.length, 1);
    assert.equal(lines.at(-1), 'webhook model.promoted.v1 from trainer: model=purchase_propensity version=3');
  });

  it('refuses forged, missing and re-serialised signatures with 401 and keeps nothing', async () => {
    const body = delivery('trainer:2');
    const attempts = [
      { 'x-mlp-signature': sign('wrong', body) },
      {},
      { 'x-mlp-signature': 'sha256=zz' },
      // Signature of an equivalent but differently serialised body: must be over the raw bytes.
      { 'x-mlp-signature': sign('s3cret', JSON.stringify(JSON.parse(body), null, 2)) },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).code, 'BAD_SIGNATURE');
    }
    assert.equal(signed.received.filter((w) => w.id === 'trainer:2').length, 0);
  });

  it('serves the latest webhooks newest first, bounded, and shows a redelivery once', async () => {
    for (const id of ['trainer:3', 'trainer:4', 'trainer:4', 'trainer:5']) {
      const body = delivery(id, 'model.drift.detected.v1', { model: 'purchase_propensity', psi: 0.31, feature: 'orders_7d' });
      const res = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: { 'x-mlp-signature': sign('s3cret', body) } });
      assert.equal(res.status, 200);
    }
    const res = await fetch(`${signedUrl}/webhooks`);
    const listed = await res.json();
    assert.deepEqual(
      listed.webhooks.map((w) => w.id),
      ['trainer:5', 'trainer:4', 'trainer:3'],
    );
    assert.equal(listed.webhooks[0].summary, 'model=purchase_propensity psi=0.31 feature=orders_7d');
  });

  it('accepts unsigned deliveries when no secret is configured, and refuses a body that is not JSON', async () => {
    const ok = await fetch(`${openUrl}/`, { method: 'POST', body: delivery('dwh-ingest:1', 'dwh.sla.breached.v1', { dataset: 'mart_orders', status: 'error' }) });
    assert.equal(ok.status, 200);
    assert.equal(open.received[0].summary, 'dataset=mart_orders status=error');
    const bad = await fetch(`${openUrl}/`, { method: 'POST', body: '{nope' });
    assert.equal(bad.status, 400);
  });

  it('accepts only a sha256= signature over the exact bytes, and keeps summaries to one short line', () => {
    const body = Buffer.from('{"a":1}');
    assert.equal(verifySignature('k', body, sign('k', body)), true);
    assert.equal(verifySignature('k', body, sign('k', body).replace('sha256=', 'sha1=')), false);
    assert.equal(verifySignature('k', body, undefined), false);
    assert.equal(summarise({ nested: { deep: 'x'.repeat(100) } }).length <= 200, true);
  });
});
