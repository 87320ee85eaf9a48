// The four services as real processes (the built apps) on a real PostgreSQL, each fuzzed with
// requests derived from its own /openapi.json (see openapi-fuzz.mjs): no answer may be a 5xx,
// none may hang past its deadline, every 4xx carries a `code`, and each service is still alive
// and ready afterwards. Seeded and reproducible: FUZZ_SEED (default 18), FUZZ_REQUESTS per
// service (default 6000: 24,000 requests over the four). A failure lists each broken request exactly as it was sent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fuzzService } from './openapi-fuzz.mjs';
import { startPlatform } from './platform-processes.mjs';

const SEED = Number(process.env.FUZZ_SEED ?? 18);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 6000);

let platform;

before(async () => {
  platform = await startPlatform({ offset: Number(process.env.E2E_FUZZ_PORT_OFFSET ?? 23000), name: 'fuzz' });
});

after(async () => {
  await platform?.stop();
});

const services = [
  ['dwh-ingest', 'dwh'],
  ['feature-store', 'features'],
  ['trainer', 'trainer'],
  ['model-serving', 'serving'],
];

for (const [name, key] of services) {
  test(`${name}: requests derived from its OpenAPI document get no 5xx, no hang, a code on every 4xx, and leave it ready`, { timeout: 600_000 }, async (t) => {
    const base = platform.urls[key];
    const doc = await (await fetch(`${base}/openapi.json`)).json();
    const started = Date.now();
    const result = await fuzzService({ port: Number(new URL(base).port), doc, seed: SEED, count: REQUESTS });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary = `${name}: ${result.sent} requests over ${result.operations} operations in ${seconds} s (seed ${SEED}): ${Object.entries(result.classes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`;
    console.log(summary);
    t.diagnostic(summary);
    const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0);
    if (result.failures.length || ready !== 200) for (const tail of platform.logTails(4000)) t.diagnostic(tail);
    // Distinct failures by what broke and where, each with one request that shows it.
    const distinct = new Map();
    for (const f of result.failures) {
      const k = `${f.broken} ${f.method} ${f.target.split('?')[0].replace(/\/[^/]*$/, '/…')}`;
      if (!distinct.has(k)) distinct.set(k, { count: 0, example: f });
      distinct.get(k).count++;
    }
    assert.deepEqual([...distinct].map(([k, v]) => `${k} (x${v.count}): ${JSON.stringify(v.example)}`), []);
    assert.equal(ready, 200, `${name} is not ready after the fuzz`);
  });
}
