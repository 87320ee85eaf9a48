import { Controller, Module } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { Type } from '@sinclair/typebox';
import { defineEvent, defineMessage, ErrorCode, type MessageMeta, type PayloadOf, type RequestOf } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { randomBytes } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { callService, startTestService, testNatsUrl, type TestService } from '../../testing';
import type { ServiceDefinition } from '../service-definition';
import { HandleEvent, HandleMessage } from './message-handler';
import { PeerClients } from './peer-clients';
import { ServiceClient } from './service-client';
import { signMeta, transportKey } from './transport-auth';
import { clientTransportOptions, type ClientConfig } from './transport-options';

// Names unique to this run: other test runs may share the machine's NATS.
const run = randomBytes(4).toString('hex');
const PRODUCER = `kauth-producer-${run}`;
const CONSUMER = `kauth-consumer-${run}`;
const OUTSIDER = `kauth-outsider-${run}`;
const SECRET = 'the-platform-transport-secret-for-this-test';

const Changed = defineEvent(`kauth-${run}.changed.v1`, Type.Object({ n: Type.Integer() }), 'test event', [CONSUMER], { producer: PRODUCER });
const Lookup = defineMessage(`${CONSUMER}.lookup.v1`, Type.Object({ n: Type.Integer() }), Type.Object({ n: Type.Integer(), caller: Type.String() }), 'test', {
  callers: [PRODUCER],
});
const ConsumerInfo = defineMessage(`${CONSUMER}.info.v1`, Type.Object({}), Type.Any(), 'test', { callers: [] });
const ProducerInfo = defineMessage(`${PRODUCER}.info.v1`, Type.Object({}), Type.Any(), 'test', { callers: [] });

const handled = { lookups: 0, events: [] as number[] };

@Controller()
class ConsumerHandlers {
  @HandleMessage(Lookup)
  lookup(data: RequestOf<typeof Lookup>, meta: MessageMeta) {
    handled.lookups++;
    return { n: data.n, caller: meta.caller };
  }

  @HandleEvent(Changed)
  changed(data: PayloadOf<typeof Changed>) {
    handled.events.push(data.n);
  }
}
@Module({ controllers: [ConsumerHandlers] })
class ConsumerModule {}
@Module({})
class ProducerModule {}

