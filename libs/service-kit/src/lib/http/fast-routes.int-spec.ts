import { Body, Controller, HttpCode, Injectable, Module, Param, Post, Req, type OnModuleInit } from '@nestjs/common';
import { defineMessage } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import http from 'node:http';
import net from 'node:net';
import { callService, startTestService, type TestService } from '../../testing';
import type { ServiceDefinition } from '../service-definition';
import { RequireScope } from './auth';
import { FastRoutes } from './fast-routes';

/** One handler behind both paths, so any difference in the answers is the kit's. */
function echo(name: string, body: unknown, requestId: string): unknown {
  if (name === 'refuse') throw new PlatformError(409, 'ECHO_REFUSED', 'echo refuses this name', [{ code: 'NAME', message: name }]);
  if (name === 'bug') throw new Error('a bug, not a client mistake');
  if (name === 'later') return Promise.resolve({ name, body, later: true });
  if (name === 'later-refuse') return Promise.reject(new PlatformError(422, 'ECHO_LATER_REFUSED', 'refused later'));
  return { name, body, requestIdSeen: requestId.length > 0 };
}

let fastCalls = 0;

@Controller('v1/echo')
class EchoController {
  @Post(':name/say')
  @HttpCode(200)
  @RequireScope('echo:write')
  say(@Param('name') name: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return echo(name, body, req.id);
  }

  @Post(':name/raw')
  @HttpCode(200)
  @RequireScope('echo:write')
  raw(@Param('name') name: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    return echo(name, body, req.id);
  }
}

@Injectable()
class EchoFastRoute implements OnModuleInit {
  constructor(private readonly routes: FastRoutes) {}
  onModuleInit(): void {
    this.routes.register({
      method: 'POST',
      path: '/v1/echo/:name/say',
      scope: 'echo:write',
      handle: ({ params, body, id }) => {
        fastCalls++;
        return echo(params['name'], body, id);
      },
    });
    // A route that builds its JSON text itself (e.g. from pre-serialised fragments).
    this.routes.register({
      method: 'POST',
      path: '/v1/echo/:name/raw',
      scope: 'echo:write',
      rawJson: true,
      handle: ({ params, body, id }) => {
        fastCalls++;
        const answer = echo(params['name'], body, id);
        return answer instanceof Promise ? answer.then((a) => JSON.stringify(a)) : JSON.stringify(answer);
      },
    });
  }
}

@Module({ controllers: [EchoController], providers: [EchoFastRoute] })
class EchoModule {}

const def: ServiceDefinition = {
  name: 'kit-fast-test',
  version: '1.0.0-test',
  description: 'fast route test service',
  schema: 'kit_fast_test',
  httpPort: 0,
  tcpPort: 0,
  migrations: [],
  info: defineMessage('kit-fast-test.info.v1', Type.Object({}), Type.Any(), 'test'),
  peers: [],
};

const TOKENS = JSON.stringify([
  { name: 'writer', token: 'writer-token-0123456789', scopes: ['echo:write'] },
  { name: 'reader', token: 'reader-token-0123456789', scopes: ['echo:read'] },
]);
const WRITER = { authorization: 'Bearer writer-token-0123456789' };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: Record<string, unknown>;
}

/**
 * One POST. `chunked` sends the body without a Content-Length, which the fast path declines, so the
 * same request is answered by Fastify and Nest: the reference the fast path must match.
 */
function post(svc: TestService, path: string, body: string, headers: Record<string, string>, chunked: boolean): Promise<Answer> {
  const url = new URL(path, svc.url);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let json: Record<string, unknown>;
        try {
          json = JSON.parse(text);
        } catch {
          json = { text };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
    });
    req.on('error', reject);
    if (chunked) req.write(body); // no content-length: Node sends Transfer-Encoding: chunked
    req.end(chunked ? undefined : body);
  });
}

/** An answer without what differs per request by design (the request id). */
const comparable = (a: Answer) => ({ status: a.status, json: { ...a.json, requestId: a.json['requestId'] === undefined ? undefined : 'id' }, type: a.headers['content-type']?.split(';')[0] });

