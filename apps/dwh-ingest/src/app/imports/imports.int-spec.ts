import { Database } from '@mlp/service-kit';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyWarehouse, MARKETING_SPEND_FIXTURE } from '../test-support';

describe('third-party imports on a real PostgreSQL', () => {
  let svc: TestService;
  let db: Database;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    db = svc.app.get(Database);
    await applyWarehouse(svc, { project: 'imports-fixture', sources: [MARKETING_SPEND_FIXTURE] });
  });
  afterAll(() => svc.close());

  const upload = (body: string, type: string, key?: string, source = 'marketing_spend') =>
    callService(svc, 'POST', `/v1/imports/${source}`, body, { 'content-type': type, ...(key ? { 'idempotency-key': key } : {}) });

  it('streams a CSV into the source table and keeps bad rows with their violations', async () => {
    const csv = [
      'date,country,channel,spend',
      '2026-11-01,DE,search,120.50',
      '2026-11-01,FR,"social, paid",80',
      '2026-02-30,DE,search,1',
      '2026-11-02,germany,search,-5',
      '2026-11-02,US,,10',
    ].join('\n');
    const res = await upload(csv, 'text/csv', 'csv-1');
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ source: 'marketing_spend', status: 'completed', rowsAccepted: 2, rowsRejected: 3, replayed: false });
    expect(await db.query(`SELECT row_number::int, date::text, country, channel, spend::text FROM "dwh".src_marketing_spend WHERE import_id = $1 ORDER BY 1`, [res.json['importId']])).toEqual([
      { row_number: 1, date: '2026-11-01', country: 'DE', channel: 'search', spend: '120.50' },
      { row_number: 2, date: '2026-11-01', country: 'FR', channel: 'social, paid', spend: '80' },
    ]);
    const rejected = await callService(svc, 'GET', `/v1/imports/runs/${res.json['importId']}/rejected-rows`);
    expect(rejected.json['items']).toEqual([
      { rowNumber: 3, raw: '2026-02-30,DE,search,1', violations: [expect.objectContaining({ path: '$.date', code: 'DATATYPE_MISMATCH' })] },
      {
        rowNumber: 4,
        raw: '2026-11-02,germany,search,-5',
        violations: [expect.objectContaining({ path: '$.country', code: 'PATTERN_MISMATCH' }), expect.objectContaining({ path: '$.spend', code: 'OUT_OF_RANGE' })],
      },
      { rowNumber: 5, raw: '2026-11-02,US,,10', violations: [expect.objectContaining({ path: '$.channel', code: 'REQUIRED_MISSING' })] },
    ]);
  });

  it('rejects a row holding U+0000 (CSV or NDJSON) with INVALID_CHARACTER and imports the rest, never a 500', async () => {
    const csv = ['date,country,channel,spend', '2026-11-03,DE,sea\u0000rch,1', '2026-11-03,DE,search,2'].join('\n');
    const res = await upload(csv, 'text/csv', 'nul-csv');
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ rowsAccepted: 1, rowsRejected: 1 });
    const rejected = await callService(svc, 'GET', `/v1/imports/runs/${res.json['importId']}/rejected-rows`);
    expect(rejected.json['items']).toEqual([
      { rowNumber: 1, raw: '2026-11-03,DE,sea\ufffdrch,1', violations: [expect.objectContaining({ path: '$.channel', code: 'INVALID_CHARACTER' })] },
    ]);
    const ndjson = `${JSON.stringify({ date: '2026-11-04', country: 'DE', channel: 'x\u0000', spend: 1 })}\n`;
    const nd = await upload(ndjson, 'application/x-ndjson', 'nul-ndjson');
    expect([nd.status, nd.json['rowsAccepted'], nd.json['rowsRejected']]).toEqual([201, 0, 1]);
  });

  it('imports each Idempotency-Key once, also when the same upload races', async () => {
    const ndjson = ['{"date":"2026-11-03","country":"DE","channel":"tv","spend":500}', 'not json', '{"date":"2026-11-03","country":"DE","channel":"tv","spend":1,"extra":true}'].join('\n');
    const answers = await Promise.all([1, 2, 3].map(() => upload(ndjson, 'application/x-ndjson', 'nd-1')));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(answers.map((a) => a.json['importId'])).size).toBe(1);
    expect(answers.find((a) => a.status === 201)?.json).toMatchObject({ rowsAccepted: 1, rowsRejected: 2 });
    const [n] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".src_marketing_spend WHERE channel = 'tv'`);
    expect(n.n).toBe('1');
    const codes = await db.query<{ code: string }>(
      `SELECT v->>'code' AS code FROM "dwh".import_rejected_rows r, jsonb_array_elements(r.violations) v WHERE import_id = $1 ORDER BY row_number`,
      [answers[0].json['importId']],
    );
    expect(codes.map((c) => c.code)).toEqual(['MALFORMED_JSON', 'ADDITIONAL_PROPERTIES']);
  });

  it('binds an Idempotency-Key to its body: the same body replays the result, a different body is 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const csv = 'date,country,channel,spend\n2026-11-05,DE,radio,10\n2026-11-05,FR,radio,oops\n';
    const first = await upload(csv, 'text/csv', 'bound-1');
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ rowsAccepted: 1, rowsRejected: 1, replayed: false, bodySha256: createHash('sha256').update(csv).digest('hex') });

    const again = await upload(csv, 'text/csv', 'bound-1');
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...first.json, replayed: true });

    const other = await upload(csv.replace('10', '11'), 'text/csv', 'bound-1');
    expect([other.status, other.json['code']]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(other.json['error']).toContain(first.json['importId']);
    // The same bytes as another format are another request too.
    const asNdjson = await upload(csv, 'application/x-ndjson', 'bound-1');
    expect([asNdjson.status, asNdjson.json['code']]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);

    // Nothing was loaded a second time, and the key still names the first import.
    const [n] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".src_marketing_spend WHERE channel = 'radio'`);
    expect(n.n).toBe('1');
    const imports = await db.query<{ id: string; body_sha256: string }>(`SELECT id, body_sha256 FROM "dwh".imports WHERE idempotency_key = 'bound-1'`);
    expect(imports).toEqual([{ id: first.json['importId'], body_sha256: first.json['bodySha256'] }]);
  });

  it('answers 409 to a concurrent upload that reuses a key with a different body, and imports the other once', async () => {
    const a = 'date,country,channel,spend\n2026-11-06,DE,print,1\n';
    const b = 'date,country,channel,spend\n2026-11-06,DE,print,2\n';
    const answers = await Promise.all([upload(a, 'text/csv', 'race-2'), upload(b, 'text/csv', 'race-2')]);
    expect(answers.map((x) => x.status).sort()).toEqual([201, 409]);
    expect(answers.find((x) => x.status === 409)?.json['code']).toBe('IDEMPOTENCY_KEY_REUSED');
    const [n] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".src_marketing_spend WHERE channel = 'print'`);
    expect(n.n).toBe('1');
  });

  it('splits CSV the RFC 4180 way: quotes, escaped quotes, line breaks in quotes, CRLF, BOM, blank lines, extra fields', async () => {
    const csv = '\ufeffdate,country,channel,spend\r\n2026-11-07, DE ,"multi\nline ""quoted""",3\r\n\r\n   \n2026-11-07,FR,a,1,surplus\n2026-11-07,US,tab\there,4';
    const res = await upload(csv, 'text/csv', 'rfc-1');
    expect(res.json).toMatchObject({ rowsAccepted: 2, rowsRejected: 1 });
    expect(await db.query(`SELECT row_number::int, country, channel, spend::text FROM "dwh".src_marketing_spend WHERE import_id = $1 ORDER BY 1`, [res.json['importId']])).toEqual([
      { row_number: 1, country: 'DE', channel: 'multi\nline "quoted"', spend: '3' },
      { row_number: 3, country: 'US', channel: 'tab\there', spend: '4' },
    ]);
    const rejected = await callService(svc, 'GET', `/v1/imports/runs/${res.json['importId']}/rejected-rows`);
    expect(rejected.json['items']).toEqual([{ rowNumber: 2, raw: '2026-11-07,FR,a,1,surplus', violations: [expect.objectContaining({ path: '$', code: 'ADDITIONAL_PROPERTIES' })] }]);
  });

  it('refuses unknown sources, wrong media types, header mismatches and broken CSV with 4xx codes and stores nothing', async () => {
    expect((await upload('a\n1', 'text/csv', undefined, 'weather')).json['code']).toBe('UNKNOWN_SOURCE');
    const media = await upload('date,country', 'text/plain');
    expect([media.status, media.json['code']]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const header = await upload('date,country,medium,spend\n2026-11-01,DE,x,1', 'text/csv', 'h-1');
    expect([header.status, header.json['code']]).toEqual([400, 'HEADER_MISMATCH']);
    const broken = await upload('date,country,channel,spend\n2026-11-01,DE,"unterminated,1\n', 'text/csv', 'b-1');
    expect([broken.status, broken.json['code']]).toEqual([400, 'MALFORMED_CSV']);
    const [n] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".imports WHERE idempotency_key IN ('h-1', 'b-1')`);
    expect(n.n).toBe('0');
    // A failed upload does not burn its key: the corrected file imports under it.
    const fixed = await upload('date,country,channel,spend\n2026-11-01,DE,search,1', 'text/csv', 'h-1');
    expect([fixed.status, fixed.json['rowsAccepted']]).toEqual([201, 1]);
  });

  /**
   * Sends raw HTTP/1.1 requests one after another on one keep-alive socket; each answer's status
   * line, or 'closed' when the server closed the socket instead (both leave the client free), or
   * 'hang' when nothing came within two seconds.
   */
  async function onOneSocket(requests: Buffer[]): Promise<string[]> {
    const url = new URL(svc.url);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    let closed = false;
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('close', () => (closed = true));
    socket.on('error', () => (closed = true));
    const out: string[] = [];
    for (const req of requests) {
      if (closed) {
        out.push('closed');
        continue;
      }
      received = '';
      socket.write(req);
      const deadline = Date.now() + 2000;
      while (!/^HTTP\/1\.1 \d+[^\r]*\r\n[\s\S]*?\r\n\r\n/.test(received) && !closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const status = /^HTTP\/1\.1 (\d+)/.exec(received)?.[1];
      out.push(status ?? (closed ? 'closed' : 'hang'));
      // Let the rest of the answer and a close arrive.
      await new Promise((r) => setTimeout(r, 50));
    }
    socket.destroy();
    return out;
  }
  const raw = (method: string, path: string, headers: Record<string, string>, body = '') =>
    Buffer.concat([
      Buffer.from(`${method} ${path} HTTP/1.1\r\nhost: x\r\nconnection: keep-alive\r\n${Object.entries({ ...headers, ...(body || method === 'POST' ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`),
      Buffer.from(body),
    ]);

  it('leaves a keep-alive connection usable (or closes it) after refusing an upload whose body it did not read', async () => {
    const badHeader = 'date,country,medium,spend\n' + '2026-11-01,DE,x,1\n'.repeat(200_000);
    const answers = await onOneSocket([raw('POST', '/v1/imports/marketing_spend', { 'content-type': 'text/csv' }, badHeader), raw('GET', '/healthz', {})]);
    expect(answers[0]).toBe('400');
    expect(['200', 'closed']).toContain(answers[1]);
    const small = await onOneSocket([raw('POST', '/v1/imports/marketing_spend', { 'content-type': 'text/csv' }, 'date,country,medium,spend\n1,2,3,4\n'), raw('GET', '/healthz', {})]);
    expect(small[0]).toBe('400');
    expect(['200', 'closed']).toContain(small[1]);
  });
});
