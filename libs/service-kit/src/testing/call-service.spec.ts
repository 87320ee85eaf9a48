import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callService } from './call-service';
import { freePort } from './test-service';

/** What the echo server saw of a request (its answer to every path not in `answers`). */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('callService', () => {
  let server: Server;
  let base: string;
  /** Paths answered with a fixed body instead of the echo. */
  const answers: Record<string, { type: string; body: string; status?: number }> = {
    '/metrics': { type: 'text/plain; version=0.0.4', body: '# HELP up 1\nup 1\n' },
    '/empty': { type: 'text/plain', body: '', status: 204 },
    '/number': { type: 'application/json', body: '42' },
    '/list': { type: 'application/json', body: '[1,{"a":2}]' },
    '/teapot': { type: 'application/json', body: '{"code":"TEAPOT"}', status: 418 },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const answer = answers[req.url ?? ''];
        res.setHeader('x-echo', 'yes');
        if (answer) {
          res.writeHead(answer.status ?? 200, { 'content-type': answer.type });
          res.end(answer.body);
          return;
        }
        const seen: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(seen));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('JSON-encodes an object body and says so in content-type, with the caller headers added', async () => {
    const res = await callService<Seen>({ url: base }, 'POST', '/v1/things?x=1', { name: 'ada', n: [1, 2] }, { authorization: 'Bearer t' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ method: 'POST', url: '/v1/things?x=1', body: '{"name":"ada","n":[1,2]}' });
    expect(res.json.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t' });
    expect(res.text).toBe(JSON.stringify(res.json));
    expect(res.headers.get('x-echo')).toBe('yes');
  });

  it('sends a string body as it is, as JSON unless the caller names another content type (in any case)', async () => {
    const raw = await callService<Seen>(base, 'POST', '/raw', '{"batch": [');
    expect([raw.json.body, raw.json.headers['content-type']]).toEqual(['{"batch": [', 'application/json']);
    const csv = await callService<Seen>(base, 'POST', '/csv', 'a,b\n1,2', { 'Content-Type': 'text/csv', 'idempotency-key': 'k1' });
    expect([csv.json.body, csv.json.headers['content-type'], csv.json.headers['idempotency-key']]).toEqual(['a,b\n1,2', 'text/csv', 'k1']);
    const quoted = await callService<Seen>(base, 'PUT', '/json-string', JSON.stringify('just text'));
    expect(quoted.json.body).toBe('"just text"');
  });

  it('sends neither a body nor a content type without a body', async () => {
    const res = await callService<Seen>(base, 'POST', '/run');
    expect(res.json.body).toBe('');
    expect(res.json.headers['content-type']).toBeUndefined();
    expect(res.json.headers['content-length']).toBe('0');
  });

  it('answers { text } for a body that is not a JSON object or array, and always the text itself', async () => {
    const metrics = await callService(base, 'GET', '/metrics');
    expect([metrics.status, metrics.json, metrics.text]).toEqual([200, { text: '# HELP up 1\nup 1\n' }, '# HELP up 1\nup 1\n']);
    expect(await callService(base, 'GET', '/empty')).toMatchObject({ status: 204, json: { text: '' }, text: '' });
    expect((await callService(base, 'GET', '/number')).json).toEqual({ text: '42' });
    expect((await callService(base, 'GET', '/list')).json).toEqual([1, { a: 2 }]);
    const teapot = await callService(base, 'GET', '/teapot');
    expect([teapot.status, teapot.json['code']]).toEqual([418, 'TEAPOT']);
  });

  it('rejects when nothing listens, as fetch does', async () => {
    await expect(callService(`http://127.0.0.1:${await freePort()}`, 'GET', '/healthz')).rejects.toThrow();
  });
});