describe('fast routes answer exactly as the routes they shadow', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(def, EchoModule, { env: { AUTH_TOKENS: TOKENS, BODY_LIMIT_BYTES: '2048' } });
  }, 60000);
  afterAll(async () => {
    await svc?.close();
  });

  const cases: Array<[string, string, string, Record<string, string>]> = [
    ['a plain answer', '/v1/echo/ada/say', '{"x":[1,2,{"y":"z"}]}', WRITER],
    ['a percent-encoded path parameter', '/v1/echo/ad%C3%A1%20b/say?ignored=1', '{"x":1}', WRITER],
    ['an answer resolved later', '/v1/echo/later/say', '{"x":1}', WRITER],
    ['ready JSON text (rawJson)', '/v1/echo/ada/raw', '{"x":[1,"two"]}', WRITER],
    ['ready JSON text resolved later (rawJson)', '/v1/echo/later/raw', '{"x":1}', WRITER],
    ['malformed JSON', '/v1/echo/ada/say', '{"x": 1,', WRITER],
    ['an empty body', '/v1/echo/ada/say', '', WRITER],
    ['a __proto__ key (prototype poisoning)', '/v1/echo/ada/say', '{"a":1,"__proto__":{"admin":true}}', WRITER],
    ['a constructor.prototype key', '/v1/echo/ada/say', '{"constructor":{"prototype":{"admin":true}}}', WRITER],
    ['no token', '/v1/echo/ada/say', '{}', {}],
    ['an unknown token', '/v1/echo/ada/say', '{}', { authorization: 'Bearer writer-token-0123456780' }],
    ['a token without the scope', '/v1/echo/ada/say', '{}', { authorization: 'Bearer reader-token-0123456789' }],
    ['a PlatformError from the handler', '/v1/echo/refuse/say', '{}', WRITER],
    ['a rejected promise from the handler', '/v1/echo/later-refuse/say', '{}', WRITER],
    ['a bug in the handler', '/v1/echo/bug/say', '{}', WRITER],
  ];

  it.each(cases)('%s', async (_what, path, body, headers) => {
    const before = fastCalls;
    const fast = await post(svc, path, body, headers, false);
    const reference = await post(svc, path, body, headers, true);
    expect(comparable(fast)).toEqual(comparable(reference));
    // The handler ran on the fast path whenever the request got past parsing and auth.
    if (fast.status === 200 || fast.status === 409 || fast.status === 422 || fast.status === 500) expect(fastCalls).toBe(before + 1);
    else expect(fastCalls).toBe(before);
  });

  it('echoes or makes the x-request-id, like every other route', async () => {
    const given = await post(svc, '/v1/echo/ada/say', '{}', { ...WRITER, 'x-request-id': 'trace-fast-7' }, false);
    expect(given.headers['x-request-id']).toBe('trace-fast-7');
    const made = await post(svc, '/v1/echo/refuse/say', '{}', WRITER, false);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(made.json['requestId']).toBe(made.headers['x-request-id']);
  });

  it('leaves too large bodies and other media types to Fastify (413, 415)', async () => {
    const before = fastCalls;
    const big = await post(svc, '/v1/echo/ada/say', JSON.stringify({ x: 'y'.repeat(4096) }), WRITER, false);
    expect(big.status).toBe(413);
    expect(big.json['code']).toBe('PAYLOAD_TOO_LARGE');
    const xml = await post(svc, '/v1/echo/ada/say', '<x/>', { ...WRITER, 'content-type': 'application/xml' }, false);
    expect(xml.status).toBe(415);
    expect(xml.json['code']).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(fastCalls).toBe(before);
  });

  it('answers every request of a burst, each with its own answer, on many connections and on one pipelined connection', async () => {
    const names = Array.from({ length: 64 }, (_, i) => `n${i}`);
    const answers = await Promise.all(names.map((name) => post(svc, `/v1/echo/${name}/say`, JSON.stringify({ i: name }), WRITER, false)));
    expect(answers.map((a) => [a.status, a.json['name'], (a.json['body'] as { i: string }).i])).toEqual(names.map((n) => [200, n, n]));

    // Pipelined: every request written before any answer is read; the answers come back in order.
    const body = (i: number) => JSON.stringify({ i });
    const requests = Array.from({ length: 20 }, (_, i) => `POST /v1/echo/p${i}/say HTTP/1.1\r\nhost: x\r\nauthorization: ${WRITER.authorization}\r\ncontent-type: application/json\r\ncontent-length: ${body(i).length}\r\n\r\n${body(i)}`);
    const url = new URL(svc.url);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write(requests.join('')));
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
        if ((received.match(/HTTP\/1\.1 200/g) ?? []).length === requests.length && received.endsWith('}')) socket.end();
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(new Error(`only part of the answers: ${received.length} characters`)), 10_000).unref();
    });
    expect([...text.matchAll(/"name":"(p\d+)"/g)].map((m) => m[1])).toEqual(requests.map((_, i) => `p${i}`));
  });

  it('counts its requests in the HTTP histogram under the route template', async () => {
    const before = fastCalls;
    await post(svc, '/v1/echo/metrics-probe/say', '{}', WRITER, false);
    expect(fastCalls).toBe(before + 1);
    const { text } = await callService(svc, 'GET', '/metrics');
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*method="POST"[^}]*route="\/v1\/echo\/:name\/say"[^}]*status="200"[^}]*\} [1-9]/);
  });
});
