#!/usr/bin/env node
// How fast the console's pages get their data at scale: the four services and the console as built
// processes on a scratch database of DATABASE_URL's server, seeded in bulk with SQL
// (generate_series) with 10,000 training runs, 1,000 versions of one model and 1,000,000 failed
// events, then each API answer behind a console page asked through the console (as the pages do):
// the first page and a deep page of each list, `--repeat` times after a warm-up, p50 and p95.
//
//   node tools/bench/console-scale-bench.mjs [--repeat 30] [--offset 40000]
//
// Needs the built apps (`npx nx run-many -t build --projects=tag:type:app`) and DATABASE_URL; the
// scratch database is dropped at the end. Prints a Markdown table (docs/benchmarks.md, "Console at scale").
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startConsole } from '../e2e/console-platform.mjs';
import { startPlatform } from '../e2e/platform-processes.mjs';

const { values: args } = parseArgs({
  options: {
    repeat: { type: 'string', default: '30' },
    offset: { type: 'string', default: '40000' },
  },
});
const REPEAT = Number(args.repeat);
const OFFSET = Number(args.offset);
const RUNS = 10_000;
const VERSIONS = 1_000;
const FAILED_EVENTS = 1_000_000;
const BIG_MODEL = 'scale_big';
const MODELS = Array.from({ length: 10 }, (_, i) => (i === 0 ? BIG_MODEL : `scale_m${i}`));

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

