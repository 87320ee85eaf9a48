#!/usr/bin/env node
// Warehouse aggregates at scale: fills a running dwh-ingest's database with N failed events and N
// accepted events received over the last --span-hours (directly in SQL: generating them through the
// tracking API would take minutes and measure ingest, not the stats), vacuums, then times the
// dashboard routes over HTTP: GET /v1/events/stats (default 24 hours by hour, and 30 days by day)
// and GET /v1/failed-events (first page, and filtered by code), median of --runs.
//
//   node tools/bench/warehouse-stats-bench.mjs --url http://127.0.0.1:3001 \
//     --database-url postgres://postgres@127.0.0.1:5432/<dwh-ingest database> --rows 1000000 --span-hours 24
//
// Use a database of its own: the rows stay (run it again with --rows 0 to time without adding).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const opts = { url: 'http://127.0.0.1:3001', databaseUrl: process.env.DATABASE_URL, rows: 1_000_000, spanHours: 24, runs: 5, token: process.env.INGEST_TOKEN };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  if (!(key in opts)) throw new Error(`unknown option ${process.argv[i]}`);
  opts[key] = typeof opts[key] === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
if (!opts.databaseUrl) throw new Error('--database-url (the dwh-ingest database) is required');

const db = new pg.Client({ connectionString: opts.databaseUrl });
await db.connect();
if (opts.rows > 0) {
  const started = performance.now();
  const span = opts.spanHours * 3600;
  // Payloads shaped like real rejected track calls; 40 event names, 1-2 codes per message.
  await db.query(
    `INSERT INTO dwh.failed_events (message_id, event, payload, payload_sha256, violations, codes, received_at)
     SELECT 'bench-f-' || g || '-' || $2, 'event_' || (g % 40),
            jsonb_build_object('type', 'track', 'event', 'event_' || (g % 40), 'userId', 'u-' || (g % 5000), 'messageId', 'bench-f-' || g, 'properties', jsonb_build_object('sku', g, 'price', g % 100)),
            md5(g::text || $2), '[{"path": "$.properties.sku", "code": "DATATYPE_MISMATCH", "message": "must be string"}]',
            CASE g % 3 WHEN 0 THEN ARRAY['DATATYPE_MISMATCH', 'REQUIRED_MISSING'] WHEN 1 THEN ARRAY['UNPLANNED_EVENT'] ELSE ARRAY['OUT_OF_RANGE'] END,
            now() - (g % $3) * interval '1 second'
       FROM generate_series(1, $1::int) g`,
    [opts.rows, Date.now(), span],
  );
  await db.query(
    `INSERT INTO dwh.events (message_id, type, event, schema_version, user_id, properties, device_created_at, received_at, derived_at, loaded_at)
     SELECT 'bench-e-' || g || '-' || $2, 'track', 'event_' || (g % 40), '1-0-0', 'u-' || (g % 5000), jsonb_build_object('sku', g), now(), now(), now(), now() - (g % $3) * interval '1 second'
       FROM generate_series(1, $1::int) g`,
    [opts.rows, Date.now(), span],
  );
  await db.query('VACUUM ANALYZE dwh.failed_events');
  await db.query('VACUUM ANALYZE dwh.events');
  console.log(`inserted ${opts.rows} failed and ${opts.rows} accepted events over ${opts.spanHours} h in ${Math.round(performance.now() - started)} ms`);
}
const [{ failed }] = (await db.query('SELECT count(*)::bigint AS failed FROM dwh.failed_events')).rows;
await db.end();

const headers = opts.token ? { authorization: `Bearer ${opts.token}` } : {};
async function time(path) {
  const ms = [];
  let body;
  for (let i = 0; i < opts.runs; i++) {
    const t = performance.now();
    const res = await fetch(`${opts.url}${path}`, { headers });
    body = await res.json();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { path, medianMs: Math.round(ms[Math.floor(ms.length / 2)]), minMs: Math.round(ms[0]), maxMs: Math.round(ms[ms.length - 1]), body };
}
const results = [
  await time('/v1/events/stats'),
  await time(`/v1/events/stats?bucket=day&from=${new Date(Date.now() - 30 * 86400_000).toISOString()}`),
  await time('/v1/failed-events?limit=50'),
  await time('/v1/failed-events?limit=50&code=UNPLANNED_EVENT'),
];
console.log(`dwh.failed_events holds ${failed} rows; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const r of results) {
  const totals = r.body.totals ? ` (rejected ${r.body.totals.rejected}, accepted ${r.body.totals.accepted})` : '';
  console.log(`${r.path.padEnd(80)} median ${r.medianMs} ms, min ${r.minMs}, max ${r.maxMs}${totals}`);
}
console.log(JSON.stringify({ rows: Number(failed), loadavg: os.loadavg(), results: results.map(({ body: _body, ...r }) => r) }));
