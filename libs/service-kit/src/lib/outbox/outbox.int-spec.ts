import { Controller, Module } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { defineEvent, defineMessage, type PayloadOf } from '@mlp/contracts';
import { requestContext } from '@mlp/runtime';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { startTestService, testNatsUrl, type TestService } from '../../testing';
import { Database } from '../database/database.service';
import type { ServiceDefinition } from '../service-definition';
import { HandleEvent } from '../transport/message-handler';
import { Outbox } from './outbox';

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
  migrations: [OutboxTable1764000000000],
  info,
});

// The same outbox table the apps create in their first migration.
class OutboxTable1764000000000 {
  name = 'OutboxTable1764000000000';
  async up(q: { query(sql: string): Promise<unknown>; connection: { options: { schema?: string } } }) {
    const s = q.connection.options.schema;
    await q.query(`CREATE TABLE "${s}".outbox (id bigserial PRIMARY KEY, pattern text NOT NULL, destination text NOT NULL, payload jsonb NOT NULL,
      request_id text, created_at timestamptz NOT NULL DEFAULT now(), available_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz, attempts integer NOT NULL DEFAULT 0, last_error text)`);
  }
  async down() {
    return undefined;
  }
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const transports: Array<[string, string | undefined]> = [['tcp', undefined]];
if (testNatsUrl()) transports.push(['nats', testNatsUrl()]);

describe.each(transports)('the outbox over %s', (_transport, NATS_URL) => {
  let consumer: TestService;
  let producer: TestService;
  let hook: Server;
  let hookUp = false;
  const hooks: Array<{ body: string; signature: string | undefined }> = [];

  beforeAll(async () => {
    received.length = 0;
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!hookUp) {
          res.writeHead(503).end();
          return;
        }
        hooks.push({ body, signature: req.headers['x-mlp-signature'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    consumer = await startTestService(def('kit-outbox-consumer', ConsumerInfo), ConsumerModule, { env: { NATS_URL } });
    producer = await startTestService(def('kit-outbox-producer', ProducerInfo), ProducerModule, {
      env: {
        NATS_URL,
        PEERS: `kit-outbox-consumer=127.0.0.1:${consumer.tcpPort}`,
        WEBHOOK_URLS: hookUrl,
        WEBHOOK_SECRET: 'a-webhook-secret-of-some-length',
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

  it('keeps retrying a webhook that is down and delivers once it is back, signed', async () => {
    const outbox = producer.app.get(Outbox);
    const db = producer.app.get(Database);
    await outbox.publish(ThingHappened, { n: 3 });
    await eventually(async () => {
      const [r] = await db.query<{ attempts: number }>(
        `SELECT attempts FROM "${db.schema}".outbox WHERE destination LIKE 'webhook:%' AND payload->>'n' = '3'`,
      );
      return (r?.attempts ?? 0) >= 1;
    });
    expect(hooks.length).toBe(0);
    hookUp = true;
    // Backoff is short for the first attempts; the row becomes due again within a few seconds.
    await eventually(() => hooks.some((h) => JSON.parse(h.body).payload.n === 3), 20000);
    const delivered = hooks.find((h) => JSON.parse(h.body).payload.n === 3) ?? { body: "{}", signature: undefined };
    expect(JSON.parse(delivered.body)).toMatchObject({ event: 'kit-outbox.thing-happened.v1', service: 'kit-outbox-producer' });
    const expected = `sha256=${createHmac('sha256', 'a-webhook-secret-of-some-length').update(delivered.body).digest('hex')}`;
    expect(delivered.signature).toBe(expected);
    // The row is marked delivered when the relay's transaction commits, just after the POST.
    await eventually(async () => {
      const [pending] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.schema}".outbox WHERE published_at IS NULL`);
      return Number(pending.n) === 0;
    });
  });
});
