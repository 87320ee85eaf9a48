import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createWebhookSink, summarise, verifyDelivery } from './webhook-sink.mjs';

const SECRET = 's3cret-of-the-demo-receiver';
/** Signs the way the service kit's outbox does (Standard Webhooks): v1,<base64 HMAC of "id.timestamp.body">. */
const sign = (secret, id, timestamp, body) => `v1,${createHmac('sha256', Buffer.from(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
const headersFor = (id, body, { secret = SECRET, timestamp = Math.floor(Date.now() / 1000) } = {}) => ({
  'content-type': 'application/json',
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': sign(secret, id, timestamp, body),
});

async function listen(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${server.address().port}`;
}

const delivery = (id, event = 'model.promoted.v1', payload = { model: 'purchase_propensity', version: 3 }) =>
  JSON.stringify({ id, event, service: 'trainer', occurredAt: '2026-01-01T00:00:00.000Z', payload });

describe('webhook sink', () => {
  const lines = [];
  let clock = Date.now();
  let signed;
  let open;
  let signedUrl;
  let openUrl;
  before(async () => {
    signed = createWebhookSink({ secret: SECRET, keep: 3, log: (l) => lines.push(l), now: () => clock });
    open = createWebhookSink({ log: () => {} });
    signedUrl = await listen(signed);
    openUrl = await listen(open);
  });
  after(() => Promise.all([signed, open].map((s) => new Promise((r) => s.close(r)))));

  it('accepts a correctly signed delivery and prints a one-line summary', async () => {
    const body = delivery('trainer:1');
    const res = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: headersFor('trainer:1', body) });
    assert.equal(res.status, 200);
    assert.equal(signed.received.length, 1);
    assert.equal(lines.at(-1), 'webhook model.promoted.v1 from trainer: model=purchase_propensity version=3');
  });

  it('refuses forged, missing and re-serialised signatures with 401 and keeps nothing', async () => {
    const body = delivery('trainer:2');
    const good = headersFor('trainer:2', body);
    const attempts = [
      headersFor('trainer:2', body, { secret: 'wrong-secret-of-the-receiver' }),
      { 'content-type': 'application/json' },
      { ...good, 'webhook-signature': 'v1,zz' },
      // Another id under the same signature: the id is signed too.
      { ...good, 'webhook-id': 'trainer:3' },
      // Signature of an equivalent but differently serialised body: must be over the raw bytes.
      headersFor('trainer:2', JSON.stringify(JSON.parse(body), null, 2)),
    ];
    for (const headers of attempts) {
      const res = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).code, 'BAD_SIGNATURE');
    }
    assert.equal(signed.received.filter((w) => w.id === 'trainer:2').length, 0);
  });

  it('refuses a captured delivery replayed after five minutes, and shows one replayed within them once', async () => {
    const body = delivery('trainer:9');
    const captured = headersFor('trainer:9', body);
    assert.equal((await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: captured })).status, 200);
    const again = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: captured });
    assert.deepEqual([again.status, await again.json()], [200, { status: 'duplicate' }]);
    clock += 301_000;
    try {
      const replay = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: captured });
      assert.deepEqual([replay.status, (await replay.json()).code], [401, 'STALE_TIMESTAMP']);
      assert.match(lines.at(-1), /REFUSED: timestamp outside 5 minutes/);
      // A fresh timestamp needs a fresh signature: a replayer cannot make one.
      const moved = { ...captured, 'webhook-timestamp': String(Math.floor(clock / 1000)) };
      assert.equal((await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: moved })).status, 401);
    } finally {
      clock -= 301_000;
    }
    assert.equal(signed.received.filter((w) => w.id === 'trainer:9').length, 1);
  });

  it('serves the latest webhooks newest first, bounded, and shows a redelivery once', async () => {
    for (const id of ['trainer:3', 'trainer:4', 'trainer:4', 'trainer:5']) {
      const body = delivery(id, 'model.drift.detected.v1', { model: 'purchase_propensity', psi: 0.31, feature: 'orders_7d' });
      const res = await fetch(`${signedUrl}/webhooks`, { method: 'POST', body, headers: headersFor(id, body) });
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

  it('verifies the Standard Webhooks example, whsec_ secrets included, and keeps summaries to one short line', () => {
    // The example of the Standard Webhooks specification.
    const example = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const body = Buffer.from('{"test": 2432232314}');
    assert.equal(verifyDelivery('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', body, example, { now: 1614265330_000 }), 'ok');
    assert.equal(verifyDelivery('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', body, example, { now: 1614265330_000 + 301_000 }), 'stale');
    assert.equal(verifyDelivery('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', Buffer.from('{"test": 2432232315}'), example, { now: 1614265330_000 }), 'bad_signature');
    assert.equal(verifyDelivery('k', body, {}), 'missing');
    assert.equal(summarise({ nested: { deep: 'x'.repeat(100) } }).length <= 200, true);
  });
});