const def = (name: string, info: ServiceDefinition['info']): ServiceDefinition => ({
  name,
  version: '1.0.0-test',
  description: 'transport authentication test',
  schema: name.replace(/-/g, '_'),
  httpPort: 0,
  tcpPort: 0,
  migrations: [],
  info,
});

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function refusedCount(svc: TestService, reason: string, pattern: string): Promise<number> {
  const text = (await callService(svc, 'GET', '/metrics')).json['text'] as string;
  const line = text.split('\n').find((l) => l.startsWith('transport_messages_refused_total{') && l.includes(`reason="${reason}"`) && l.includes(`pattern="${pattern}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const transports: Array<[string, string | undefined]> = [['tcp', undefined]];
if (testNatsUrl()) transports.push(['nats', testNatsUrl()]);

describe.each(transports)('transport messages over %s with a transport secret', (_transport, NATS_URL) => {
  let consumer: TestService;
  let producer: TestService;
  const clients: Array<{ close(): Promise<void> | void }> = [];
  /** A client of the consumer as anyone on the network could make one: its own caller name and secret. */
  const clientAs = (caller: string, secret: string | undefined) => {
    const config: ClientConfig = {
      env: { NATS_URL, PEER_TIMEOUT_MS: 3000 },
      peers: new Map([[CONSUMER, { host: '127.0.0.1', port: consumer.tcpPort }]]),
      credentials: { secret },
    };
    const client = new ServiceClient(CONSUMER, caller, config);
    clients.push(client);
    return client;
  };
  const rawClient = (): ClientProxy => {
    const config: ClientConfig = { env: { NATS_URL, PEER_TIMEOUT_MS: 3000 }, peers: new Map([[CONSUMER, { host: '127.0.0.1', port: consumer.tcpPort }]]), credentials: {} };
    const proxy = ClientProxyFactory.create(clientTransportOptions(CONSUMER, config, 'replayer'));
    clients.push(proxy);
    return proxy;
  };

  beforeAll(async () => {
    consumer = await startTestService(def(CONSUMER, ConsumerInfo), ConsumerModule, { env: { NATS_URL, TRANSPORT_SECRET: SECRET } });
    producer = await startTestService(def(PRODUCER, ProducerInfo), ProducerModule, {
      env: { NATS_URL, TRANSPORT_SECRET: SECRET, PEERS: `${CONSUMER}=127.0.0.1:${consumer.tcpPort}` },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await producer?.close();
    await consumer?.close();
  });
  beforeEach(() => {
    handled.lookups = 0;
    handled.events.length = 0;
  });

  it('answers a signed request from a declared caller, and readiness (a signed call to itself) passes', async () => {
    const reply = await producer.app.get(PeerClients).get(CONSUMER).send(Lookup, { n: 7 });
    expect(reply).toEqual({ n: 7, caller: PRODUCER });
    expect((await callService(consumer, 'GET', '/readyz')).status).toBe(200);
    expect((await callService(producer, 'GET', '/readyz')).status).toBe(200);
  });

  it('refuses a forged request (unsigned, or signed with another secret) with 401 before its handler runs, and counts it', async () => {
    const pattern = Lookup.pattern;
    const before = { unsigned: await refusedCount(consumer, 'unsigned', pattern), bad: await refusedCount(consumer, 'bad_signature', pattern) };
    for (const forger of [clientAs(PRODUCER, undefined), clientAs(PRODUCER, 'a-guess-at-the-platform-secret-long-enough')]) {
      const err = await forger.send(Lookup, { n: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect([(err as PlatformError).status, (err as PlatformError).code]).toEqual([401, ErrorCode.UNAUTHENTICATED]);
    }
    expect(handled.lookups).toBe(0);
    expect(await refusedCount(consumer, 'unsigned', pattern)).toBe(before.unsigned + 1);
    expect(await refusedCount(consumer, 'bad_signature', pattern)).toBe(before.bad + 1);
    expect(consumer.logs.find((l) => l['msg'] === 'transport message refused' && l['pattern'] === pattern).length).toBeGreaterThan(0);
    expect(JSON.stringify(consumer.logs.lines)).not.toContain(SECRET);
  });

  it('refuses a request from an authenticated service the contract does not name as a caller (403)', async () => {
    const err = await clientAs(OUTSIDER, SECRET)
      .send(Lookup, { n: 2 })
      .catch((e: unknown) => e);
    expect([(err as PlatformError).status, (err as PlatformError).code]).toEqual([403, ErrorCode.FORBIDDEN]);
    expect(handled.lookups).toBe(0);
    expect(await refusedCount(consumer, 'unauthorized_sender', Lookup.pattern)).toBe(1);
  });

  it('drops a forged event and one from a service that does not produce it; handles the producer’s own', async () => {
    await clientAs(PRODUCER, 'a-guess-at-the-platform-secret-long-enough').emit(Changed, { n: 666 });
    await clientAs(OUTSIDER, SECRET).emit(Changed, { n: 667 });
    await producer.app.get(PeerClients).get(CONSUMER).emit(Changed, { n: 1 });
    await eventually(() => handled.events.includes(1));
    await eventually(async () => (await refusedCount(consumer, 'unauthorized_sender', Changed.pattern)) === 1 && (await refusedCount(consumer, 'bad_signature', Changed.pattern)) === 1);
    expect(handled.events).toEqual([1]);
  });

  it('refuses a captured event played back, and one whose time is outside the replay window', async () => {
    const key = transportKey(SECRET);
    const sentAt = new Date().toISOString();
    const envelope = { meta: signMeta(key, Changed.pattern, { requestId: 'captured', caller: PRODUCER, to: CONSUMER, sentAt }, { n: 2 }), data: { n: 2 } };
    const proxy = rawClient();
    await firstValueFrom(proxy.emit(Changed.pattern, envelope), { defaultValue: undefined });
    await eventually(() => handled.events.includes(2));
    await firstValueFrom(proxy.emit(Changed.pattern, envelope), { defaultValue: undefined });
    const old = new Date(Date.now() - 31_000).toISOString();
    const stale = { meta: signMeta(key, Changed.pattern, { requestId: 'old', caller: PRODUCER, to: CONSUMER, sentAt: old }, { n: 3 }), data: { n: 3 } };
    await firstValueFrom(proxy.emit(Changed.pattern, stale), { defaultValue: undefined });
    await eventually(async () => (await refusedCount(consumer, 'replayed', Changed.pattern)) === 1 && (await refusedCount(consumer, 'stale', Changed.pattern)) === 1);
    expect(handled.events).toEqual([2]);
  });
});

describe('transport secret configuration', () => {
  it('refuses the production profile without a transport secret, and NATS without the service’s own user', async () => {
    const tokens = JSON.stringify([{ name: 'ops', token: 'an-ops-token-0123456789', scopes: ['admin'] }]);
    await expect(startTestService(def(PRODUCER, ProducerInfo), ProducerModule, { env: { PLATFORM_PROFILE: 'production', AUTH_TOKENS: tokens } })).rejects.toThrow(
      /TRANSPORT_SECRET is required in the production profile/,
    );
    await expect(
      startTestService(def(PRODUCER, ProducerInfo), ProducerModule, {
        env: { PLATFORM_PROFILE: 'production', AUTH_TOKENS: tokens, TRANSPORT_SECRET: SECRET, NATS_URL: 'nats://127.0.0.1:4222' },
      }),
    ).rejects.toThrow(/(?=.*NATS_USER is required with NATS_URL)(?=.*NATS_PASSWORD is required)/);
  });
});
