import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { defineContract, defineMessage, ErrorCode, type ServiceInfo } from '@mlp/contracts';
import { spawnEmbeddedPostgres } from '@mlp/runtime';
import { callService, freePort, startTestService, testNatsUrl, type TestService } from '../testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from './database/database.service';
import { RequireScope } from './http/auth';
import { validate } from './http/contract-pipe';
import type { ServiceDefinition } from './service-definition';

const Greeting = defineContract('kit-test.Greeting', Type.Object({ name: Type.String({ minLength: 1 }), times: Type.Integer({ minimum: 1, maximum: 3 }) }, { additionalProperties: false }));
const AlphaInfo = defineMessage('kit-test-alpha.info.v1', Type.Object({}), Type.Any(), 'test');
const BetaInfo = defineMessage('kit-test-beta.info.v1', Type.Object({}), Type.Any(), 'test');

@Controller('v1/test')
class TestController {
  constructor(private readonly db: Database) {}

  @Post('greet')
  @RequireScope('greet:write')
  greet(@Body(validate(Greeting)) body: { name: string; times: number }) {
    return { greeting: Array(body.times).fill(`hello ${body.name}`).join(' ') };
  }

  @Get('now')
  async now() {
    const [row] = await this.db.query<{ now: Date }>('SELECT now() AS now');
    return { now: row.now };
  }

  @Get('slow')
  async slow() {
    await new Promise((r) => setTimeout(r, 700));
    return { done: true };
  }

