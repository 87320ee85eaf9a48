import { createTestDatabase, freePort, type TestDatabase } from '@mlp/service-kit/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { applyWarehouse, MARKETING_SPEND_FIXTURE } from '../test-support';

// The figure. DWH_IMPORT_TEST_ROWS only exists to try other sizes by hand.
const ROWS = Number(process.env['DWH_IMPORT_TEST_ROWS'] ?? 1_000_000);
const ROOT = path.resolve(__dirname, '../../../../..');

/** The file is generated while it uploads, so the only thing that could hold it whole is the service. */
function* csvChunks(rows: number): Generator<string> {
  yield 'date,country,channel,spend\n';
  const countries = ['DE', 'FR', 'US', 'GB', 'ES'];
  for (let start = 0; start < rows; start += 5000) {
    let chunk = '';
    for (let i = start; i < Math.min(start + 5000, rows); i++) {
      // Every 1000th row is bad and goes to the rejected rows.
      chunk += i % 1000 === 999 ? `2026-13-01,DE,search,1\n` : `2026-11-${String((i % 28) + 1).padStart(2, '0')},${countries[i % 5]},channel_${i % 7},${(i % 1000) / 10}\n`;
    }
    yield chunk;
  }
}

/** Resident set size of another process, in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb[1]) * 1024;
}

async function upload(url: string, rows: number, key: string) {
  const res = await fetch(`${url}/v1/imports/marketing_spend`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', 'idempotency-key': key },
    body: Readable.toWeb(Readable.from(csvChunks(rows))) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, json: (await res.json()) as Record<string, number> };
}

/**
 * The service runs in its own process, started the way production starts it (plain `node`, no
 * --expose-gc, no forced collections, no flags), so the figure is the service's own resident memory:
 * in-process, the test runner's heap and the client generating and sending the file would be
 * counted too, and forcing collections would hide garbage the service really makes.
 */
describe(`a ${ROWS}-row import`, () => {
  let db: TestDatabase;
  let child: ChildProcess;
  let url: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['-r', path.join(ROOT, 'tools/ts-hook/register.cjs'), path.join(ROOT, 'apps/dwh-ingest/src/main.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env['PATH'],
        DATABASE_URL: db.url,
        PORT: String(port),
        TCP_PORT: String(await freePort()),
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        TRANSFORM_INTERVAL_SECONDS: '0',
        SLA_CHECK_INTERVAL_SECONDS: '0',
      },
    });
    for (let i = 0; i < 600; i++) {
      const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
      if (ready) break;
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await applyWarehouse(url, { project: 'imports-fixture', sources: [MARKETING_SPEND_FIXTURE] });
  }, 90_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await db?.drop();
  });

  it('streams through COPY with flat memory: the service RSS grows by less than 100 MB', async () => {
    // The baseline is the idle service right after startup: no warm-up import to hide first-use growth.
    const pid = child.pid as number;
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
    try {
      const res = await upload(url, ROWS, 'million');
      expect(res.status).toBe(201);
      expect([res.json['rowsAccepted'], res.json['rowsRejected']]).toEqual([ROWS - ROWS / 1000, ROWS / 1000]);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssOf(pid));
    const growthMb = (peak - baseline) / 1024 / 1024;
    process.stderr.write(`import of ${ROWS} rows: service RSS ${(baseline / 1048576).toFixed(0)} MB -> peak ${(peak / 1048576).toFixed(0)} MB (+${growthMb.toFixed(1)} MB)\n`);
    expect(growthMb).toBeLessThan(100);
  }, 180_000);
});
