import { Controller, Module } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { defineEvent, defineMessage, type PayloadOf } from '@mlp/contracts';
import { requestContext } from '@mlp/runtime';
import { createServer, type Server } from 'node:http';
import { callService, startTestService, testNatsUrl, type TestService } from '../../testing';
import { Database } from '../database/database.service';
import type { ServiceDefinition } from '../service-definition';
import { HandleEvent } from '../transport/message-handler';
import { Outbox } from './outbox';
import { outboxMigration } from './outbox-migration';
import { verifyWebhook, webhookKey } from './webhooks';

const ThingHappened = defineEvent('kit-outbox.thing-happened.v1', Type.Object({ n: Type.Integer() }), 'test event', ['kit-outbox-consumer']);
const ConsumerInfo = defineMessage('kit-outbox-consumer.info.v1', Type.Object({}), Type.Any(), 'test');
const ProducerInfo = defineMessage('kit-outbox-producer.info.v1', Type.Object({}), Type.Any(), 'test');

const received: Array<{ n: number; requestId: string }> = [];

@Controller()
class ConsumerHandler {
  @HandleEvent(ThingHappened)
  onThing(data: PayloadOf<typeof ThingHappened>, meta: { requestId: string }) {
    received.push({ n: data.n, requestId: meta.requestId });
  }
}
@Module({ controllers: [ConsumerHandler] })
class ConsumerModule {}
@Module({})
class ProducerModule {}

const def = (name: string, info: ServiceDefinition['info']): ServiceDefinition => ({
  name,
  version: '1.0.0-test',
  description: 'outbox test',
  schema: name.replace(/-/g, '_'),
  httpPort: 0,
  tcpPort: 0,
  // The same outbox table the apps create in their first migration.
  migrations: [outboxMigration(name.replace(/-/g, '_'), 1764000000000)],
  info,
});

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const transports: Array<[string, string | undefined]> = [['tcp', undefined]];
if (testNatsUrl()) transports.push(['nats', testNatsUrl()]);

const OPS_SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const AUDIT_SECRET = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;

interface Delivery {
  receiver: string;
  body: string;
  headers: { id?: string; timestamp?: string; signature?: string };
}

