import { startTestService, type TestService } from '@mlp/service-kit/testing';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import { AppModule } from '../app.module';
import { service } from '../../service';

// The figure is 1,000,000 rows (DWH_IMPORT_TEST_ROWS=1000000, about a minute on an idle
// 2-core machine); the default keeps the suite short while still dwarfing any buffer.
const ROWS = Number(process.env['DWH_IMPORT_TEST_ROWS'] ?? 300_000);

/** The file is generated while it uploads, so the only thing that could hold it whole is the service. */
function* csvChunks(): Generator<string> {
  yield 'date,country,channel,spend\n';
  const countries = ['DE', 'FR', 'US', 'GB', 'ES'];
  for (let start = 0; start < ROWS; start += 5000) {
    let chunk = '';
    for (let i = start; i < Math.min(start + 5000, ROWS); i++) {
      // Every 1000th row is bad and goes to the rejected rows.
      chunk += i % 1000 === 999 ? `2026-13-01,DE,search,1\n` : `2026-11-${String((i % 28) + 1).padStart(2, '0')},${countries[i % 5]},channel_${i % 7},${(i % 1000) / 10}\n`;
    }
    yield chunk;
  }
}

describe(`a ${ROWS}-row import`, () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
  });
  afterAll(() => svc.close());

  it('streams through COPY with flat memory (RSS growth under 100 MB)', async () => {
    // What must stay flat is memory the import holds on to. V8 collects lazily, so collectable
    // garbage would otherwise inflate RSS; a collection before each sample measures what is live.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 250);
    try {
      const res = await fetch(`${svc.url}/v1/imports/marketing_spend`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'idempotency-key': 'million' },
        body: Readable.toWeb(Readable.from(csvChunks())) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const json = (await res.json()) as Record<string, number>;
      expect(res.status).toBe(201);
      expect([json['rowsAccepted'], json['rowsRejected']]).toEqual([ROWS - ROWS / 1000, ROWS / 1000]);
    } finally {
      clearInterval(sampler);
    }
    expect((peak - baseline) / 1024 / 1024).toBeLessThan(100);
  }, 300_000);
});