/** Rows the way the services write them: runs with 30 epochs of curves and metrics, versions with lineage, failed events with payloads. */
async function seed(db) {
  const spec = (name) => ({ name, task: 'binary_classification', featureService: 'scale_fs', label: { view: 'scale', feature: 'label' }, primaryMetric: 'auc', algorithm: 'logistic_regression', split: { kind: 'random', testFraction: 0.2 } });
  for (const name of MODELS) {
    await db.query(`INSERT INTO registry.models (name, spec, spec_hash) VALUES ($1, $2::jsonb, md5($1))`, [name, JSON.stringify(spec(name))]);
  }
  let t = performance.now();
  // Half the runs are the big model's (its page lists them), the rest spread over nine others; one a minute, back from now.
  await db.query(
    `WITH curve AS (SELECT jsonb_agg(jsonb_build_object('epoch', e, 'loss', 1.0 / e, 'valLoss', 1.1 / e, 'valMetric', 0.6 + e * 0.01)) AS c FROM generate_series(1, 30) AS e)
     INSERT INTO registry.training_runs (id, model, status, trigger, spec, spec_hash, seed, data_end, code_version, progress, curves, metrics,
                                         created_at, started_at, finished_at)
     SELECT gen_random_uuid(),
            CASE WHEN i % 2 = 0 THEN $1 ELSE 'scale_m' || (1 + i % 9) END,
            CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'succeeded' END,
            'schedule', '{}'::jsonb, md5(i::text), i, now(), 'bench', 1, curve.c,
            jsonb_build_object('candidate', jsonb_build_object('auc', 0.7 + (i % 100) / 1000.0, 'log_loss', 0.5), 'baseline', jsonb_build_object('auc', 0.65)),
            now() - i * interval '1 minute', now() - i * interval '1 minute', now() - i * interval '1 minute' + interval '40 seconds'
       FROM generate_series(1, $2) AS i, curve`,
    [BIG_MODEL, RUNS],
  );
  log(`${RUNS} runs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  await db.query(
    `INSERT INTO registry.model_versions (model, version, algorithm, artifact, sha256, metrics, lineage, gate, status, created_at)
     SELECT $1, v, 'logistic_regression', convert_to(repeat('x', 2048), 'UTF8'), md5(v::text) || md5(v::text),
            jsonb_build_object('auc', 0.7 + (v % 100) / 1000.0, 'log_loss', 0.5),
            jsonb_build_object('datasetFingerprint', md5(v::text), 'codeVersion', 'bench', 'seed', v, 'featureViewVersions', jsonb_build_object('scale', 1)),
            jsonb_build_object('promoted', v % 7 = 0, 'code', CASE WHEN v % 7 = 0 THEN 'PROMOTED' ELSE 'NOT_BETTER' END, 'reason', 'bench'),
            CASE WHEN v % 7 = 0 THEN 'promoted' ELSE 'candidate' END, now() - ($2 - v) * interval '1 hour'
       FROM generate_series(1, $2) AS v`,
    [BIG_MODEL, VERSIONS],
  );
  log(`${VERSIONS} versions in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  // Codes as they come in real traffic: mostly schema violations and unplanned events, a rare one.
  await db.query(
    `INSERT INTO dwh.failed_events (message_id, event, payload, payload_sha256, violations, codes, received_at)
     SELECT 'msg-' || i,
            (ARRAY['page_view', 'add_to_cart', 'checkout', 'wishlist_added', 'search'])[1 + i % 5],
            jsonb_build_object('messageId', 'msg-' || i, 'event', 'page_view', 'userId', 'u-' || (i % 50000), 'properties', jsonb_build_object('path', '/p/' || (i % 997), 'price', 'free')),
            md5(i::text) || md5(i::text),
            jsonb_build_array(jsonb_build_object('code', c.code, 'path', '/properties/price', 'message', 'must be number')),
            ARRAY[c.code],
            now() - (${FAILED_EVENTS} - i) * interval '2 seconds'
       FROM generate_series(1, ${FAILED_EVENTS}) AS i,
            LATERAL (SELECT CASE WHEN i % 1000 = 0 THEN 'PAYLOAD_TOO_LARGE' WHEN i % 10 < 6 THEN 'SCHEMA_VIOLATION' ELSE 'UNPLANNED_EVENT' END AS code) AS c`,
  );
  log(`${FAILED_EVENTS} failed events in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await db.query('ANALYZE');
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/** One GET through the console, repeated: p50/p95 in ms, the answer's size, and the body of the last answer. */
async function measure(url) {
  let body;
  let bytes = 0;
  const times = [];
  for (let i = 0; i < REPEAT + 3; i++) {
    const started = performance.now();
    const res = await fetch(url);
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
    if (i >= 3) times.push(ms); // three warm-ups
    body = JSON.parse(text);
    bytes = text.length;
  }
  times.sort((a, b) => a - b);
  return { p50: pct(times, 0.5), p95: pct(times, 0.95), bytes, body };
}

/** The cursor of page `n` (1 = first) of a cursor-paged list, by walking it as a user paging on would. */
async function cursorOfPage(url, n) {
  let cursor = null;
  for (let page = 1; page < n; page++) {
    const res = await fetch(cursor === null ? url : `${url}&cursor=${encodeURIComponent(cursor)}`);
    const body = await res.json();
    if (res.status !== 200 || body.nextCursor === null) throw new Error(`${url}: no page ${page + 1}`);
    cursor = body.nextCursor;
  }
  return cursor;
}

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required (a PostgreSQL server the bench may create a scratch database on)');
  log('starting the four services on a scratch database');
  const platform = await startPlatform({ offset: OFFSET, name: 'scale', env: { LOG_LEVEL: 'warn' } });
  const db = new pg.Client({ connectionString: platform.databaseUrl });
  let consoleApp;
  try {
    await db.connect();
    await seed(db);
    consoleApp = await startConsole(platform, { httpPort: 3005 + OFFSET, tcpPort: 4005 + OFFSET, env: { LOG_LEVEL: 'warn' } });
    const api = (service, path) => `${consoleApp.url}/api/${service}${path}`;
    const runsUrl = api('trainer', `/v1/training-runs?model=${BIG_MODEL}&limit=50`);
    const versionsUrl = api('trainer', `/v1/models/${BIG_MODEL}/versions?limit=50`);
    const failedUrl = api('dwh-ingest', '/v1/failed-events?limit=50');
    const { rows: [mid] } = await db.query(`SELECT id FROM dwh.failed_events ORDER BY id LIMIT 1 OFFSET ${FAILED_EVENTS / 2}`);
    const cases = [
      ['Overview board', 'first', `${consoleApp.url}/api/overview`],
      ['Models: registry', 'first', api('trainer', '/v1/models')],
      ['Model page: the model', 'first', api('trainer', `/v1/models/${BIG_MODEL}`)],
      ['Model page: versions (50 of 1,000)', 'first', versionsUrl],
      ['Model page: versions (50 of 1,000)', 'page 15 (versions 701-750)', `${versionsUrl}&cursor=${encodeURIComponent(await cursorOfPage(versionsUrl, 15))}`],
      ['Model page: runs (50 of 5,000)', 'first', runsUrl],
      ['Model page: runs (50 of 5,000)', 'page 80 (runs 3,951-4,000)', `${runsUrl}&cursor=${encodeURIComponent(await cursorOfPage(runsUrl, 80))}`],
      ['Runs of every model (200 of 10,000)', 'first', api('trainer', '/v1/training-runs?limit=200')],
      ['Failed runs (50 of 1,000)', 'page 10', `${api('trainer', '/v1/training-runs?status=failed&limit=50')}&cursor=${encodeURIComponent(await cursorOfPage(api('trainer', '/v1/training-runs?status=failed&limit=50'), 10))}`],
      ['Warehouse: failed events (50 of 1,000,000)', 'first', failedUrl],
      ['Warehouse: failed events (50 of 1,000,000)', 'deep (cursor at the 500,000th)', `${failedUrl}&cursor=${mid.id}`],
      ['Warehouse: by code SCHEMA_VIOLATION (600,000)', 'first', `${failedUrl}&code=SCHEMA_VIOLATION`],
      ['Warehouse: by code SCHEMA_VIOLATION (600,000)', 'deep (cursor at the 500,000th)', `${failedUrl}&code=SCHEMA_VIOLATION&cursor=${mid.id}`],
      ['Warehouse: by code PAYLOAD_TOO_LARGE (1,000)', 'first', `${failedUrl}&code=PAYLOAD_TOO_LARGE`],
      ['Warehouse: by event and pending (200,000)', 'first', `${failedUrl}&event=checkout&status=pending`],
      ['Warehouse: by event and pending (200,000)', 'deep (cursor at the 500,000th)', `${failedUrl}&event=checkout&status=pending&cursor=${mid.id}`],
    ];
    const results = [];
    for (const [what, page, url] of cases) {
      const r = await measure(url);
      const rows = r.body.runs?.length ?? r.body.versions?.length ?? r.body.items?.length ?? r.body.models?.length ?? '';
      results.push({ what, page, p50: r.p50, p95: r.p95, rows, kb: r.bytes / 1024 });
      log(`${what}, ${page}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (${rows} rows, ${(r.bytes / 1024).toFixed(0)} KB)`);
    }
    console.log(`| console page: API answer | page | p50 ms | p95 ms | rows | KB |`);
    console.log(`| --- | --- | ---: | ---: | ---: | ---: |`);
    for (const r of results) console.log(`| ${r.what} | ${r.page} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.rows} | ${r.kb.toFixed(0)} |`);
    console.log(`\n${REPEAT} requests each after 3 warm-ups, one at a time, through the console (GET /api/<service>/...), ${new Date().toISOString()}.`);
  } finally {
    await db.end().catch(() => undefined);
    await consoleApp?.stop();
    await platform.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