describe.each(transports)('the outbox over %s', (_transport, NATS_URL) => {
  let consumer: TestService;
  let producer: TestService;
  let hook: Server;
  /** Receivers that answer 2xx; the others answer 503 (down) or 500 (broken). */
  const up = new Set<string>(['audit']);
  const deliveries: Delivery[] = [];
  const to = (receiver: string) => deliveries.filter((d) => d.receiver === receiver);

  beforeAll(async () => {
    received.length = 0;
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const receiver = (req.url ?? '/').slice(1).split('?')[0];
        if (!up.has(receiver)) {
          res.writeHead(receiver === 'flaky' ? 500 : 503).end();
          return;
        }
        const h = req.headers as Record<string, string | undefined>;
        deliveries.push({ receiver, body, headers: { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature: h['webhook-signature'] } });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(hook.address() as { port: number }).port}`;
    consumer = await startTestService(def('kit-outbox-consumer', ConsumerInfo), ConsumerModule, { env: { NATS_URL } });
    producer = await startTestService(def('kit-outbox-producer', ProducerInfo), ProducerModule, {
      env: {
        NATS_URL,
        PEERS: `kit-outbox-consumer=127.0.0.1:${consumer.tcpPort}`,
        WEBHOOKS: JSON.stringify([
          { name: 'ops', url: `${base}/ops?token=in-the-query`, secret: OPS_SECRET, events: ['kit-outbox.thing-happened.v1'] },
          { name: 'audit', url: `${base}/audit`, secret: AUDIT_SECRET, events: ['kit-outbox.*'] },
          { name: 'elsewhere', url: `${base}/elsewhere`, secret: OPS_SECRET, events: ['dwh.sla.*'] },
          { name: 'flaky', url: `${base}/flaky`, secret: OPS_SECRET, events: ['kit-outbox.thing-happened.v1'] },
        ]),
        WEBHOOK_MAX_ATTEMPTS: '3',
        WEBHOOK_MAX_BACKOFF_MS: '1000',
        OUTBOX_POLL_MS: '100',
      },
    });
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    hook?.close();
  });

  it('delivers an event committed with its transaction to the consumer, with the request id', async () => {
    const outbox = producer.app.get(Outbox);
    const db = producer.app.get(Database);
    await requestContext.run({ requestId: 'outbox-trace-1' }, () => db.transaction(async (m) => outbox.publish(ThingHappened, { n: 1 }, m)));
    await eventually(() => received.some((r) => r.n === 1));
    expect(received.find((r) => r.n === 1)?.requestId).toBe('outbox-trace-1');
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const outbox = producer.app.get(Outbox);
    const db = producer.app.get(Database);
    await expect(
      db.transaction(async (m) => {
        await outbox.publish(ThingHappened, { n: 2 }, m);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const [row] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.schema}".outbox WHERE payload->>'n' = '2'`);
    expect(Number(row.n)).toBe(0);
  });

  it('keeps retrying a webhook that is down and delivers once it is back, signed as Standard Webhooks', async () => {
    const outbox = producer.app.get(Outbox);
    const db = producer.app.get(Database);
    await outbox.publish(ThingHappened, { n: 3 });
    await eventually(async () => {
      const [r] = await db.query<{ attempts: number }>(`SELECT attempts FROM "${db.schema}".outbox WHERE destination = 'webhook:ops' AND payload->>'n' = '3'`);
      return (r?.attempts ?? 0) >= 1;
    });
    expect(to('ops').length).toBe(0);
    up.add('ops');
    // Backoff is short for the first attempts; the row becomes due again within a few seconds.
    await eventually(() => to('ops').some((h) => JSON.parse(h.body).payload.n === 3), 20000);
    const delivered = to('ops').find((h) => JSON.parse(h.body).payload.n === 3) as Delivery;
    expect(JSON.parse(delivered.body)).toMatchObject({ event: 'kit-outbox.thing-happened.v1', service: 'kit-outbox-producer', id: delivered.headers.id });
    expect(verifyWebhook(webhookKey(OPS_SECRET), delivered.headers, delivered.body)).toEqual({ ok: true });
    // The same delivery played back ten minutes later: a receiver following the standard refuses it.
    expect(verifyWebhook(webhookKey(OPS_SECRET), delivered.headers, delivered.body, { now: Date.now() + 600_000 })).toEqual({ ok: false, reason: 'timestamp_too_old' });
    // The row is marked delivered when the relay's transaction commits, just after the POST.
    await eventually(async () => {
      const [pending] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.schema}".outbox WHERE published_at IS NULL AND destination = 'webhook:ops'`);
      return Number(pending.n) === 0;
    });
    // Neither the URL's query (it may hold a token) nor a secret reaches the logs.
    expect(JSON.stringify(producer.logs.lines)).not.toMatch(/in-the-query|AQEBAQEB/);
  });

  it('gives each receiver its own secret and only the events it asked for', async () => {
    const outbox = producer.app.get(Outbox);
    const db = producer.app.get(Database);
    await outbox.publish(ThingHappened, { n: 4 });
    await eventually(() => to('ops').some((h) => JSON.parse(h.body).payload.n === 4) && to('audit').some((h) => JSON.parse(h.body).payload.n === 4));
    const audit = to('audit').find((h) => JSON.parse(h.body).payload.n === 4) as Delivery;
    expect(verifyWebhook(webhookKey(AUDIT_SECRET), audit.headers, audit.body)).toEqual({ ok: true });
    expect(verifyWebhook(webhookKey(OPS_SECRET), audit.headers, audit.body)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const [elsewhere] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.schema}".outbox WHERE destination = 'webhook:elsewhere'`);
    expect(Number(elsewhere.n)).toBe(0);
  });

  it('stops after WEBHOOK_MAX_ATTEMPTS, lists the dead letter, and redelivers it through the API with the same webhook-id', async () => {
    const outbox = producer.app.get(Outbox);
    await outbox.publish(ThingHappened, { n: 5 });
    let page: { items: Array<Record<string, unknown>>; nextCursor: string | null } = { items: [], nextCursor: null };
    await eventually(async () => {
      page = (await callService(producer, 'GET', '/v1/platform/webhooks/dead-letters?receiver=flaky')).json as typeof page;
      return page.items.some((i) => (i['payload'] as { n: number }).n === 5);
    }, 20000);
    const dead = page.items.find((i) => (i['payload'] as { n: number }).n === 5) as Record<string, unknown>;
    expect(dead).toMatchObject({ receiver: 'flaky', event: 'kit-outbox.thing-happened.v1', attempts: 3, lastError: 'webhook flaky answered 500' });
    // Every event of this run went to 'flaky' too (n = 1, 3, 4, 5): four dead letters by now.
    await eventually(async () => ((await callService(producer, 'GET', '/v1/platform/webhooks/dead-letters')).json['items'] as unknown[]).length === 4, 20000);
    const receivers = (await callService(producer, 'GET', '/v1/platform/webhooks')).json as { receivers: Array<Record<string, unknown>>; maxAttempts: number };
    expect(receivers.maxAttempts).toBe(3);
    expect(receivers.receivers.find((r) => r['name'] === 'flaky')).toMatchObject({ origin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), deadLetters: 4, pending: 0 });
    const metrics = (await callService(producer, 'GET', '/metrics')).json['text'] as string;
    expect(metrics).toMatch(/outbox_dead_letters\{service="kit-outbox-producer"\} 4/);
    expect(metrics).toMatch(/outbox_dead_lettered_total\{pattern="kit-outbox.thing-happened.v1",receiver="flaky",service="kit-outbox-producer"\} 4/);
    // Nothing more is attempted while they are dead.
    await new Promise((r) => setTimeout(r, 1500));
    expect(to('flaky')).toEqual([]);

    up.add('flaky');
    const one = await callService(producer, 'POST', '/v1/platform/webhooks/dead-letters/redeliver', { ids: [dead['id']] });
    expect([one.status, one.json]).toEqual([200, { redelivered: 1, ids: [dead['id']] }]);
    await eventually(() => to('flaky').length === 1);
    expect(to('flaky')[0].headers.id).toBe(dead['webhookId']);
    expect(verifyWebhook(webhookKey(OPS_SECRET), to('flaky')[0].headers, to('flaky')[0].body)).toEqual({ ok: true });
    expect(((await callService(producer, 'GET', '/v1/platform/webhooks/dead-letters')).json['items'] as unknown[]).length).toBe(3);
    const rest = await callService(producer, 'POST', '/v1/platform/webhooks/dead-letters/redeliver', { receiver: 'flaky' });
    expect([rest.status, rest.json['redelivered']]).toEqual([200, 3]);
    await eventually(() => to('flaky').length === 4);
    expect(to('flaky').map((d) => (JSON.parse(d.body) as { payload: { n: number } }).payload.n).sort()).toEqual([1, 3, 4, 5]);
    expect((await callService(producer, 'GET', '/v1/platform/webhooks/dead-letters')).json['items']).toEqual([]);
    const none = await callService(producer, 'POST', '/v1/platform/webhooks/dead-letters/redeliver', {});
    expect([none.status, none.json['code']]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
