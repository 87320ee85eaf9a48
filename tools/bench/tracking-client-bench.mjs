#!/usr/bin/env node
// Throughput of the demo sender's path (tools/demo/send-events.mjs sendMessages: @mlp/client's
// TrackingClient on concurrent lanes) over a pre-generated demo history, so generation is not timed.
// Against a stub /v1/batch in a child process (the client's own cost: this process's CPU per event
// is the client's), or against a running dwh-ingest with --url.
//
//   node tools/bench/tracking-client-bench.mjs [--url http://127.0.0.1:3001] [--users 1500] [--weeks 8]
//        [--batch-size 500] [--concurrency 4] [--runs 3] [--root DIR] [--json]
//
// --root runs another checkout's sender and client (e.g. `git archive <ref> tools/demo tools/ts-hook
// libs/client tsconfig.base.json .swcrc | tar -x -C DIR` and a node_modules symlink), for A/B runs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    users: { type: 'string', default: '1500' },
    weeks: { type: 'string', default: '8' },
    'batch-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    root: { type: 'string', default: path.resolve(here, '../..') },
    json: { type: 'boolean', default: false },
  },
});
const root = path.resolve(values.root);
const { sendMessages } = await import(pathToFileURL(path.join(root, 'tools/demo/send-events.mjs')).href);
const { createProductWorld } = await import(pathToFileURL(path.join(root, 'tools/demo/product-history.mjs')).href);

// The stub answers like dwh-ingest (every event accepted) after parsing the body, in its own process.
const STUB = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const { batch } = JSON.parse(Buffer.concat(parts).toString('utf8'));
    const results = batch.map((m, index) => ({ index, messageId: m.messageId, status: 'accepted', errors: [] }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: batch.length, duplicates: 0, rejected: 0, results }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startStub() {
  const child = spawn(process.execPath, ['-e', STUB], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`stub exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

const world = createProductWorld({ users: Number(values.users), weeks: Number(values.weeks), end: '2026-06-01T00:00:00Z', seed: 42 });
// Fresh messageIds per run, so a real dwh-ingest stores each run's events instead of answering duplicates.
const history = [...world.events()];
const stub = values.url ? undefined : await startStub();
const baseUrl = values.url ?? stub.url;
const results = [];
try {
  for (let run = 0; run < Number(values.runs); run++) {
    const messages = history.map((m) => ({ ...m, messageId: crypto.randomUUID() }));
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const totals = await sendMessages(messages, { baseUrl, batchSize: Number(values['batch-size']), concurrency: Number(values.concurrency) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    const r = {
      events: totals.events,
      accepted: totals.accepted,
      rejected: totals.rejected,
      requests: totals.requests,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(totals.events / seconds),
      clientCpuUsPerEvent: Number(((used.user + used.system) / totals.events).toFixed(1)),
    };
    results.push(r);
    if (!values.json) console.log(`run ${run + 1}: ${r.events} events, ${r.accepted} accepted, ${r.requests} requests, ${r.seconds} s, ${r.eventsPerSecond} events/s, client CPU ${r.clientCpuUsPerEvent} us/event`);
  }
} finally {
  stub?.stop();
}
if (values.json) console.log(JSON.stringify({ root, target: values.url ?? 'stub', results }));