  @Get('boom')
  boom() {
    throw new Error('a bug, not a client mistake');
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

const def = (name: string, info = AlphaInfo, peers: ServiceDefinition['peers'] = []): ServiceDefinition => ({
  name,
  version: '1.0.0-test',
  description: 'kit test service',
  schema: name.replace(/-/g, '_'),
  httpPort: 0,
  tcpPort: 0,
  migrations: [],
  info,
  peers,
});

const TOKENS = JSON.stringify([
  { name: 'writer', token: 'writer-token-0123456789', scopes: ['greet:write'] },
  { name: 'reader', token: 'reader-token-0123456789', scopes: ['greet:read'] },
  { name: 'root', token: 'admin-token-0123456789ab', scopes: ['admin'] },
]);

describe('service kit on a real PostgreSQL', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(def('kit-test-alpha'), TestModule, { env: { AUTH_TOKENS: TOKENS, BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(() => svc.close());

  it('answers liveness without dependencies and readiness with database and transport checks', async () => {
    expect((await callService(svc, 'GET', '/healthz')).json).toEqual({ status: 'ok', service: 'kit-test-alpha', checks: [] });
    const ready = await callService(svc, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect((ready.json['checks'] as Array<{ name: string; status: string }>).map((c) => [c.name, c.status])).toEqual([
      ['database', 'up'],
      ['transport', 'up'],
    ]);
  });

  it('refuses requests without a token, with an unknown token, or without the scope', async () => {
    const body = JSON.stringify({ name: 'ada', times: 1 });
    const none = await callService(svc, 'POST', '/v1/test/greet', body);
    expect([none.status, none.json['code']]).toEqual([401, ErrorCode.UNAUTHENTICATED]);
    const wrong = await callService(svc, 'POST', '/v1/test/greet', body, { authorization: 'Bearer writer-token-0123456780' });
    expect([wrong.status, wrong.json['code']]).toEqual([401, ErrorCode.UNAUTHENTICATED]);
    const reader = await callService(svc, 'POST', '/v1/test/greet', body, { authorization: 'Bearer reader-token-0123456789' });
    expect([reader.status, reader.json['code']]).toEqual([403, ErrorCode.FORBIDDEN]);
    const writer = await callService(svc, 'POST', '/v1/test/greet', body, { authorization: 'Bearer writer-token-0123456789' });
    expect([writer.status, writer.json]).toEqual([201, { greeting: 'hello ada' }]);
    const admin = await callService(svc, 'POST', '/v1/test/greet', body, { authorization: 'Bearer admin-token-0123456789ab' });
    expect(admin.status).toBe(201);
    // Probes, metrics and docs stay public.
    for (const open of ['/healthz', '/metrics', '/openapi.json']) expect((await callService(svc, 'GET', open)).status).toBe(200);
    // A route without a scope still needs a valid token once tokens are configured.
    expect((await callService(svc, 'GET', '/v1/test/now')).status).toBe(401);
    expect(svc.logs.lines.some((l) => JSON.stringify(l).includes('writer-token-0123456789'))).toBe(false);
  });

  it('answers every failure in one shape with the right status and code', async () => {
    const auth = { authorization: 'Bearer admin-token-0123456789ab' };
    const missing = await callService(svc, 'GET', '/v1/nothing-here', undefined, auth);
    expect([missing.status, missing.json['code']]).toEqual([404, ErrorCode.ROUTE_NOT_FOUND]);
    const malformed = await callService(svc, 'POST', '/v1/test/greet', '{"name": "ada",', auth);
    expect([malformed.status, malformed.json['code']]).toEqual([400, ErrorCode.MALFORMED_JSON]);
    const big = await callService(svc, 'POST', '/v1/test/greet', JSON.stringify({ name: 'x'.repeat(4096), times: 1 }), auth);
    expect([big.status, big.json['code']]).toEqual([413, ErrorCode.PAYLOAD_TOO_LARGE]);
    const invalid = await callService(svc, 'POST', '/v1/test/greet', JSON.stringify({ name: '', times: 9, extra: 1 }), auth);
    expect([invalid.status, invalid.json['code']]).toEqual([400, ErrorCode.VALIDATION_FAILED]);
    expect(invalid.json['details']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '$.name', code: 'SIZE_CONSTRAINT' }),
        expect.objectContaining({ path: '$.times', code: 'OUT_OF_RANGE' }),
        expect.objectContaining({ path: '$.extra', code: 'ADDITIONAL_PROPERTIES' }),
      ]),
    );
    const bug = await callService(svc, 'GET', '/v1/test/boom', undefined, auth);
    expect([bug.status, bug.json['code']]).toEqual([500, ErrorCode.INTERNAL]);
    for (const r of [missing, malformed, big, invalid, bug]) {
      expect(Object.keys(r.json).sort()).toEqual(['code', 'details', 'error', 'requestId']);
      expect(r.json['requestId']).toBe(r.headers.get('x-request-id'));
    }
  });

  it('exposes Prometheus metrics with an HTTP duration histogram by route and status', async () => {
    await callService(svc, 'GET', '/healthz');
    const text = (await callService(svc, 'GET', '/metrics')).json['text'] as string;
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/http_request_duration_seconds_count\{service="kit-test-alpha",method="GET",route="\/healthz",status="200"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/v1\/test\/greet",status="403"\} \d+/);
  });

  it('publishes OpenAPI with the contracts as component schemas', async () => {
    const doc = (await callService(svc, 'GET', '/openapi.json')).json as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/test/greet', '/v1/platform/peers']));
    expect(doc.components.schemas['kit-test.Greeting']).toMatchObject({ type: 'object', required: ['name', 'times'] });
    expect((await callService(svc, 'GET', '/docs')).status).toBe(200);
  });
});

describe('configuration', () => {
  it('refuses the production profile without tokens, naming the variable', async () => {
    await expect(
      startTestService(def('kit-test-alpha'), TestModule, { env: { PLATFORM_PROFILE: 'production', AUTH_TOKENS: undefined } }),
    ).rejects.toThrow(/AUTH_TOKENS is required in the production profile/);
  });

  it('names each bad variable', async () => {
    await expect(startTestService(def('kit-test-alpha'), TestModule, { env: { PORT: 'eighty', LOG_LEVEL: 'chatty' } })).rejects.toThrow(
      /(?=.*PORT must be integer \(got "eighty"\))(?=.*LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent)/,
    );
  });
});

const transports: Array<[string, string | undefined]> = [['tcp', undefined]];
const natsUrl = testNatsUrl();
if (natsUrl) transports.push(['nats', natsUrl]);

describe.each(transports)('request ids across the %s transport', (transport, NATS_URL) => {
  it('carries the caller request id into the called service', async () => {
    const beta = await startTestService(def('kit-test-beta', BetaInfo), TestModule, { env: { NATS_URL } });
    try {
      const alpha = await startTestService(def('kit-test-alpha', AlphaInfo, [{ name: 'kit-test-beta', info: BetaInfo }]), TestModule, {
        env: { PEERS: `kit-test-beta=127.0.0.1:${beta.tcpPort}`, NATS_URL },
      });
      try {
        const res = await callService(alpha, 'GET', '/v1/platform/peers', undefined, { 'x-request-id': 'trace-me-42' });
        expect(res.status).toBe(200);
        const peer = (res.json['peers'] as Array<{ name: string; status: string; info: ServiceInfo }>)[0];
        expect(peer).toMatchObject({ name: 'kit-test-beta', status: 'up', info: { service: 'kit-test-beta', requestId: 'trace-me-42' } });
        expect(peer.info.transport).toBe(transport);
      } finally {
        await alpha.close();
      }
    } finally {
      await beta.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight requests, then stops accepting', async () => {
    const svc = await startTestService(def('kit-test-alpha'), TestModule);
    const inFlight = callService(svc, 'GET', '/v1/test/slow').then((r) => [r.status, r.json]);
    await new Promise((r) => setTimeout(r, 150));
    const closed = svc.close();
    expect(await inFlight).toEqual([200, { done: true }]);
    await closed;
    await expect(callService(svc, 'GET', '/healthz')).rejects.toThrow();
  });
});

describe('database outage', () => {
  it('turns readiness to 503 and queries to 503 while PostgreSQL is down, and recovers without a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-outage-'));
    const port = await freePort();
    let pg = await spawnEmbeddedPostgres(dir, port, 'outage');
    const svc = await startTestService(def('kit-test-alpha'), TestModule, { db: { name: 'outage', url: pg.url, drop: async () => undefined } });
    try {
      expect((await callService(svc, 'GET', '/readyz')).status).toBe(200);
      expect((await callService(svc, 'GET', '/v1/test/now')).status).toBe(200);
      await pg.stop();
      await new Promise((r) => setTimeout(r, 1100)); // readiness caches its checks for one second
      const down = await callService(svc, 'GET', '/readyz');
      expect([down.status, down.json['code']]).toEqual([503, ErrorCode.NOT_READY]);
      expect(down.json['details']).toEqual([expect.objectContaining({ path: 'database', code: 'DOWN' })]);
      const query = await callService(svc, 'GET', '/v1/test/now');
      expect([query.status, query.json['code']]).toEqual([503, ErrorCode.DEPENDENCY_UNAVAILABLE]);
      pg = await spawnEmbeddedPostgres(dir, port, 'outage');
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 250));
        status = (await callService(svc, 'GET', '/readyz')).status;
      }
      expect(status).toBe(200);
      expect((await callService(svc, 'GET', '/v1/test/now')).status).toBe(200);
    } finally {
      await svc.close();
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
