// The broker's side of transport trust: the NATS configuration rendered from the contracts, run by
// a real nats-server, lets each service do exactly its job and refuses the rest (a forged promotion
// from another service, snooping on another service's replies, connecting without a user).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { connect, StringCodec } from 'nats';
import { NATS_CONF, platformServices, renderNatsConfig } from './nats-config.mjs';
import { natsServerAvailable, startNatsServer } from './lib/nats-server.mjs';

const sc = StringCodec();

test('the committed nats.conf is what the contracts give (CI: nats-config.mjs --check)', () => {
  assert.equal(fs.readFileSync(NATS_CONF, 'utf8'), renderNatsConfig());
});

describe('a nats-server running the rendered configuration', { skip: !natsServerAvailable() && 'nats-server is not installed here' }, () => {
  let server;
  const open = [];
  const as = async (service, options = {}) => {
    const nc = await connect({ servers: server.url, user: service, pass: server.passwords[service], inboxPrefix: `_INBOX.${service}`, ...options });
    const errors = [];
    (async () => {
      for await (const s of nc.status()) if (s.type === 'error') errors.push(`${s.data} ${s.permissionContext?.operation ?? ''} ${s.permissionContext?.subject ?? ''}`);
    })();
    open.push(nc);
    return Object.assign(nc, { errors });
  };
  const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    server = await startNatsServer({ config: renderNatsConfig(), services: platformServices() });
  });
  after(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await server?.stop();
  });

  test('refuses a connection without a user or with a wrong password', async () => {
    await assert.rejects(connect({ servers: server.url, reconnect: false }), /Authorization Violation/i);
    await assert.rejects(connect({ servers: server.url, user: 'trainer', pass: 'not-the-password-0000', reconnect: false }), /Authorization Violation/i);
  });

  test('only the trainer can publish model.promoted.v1, and only model-serving receives it', async () => {
    const serving = await as('model-serving');
    const received = [];
    serving.subscribe('model.promoted.v1', { queue: 'model-serving', callback: (_e, m) => received.push(sc.decode(m.data)) });
    await serving.flush();
    const featureStore = await as('feature-store');
    featureStore.publish('model.promoted.v1', sc.encode('forged by feature-store'));
    const trainer = await as('trainer');
    trainer.publish('model.promoted.v1', sc.encode('from the trainer'));
    await Promise.all([featureStore.flush(), trainer.flush()]);
    await settle();
    assert.deepEqual(received, ['from the trainer']);
    assert.ok(featureStore.errors.some((e) => /PERMISSIONS_VIOLATION publish model.promoted.v1$/.test(e)), featureStore.errors.join('; '));
    const dwh = await as('dwh-ingest');
    dwh.subscribe('model.promoted.v1', { callback: (e) => !e && received.push('seen by dwh-ingest') });
    await settle();
    assert.ok(dwh.errors.some((e) => /PERMISSIONS_VIOLATION subscription model.promoted.v1$/.test(e)), dwh.errors.join('; '));
  });

  test('model-serving asks feature-store for online features and gets the answer; others cannot listen in on its replies', async () => {
    const featureStore = await as('feature-store');
    featureStore.subscribe('feature-store.online-features.v1', { queue: 'feature-store', callback: (_e, m) => m.respond(sc.encode(`answer to ${sc.decode(m.data)}`)) });
    await featureStore.flush();
    const spy = await as('dwh-ingest');
    const spied = [];
    spy.subscribe('_INBOX.model-serving.>', { callback: (e, m) => !e && spied.push(sc.decode(m.data)) });
    const serving = await as('model-serving');
    const reply = await serving.request('feature-store.online-features.v1', sc.encode('user 42'), { timeout: 2000 });
    assert.equal(sc.decode(reply.data), 'answer to user 42');
    await settle();
    assert.deepEqual(spied, []);
    assert.ok(spy.errors.some((e) => /PERMISSIONS_VIOLATION subscription _INBOX.model-serving.>$/.test(e)), spy.errors.join('; '));
    // dwh-ingest is not a declared caller of the online features.
    const denied = await spy.request('feature-store.online-features.v1', sc.encode('x'), { timeout: 500 }).catch((e) => e);
    assert.ok(denied instanceof Error);
    await settle();
    assert.ok(spy.errors.some((e) => /PERMISSIONS_VIOLATION publish feature-store.online-features.v1$/.test(e)), spy.errors.join('; '));
  });
});
