import Fastify, { type FastifyInstance } from 'fastify';
import { isNulFreeBody, jsonTextHasNoNul, noteNulFreeJsonBodies } from './json-body';

/** A Fastify instance with one route that answers what it parsed and whether the body was marked NUL-free. */
async function server(withNote: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  if (withNote) noteNulFreeJsonBodies(app);
  app.post('/echo', async (request) => ({ body: request.body, nulFree: isNulFreeBody(request.body) }));
  await app.ready();
  return app;
}

const post = (app: FastifyInstance, payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/echo', payload, headers: { 'content-type': contentType } });

describe('the JSON body parser that notes NUL-free bodies', () => {
  let plain: FastifyInstance;
  let noted: FastifyInstance;
  beforeAll(async () => {
    plain = await server(false);
    noted = await server(true);
  });
  afterAll(async () => {
    await plain.close();
    await noted.close();
  });

  it('answers every body exactly as Fastify’s own parser does, prototype poisoning and errors included', async () => {
    const bodies = [
      '{"batch":[{"a":1}]}',
      '{"batch":[{"__proto__":{"x":1}}]}',
      '{"batch":[{"\\u005f_proto__":{"x":1}}]}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"batch":[{"constructor":{"prototype":{"x":1}}}]}',
      '{"batch":[{"constructor":"fine"}]}',
      '{"text":"a \\"__proto__\\": b"}',
      '',
      '{"batch":[',
      '[1,2,"]["]',
      '"just a string"',
      '\ufeff{"bom":true}',
      '{"nested":[[["[", "]"], {"k": "}{"}]]}',
      '{"s":"\\u00e9\\ud83d\\ude00 é 😀"}',
    ];
    for (const body of bodies) {
      const [a, b] = await Promise.all([post(plain, body), post(noted, body)]);
      const strip = (r: typeof a) => {
        const json = r.json() as Record<string, unknown>;
        delete json['nulFree'];
        return [r.statusCode, json];
      };
      expect([body, ...strip(b)]).toEqual([body, ...strip(a)]);
    }
    expect((await post(noted, '{"batch":[{"__proto__":{"x":1}}]}')).statusCode).toBe(400);
    expect((await post(noted, '{"a":{"constructor":{"prototype":{}}}}')).statusCode).toBe(400);
    const charset = await post(noted, '{"a":"x"}', 'application/json; charset=utf-8');
    expect(charset.json()).toEqual({ body: { a: 'x' }, nulFree: true });
  });

  it('marks a body NUL-free only when its text has no \\u0000 escape', async () => {
    expect((await post(noted, '{"batch":[{"a":"plain","b":["[","{"]}]}')).json().nulFree).toBe(true);
    expect((await post(noted, '{"batch":[{"a":"x\\u0000y"}]}')).json().nulFree).toBe(false);
    expect((await post(noted, '{"batch":[{"k\\u0000":1}]}')).json().nulFree).toBe(false);
    // An escaped backslash before "u0000" decodes to no NUL, but is conservatively fully checked.
    expect((await post(noted, '{"a":"\\\\u0000"}')).json()).toEqual({ body: { a: '\\u0000' }, nulFree: false });
    const big = JSON.stringify({ batch: Array.from({ length: 500 }, (_, i) => ({ i, s: 'é'.repeat(60) })) });
    expect((await post(noted, big)).json().nulFree).toBe(true);
    expect((await post(noted, big.replace('"i":499', '"i":"\\u0000"'))).json().nulFree).toBe(false);
    expect(isNulFreeBody({})).toBe(false);
    expect(isNulFreeBody(null)).toBe(false);
  });

  it('never calls a text with U+0000 NUL-free', () => {
    for (const value of ['\u0000', 'a\u0000', { ['k\u0000']: 1 }, [['x', '\u0000']]]) expect(jsonTextHasNoNul(JSON.stringify(value))).toBe(false);
    expect(jsonTextHasNoNul(Buffer.from(JSON.stringify({ a: 'ok' })))).toBe(true);
    expect(jsonTextHasNoNul(Buffer.from(JSON.stringify({ a: '\u0000' })))).toBe(false);
  });
});
