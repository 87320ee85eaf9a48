// Transport trust with the built services: the four services as processes on a nats-server running
// the configuration rendered from the contracts (one user per service, its subject permissions) and
// a transport secret. They become ready and reach each other; a forged model.promoted.v1 (the
// message that swaps the served version) is refused by the broker when another service's user
// publishes it, and by model-serving, counted, when it is unsigned or signed with another secret.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { connect, JSONCodec } from 'nats';
import { poll } from '../runner/demo-pipeline.mjs';
import { platformServices, renderNatsConfig } from '../deploy/nats-config.mjs';
import { natsServerAvailable, startNatsServer } from '../deploy/lib/nats-server.mjs';
import { startPlatform } from './platform-processes.mjs';

const SECRET = `e2e-transport-secret-${randomUUID()}`;
const skip = !natsServerAvailable() && 'nats-server is not installed here';
let nats;
let platform;

before(async () => {
  if (skip) return;
  nats = await startNatsServer({ config: renderNatsConfig(), services: platformServices() });
  platform = await startPlatform({
    offset: Number(process.env.E2E_TRUST_PORT_OFFSET ?? 26000),
    name: 'trust',
    env: { NATS_URL: nats.url, TRANSPORT_SECRET: SECRET },
    envOf: (service) => ({ NATS_USER: service, NATS_PASSWORD: nats.passwords[service] }),
  });
});

after(async () => {
  await platform?.stop();
  await nats?.stop();
});

const jc = JSONCodec();
const promotion = { model: 'purchase_propensity', alias: 'champion', version: 99, previousVersion: null, reason: 'forged', at: new Date().toISOString() };
const envelope = (meta) => ({ meta: { requestId: 'forged', caller: 'trainer', sentAt: new Date().toISOString(), ...meta }, data: promotion });

async function refused(reason) {
  const text = await (await fetch(`${platform.urls.serving}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('transport_messages_refused_total{') && l.includes(`reason="${reason}"`) && l.includes('pattern="model.promoted.v1"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

test('the services run under their own NATS users and signed messages: ready, and reaching each other', { skip, timeout: 120_000 }, async () => {
  const peers = await (await fetch(`${platform.urls.serving}/v1/platform/peers`)).json();
  assert.deepEqual(
    peers.peers.map((p) => [p.name, p.status, p.info?.transport]),
    [
      ['feature-store', 'up', 'nats'],
      ['trainer', 'up', 'nats'],
      ['dwh-ingest', 'up', 'nats'],
    ],
  );
});

test('a forged model.promoted.v1 is refused: by the broker from another service, by model-serving when not signed with the secret', { skip, timeout: 120_000 }, async () => {
  // Nest's NATS transport frames a message as {pattern, data}; what an attacker would publish.
  const packet = (meta) => jc.encode({ pattern: 'model.promoted.v1', data: envelope(meta) });
  const featureStore = await connect({ servers: nats.url, user: 'feature-store', pass: nats.passwords['feature-store'] });
  const violations = [];
  (async () => {
    for await (const s of featureStore.status()) if (s.type === 'error') violations.push(`${s.permissionContext?.operation} ${s.permissionContext?.subject}`);
  })();
  featureStore.publish('model.promoted.v1', packet({ to: 'model-serving' }));
  await featureStore.flush();

  // The trainer's NATS user may publish it, but without the transport secret the message is refused.
  const trainer = await connect({ servers: nats.url, user: 'trainer', pass: nats.passwords.trainer });
  trainer.publish('model.promoted.v1', packet({ to: 'model-serving' }));
  trainer.publish('model.promoted.v1', packet({ to: 'model-serving', nonce: 'AAAAAAAAAAAAAAAAAAAAAA', signature: 'A'.repeat(43) }));
  await trainer.flush();
  await poll(async () => (await refused('unsigned')) === 1 && (await refused('bad_signature')) === 1, { what: 'model-serving to refuse both', timeoutMs: 10_000, intervalMs: 200 });
  assert.deepEqual(violations, ['publish model.promoted.v1']);
  await Promise.all([featureStore.close(), trainer.close()]);
  // Still ready, and nothing served changed: there is no champion to serve.
  assert.equal((await fetch(`${platform.urls.serving}/readyz`)).status, 200);
  const res = await fetch(`${platform.urls.serving}/v1/models`);
  assert.equal(res.status, 200);
  assert.equal(JSON.stringify(await res.json()).includes('"version":99'), false);
});
