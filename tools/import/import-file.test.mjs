import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatProgress, importFile, progressReporter } from './import-file.mjs';

const sink = (isTTY) => ({ isTTY, out: '', write(s) { this.out += s; return true; } });

describe('import-file CLI', () => {
  const received = [];
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c) => (bytes += c.length));
    req.on('end', () => {
      received.push({ url: req.url, type: req.headers['content-type'], key: req.headers['idempotency-key'], chunked: req.headers['transfer-encoding'], bytes });
      const status = req.url.endsWith('/broken') ? 400 : received.filter((r) => r.key === req.headers['idempotency-key']).length > 1 ? 200 : 201;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 400 ? { code: 'HEADER_MISMATCH' } : { rowsAccepted: 3, replayed: status === 200 }));
    });
  });
  const ready = new Promise((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-file-'));
  const file = path.join(dir, 'spend.csv');
  fs.writeFileSync(file, 'date,country,channel,spend\n' + '2026-11-01,DE,search,1\n'.repeat(50_000));

  it('streams the file with its content type and a content-derived Idempotency-Key, so a rerun is a replay', async () => {
    await ready;
    const url = `http://127.0.0.1:${server.address().port}`;
    const progress = sink(false);
    const first = await importFile({ url, source: 'marketing_spend', file, progress });
    const second = await importFile({ url, source: 'marketing_spend', file, progress: sink(false) });
    assert.equal(first.status, 201);
    assert.deepEqual(second.body, { rowsAccepted: 3, replayed: true });
    assert.equal(received[0].bytes, fs.statSync(file).size);
    assert.equal(received[0].type, 'text/csv');
    assert.equal(received[0].chunked, 'chunked');
    assert.match(received[0].key, /^sha256-[0-9a-f]{64}$/);
    assert.equal(received[0].key, received[1].key);
    assert.match(progress.out.trim().split('\n').at(-1), /100%/);
  });

  it('reports a refused import with its status and code', async () => {
    const url = `http://127.0.0.1:${server.address().port}`;
    const res = await importFile({ url, source: 'broken', file, progress: sink(false) });
    assert.deepEqual([res.ok, res.status, res.body.code], [false, 400, 'HEADER_MISMATCH']);
  });

  it('draws a bar in place on a terminal and one line per 10% in a log', () => {
    assert.equal(formatProgress(512 * 1024, 1024 * 1024, 1000), `[${'#'.repeat(15)}${'-'.repeat(15)}]  50%  0.5/1.0 MB  0.5 MB/s`);
    let t = 0;
    const tty = sink(true);
    const bar = progressReporter(tty, 100, () => (t += 200));
    for (let i = 0; i <= 100; i += 10) bar.update(i);
    bar.update(100, true);
    assert.ok(tty.out.startsWith('\r') && tty.out.endsWith('\n'));
    const log = sink(false);
    const quiet = progressReporter(log, 1000);
    for (let i = 0; i <= 1000; i++) quiet.update(i);
    quiet.update(1000, true);
    assert.equal(log.out.trim().split('\n').length, 11);
  });
});
