#!/usr/bin/env node
// Per-request overhead of libs/service-kit: a minimal kit service against a bare Node.js HTTP server.
//
//   node tools/bench/kit-overhead-bench.mjs [--duration 5] [--connections 32] [--client wrk|node] [--profile /tmp/kit-prof] [--inject-requests 20000]
//
// Writes a minimal kit service to dist/kit-bench/ and starts it through tools/ts-hook (SWC compiles
// it and the kit as they load, so no build step); the service's one feature controller answers a constant body, and a bare `node:http` server answering the
// same bytes; each in its own process, on loopback only (ports 3280-3281, TCP transport 4280), the kit
// against a scratch database `kit_overhead_bench` on DATABASE_URL's server (dropped at the end). Each
// scenario gets the same closed-loop client for `--duration` seconds after a 1 s warm-up: wrk when
// installed, else a lean Node client on raw keep-alive sockets. Per scenario it prints req/s, the
// server's CPU microseconds per request (utime+stime from /proc/<pid>/stat across the run) and the
// ratio to the bare server. Scenarios: bare; kit public route; kit route with a bearer token and a
// scope (the auth guard's path); kit /healthz. Then, in the kit process, the JS cost alone: the same
// requests dispatched in-process with light-my-request to the kit and to a bare handler (CPU us per
// request from process.cpuUsage, median of 5 alternating rounds of --inject-requests, default 20000),
// which a busy machine disturbs much less than the socket figures. `--profile DIR` writes a V8 CPU profile of the kit
// process (node --cpu-prof) to DIR. Bounded: about 4 x (duration + 1) seconds plus the in-process
// rounds (a few seconds) and startup.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const pg = require('pg');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]] : acc), []),
);
const DURATION_S = Number(args.duration ?? 5);
const CONNECTIONS = Number(args.connections ?? 32);
const wrkInstalled = () => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
const CLIENT = args.client ?? (wrkInstalled() ? 'wrk' : 'node');
if (!['wrk', 'node'].includes(CLIENT)) throw new Error('--client must be wrk or node');
const KIT_PORT = 3280;
const BARE_PORT = 3281;
const KIT_TCP_PORT = 4280;
const TOKEN = 'bench-token-0123456789abcdef';
const BODY = JSON.stringify({ live: true });
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DB = 'kit_overhead_bench';
const INJECT_REQUESTS = Number(args['inject-requests'] ?? 20000);

// ---------- a minimal kit service, loaded from TypeScript through the workspace's ts-hook ----------
const outRoot = path.join(root, 'dist', 'kit-bench');
const ENTRY = path.join(outRoot, 'kit-overhead-service.ts');
const TS_HOOK = path.join(root, 'tools', 'ts-hook', 'register.cjs');
const ENTRY_SOURCE = `
import { Controller, Get, Module } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { defineMessage } from '@mlp/contracts';
import { Public, RequireScope, startService } from '@mlp/service-kit';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Dispatch = (req: IncomingMessage, res: ServerResponse) => void;
interface InjectOrder { inject?: 'bare' | 'kit'; url: string; headers?: Record<string, string>; requests: number }

const BenchInfo = defineMessage('kit-bench.info.v1', Type.Object({}), Type.Any(), 'kit overhead bench');

@Controller('v1/bench')
class BenchController {
  @Get('public')
  @Public()
  open() {
    return { live: true };
  }

  @Get('scoped')
  @RequireScope('bench:read')
  scoped() {
    return { live: true };
  }
}

@Module({ controllers: [BenchController] })
class BenchModule {}

// In-process mode: the same requests dispatched with light-my-request (what fastify.inject uses)
// to the kit's Fastify instance and to a bare node:http handler, 32 in flight, CPU time of this
// process per request. No sockets and no client process: the JS cost alone, steadier on a busy machine.
const inject = require('light-my-request');
const BARE_BODY = Buffer.from(JSON.stringify({ live: true }));
function bareHandler(_req: IncomingMessage, res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': BARE_BODY.length });
  res.end(BARE_BODY);
}
async function injectLoop(dispatch: Dispatch, url: string, headers: Record<string, string>, total: number): Promise<number> {
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      const res = await inject(dispatch, { method: 'GET', url, headers });
      if (res.statusCode !== 200) throw new Error(url + ' answered ' + res.statusCode);
    }
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: 32 }, worker));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / total;
}

startService(
  { name: 'kit-bench', version: '0.0.0', description: 'kit overhead bench', schema: 'kit_bench', httpPort: ${KIT_PORT}, tcpPort: ${KIT_TCP_PORT}, migrations: [], info: BenchInfo },
  BenchModule,
  { waitForDatabase: true },
).then(
  (svc) => {
    process.send?.('ready');
    const fastify = svc.app.getHttpAdapter().getInstance();
    const kitDispatch: Dispatch = (req, res) => fastify.routing(req, res);
    process.on('message', (m: InjectOrder) => {
      if (m?.inject === undefined) return;
      const dispatch = m.inject === 'bare' ? bareHandler : kitDispatch;
      injectLoop(dispatch, m.url, m.headers ?? {}, m.requests).then(
        (cpuPerReq) => process.send?.({ cpuPerReq }),
        (err) => process.send?.({ error: String(err) }),
      );
    });
    process.on('SIGTERM', () => svc.shutdown('SIGTERM').then(() => process.exit(0)));
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
`;

/** Writes the service's source; the ts-hook compiles it and the kit (aliases included) as they load. */
function writeEntry() {
  fs.rmSync(outRoot, { recursive: true, force: true });
  fs.mkdirSync(outRoot, { recursive: true });
  fs.writeFileSync(ENTRY, ENTRY_SOURCE);
  return ENTRY;
}

// ---------- servers ----------
const BARE_SOURCE = `
const http = require('node:http');
const body = Buffer.from(${JSON.stringify(BODY)});
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}).listen(${BARE_PORT}, '127.0.0.1', () => process.send('ready'));
`;

function startChild(argv, env) {
  const child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv.at(-1)} did not start within 60 s`)), 60_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.at(-1)} exited with ${code} before it was ready`));
    });
  });
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const TICK_US = 1e6 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
function cpuMicros(pid) {
  // Fields after the parenthesised command name: utime is the 14th and stime the 15th field.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

// ---------- clients ----------
const WRK_SCRIPT = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK_RESULT %d %d %d %d %f\\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(99)))
end
`;
let wrkScript;
function wrkRun(url, headers, seconds) {
  wrkScript ??= (() => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kit-bench-wrk-')), 'report.lua');
    fs.writeFileSync(f, WRK_SCRIPT);
    return f;
  })();
  const argv = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '-s', wrkScript];
  for (const [k, v] of Object.entries(headers)) argv.push('-H', `${k}: ${v}`);
  argv.push(url);
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', () => {
      const m = /WRK_RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+)/.exec(out);
      if (!m) return reject(new Error(`wrk printed no result:\n${out}`));
      resolve({ requests: Number(m[1]), seconds: Number(m[2]) / 1e6, errors: Number(m[3]) + Number(m[4]), p99Ms: Number(m[5]) / 1000 });
    });
  });
}

/** Closed loop on raw keep-alive sockets with one pre-encoded request; counts complete responses. */
function nodeRun(url, headers, seconds) {
  const u = new URL(url);
  const request = Buffer.from(
    `GET ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\n${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n`,
  );
  let requests = 0;
  let errors = 0;
  const sockets = [];
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    for (let i = 0; i < CONNECTIONS; i++) {
      const s = net.connect(Number(u.port), u.hostname);
      s.setNoDelay(true);
      let buf = '';
      s.on('connect', () => s.write(request));
      s.on('data', (d) => {
        buf += d.toString('latin1');
        for (;;) {
          const head = buf.indexOf('\r\n\r\n');
          if (head < 0) return;
          const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, head))?.[1] ?? 0);
          if (buf.length < head + 4 + len) return;
          if (!buf.startsWith('HTTP/1.1 200')) errors++;
          requests++;
          buf = buf.slice(head + 4 + len);
          s.write(request);
        }
      });
      s.on('error', () => errors++);
      sockets.push(s);
    }
    setTimeout(() => {
      sockets.forEach((s) => s.destroy());
      resolve({ requests, seconds: Number(process.hrtime.bigint() - start) / 1e9, errors, p99Ms: NaN });
    }, seconds * 1000);
  });
}
const load = CLIENT === 'wrk' ? wrkRun : nodeRun;

async function measure(name, pid, url, headers = {}) {
  await load(url, headers, 1); // warm-up: JIT, route caches, connection setup
  const cpu0 = cpuMicros(pid);
  const r = await load(url, headers, DURATION_S);
  const cpu = cpuMicros(pid) - cpu0;
  return { name, rps: r.requests / r.seconds, cpuPerReq: cpu / r.requests, errors: r.errors, p99Ms: r.p99Ms, requests: r.requests };
}

/** In-process CPU us/request inside the kit child (see injectLoop in the service source). */
function injectCpu(child, target, url, headers, requests) {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m.cpuPerReq)));
    child.send({ inject: target, url, headers, requests });
  });
}

// ---------- main ----------
async function withDatabase(fn) {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${BENCH_DB}`);
  const u = new URL(DATABASE_URL);
  u.pathname = `/${BENCH_DB}`;
  try {
    return await fn(u.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

const entry = writeEntry();
console.log(`client: ${CLIENT}, ${CONNECTIONS} connections, ${DURATION_S} s per scenario; node ${process.version}; ${os.cpus().length} cores`);
console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

let inProcess = [];
const results = await withDatabase(async (dbUrl) => {
  const out = [];
  const bare = await startChild(['-e', BARE_SOURCE, 'bare-server'], {});
  try {
    out.push(await measure('bare node:http', bare.pid, `http://127.0.0.1:${BARE_PORT}/v1/bench/public`));
  } finally {
    await stopChild(bare);
  }
  const profileArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile)}`] : [];
  const kit = await startChild([...profileArgs, '-r', TS_HOOK, entry], {
    DATABASE_URL: dbUrl,
    PORT: String(KIT_PORT),
    TCP_PORT: String(KIT_TCP_PORT),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NATS_URL: '',
    PEERS: '',
    PLATFORM_PROFILE: 'production',
    AUTH_TOKENS: JSON.stringify([{ name: 'bench', token: TOKEN, scopes: ['bench:read'] }]),
  });
  try {
    out.push(await measure('kit public route', kit.pid, `http://127.0.0.1:${KIT_PORT}/v1/bench/public`));
    out.push(await measure('kit scoped route (token)', kit.pid, `http://127.0.0.1:${KIT_PORT}/v1/bench/scoped`, { authorization: `Bearer ${TOKEN}` }));
    out.push(await measure('kit /healthz', kit.pid, `http://127.0.0.1:${KIT_PORT}/healthz`));
    // In-process: rounds alternate bare and kit so that a burst of load elsewhere hits both; median of 5.
    const cases = [
      ['bare handler', 'bare', '/v1/bench/public', {}],
      ['kit public route', 'kit', '/v1/bench/public', {}],
      ['kit scoped route (token)', 'kit', '/v1/bench/scoped', { authorization: `Bearer ${TOKEN}` }],
    ];
    for (const c of cases) await injectCpu(kit, c[1], c[2], c[3], INJECT_REQUESTS / 4); // warm-up
    const samples = cases.map(() => []);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < cases.length; i++) samples[i].push(await injectCpu(kit, cases[i][1], cases[i][2], cases[i][3], INJECT_REQUESTS));
    }
    inProcess = cases.map((c, i) => ({ name: c[0], cpuPerReq: samples[i].sort((a, b) => a - b)[2] }));
  } finally {
    await stopChild(kit);
  }
  return out;
});

const base = results[0];
console.log('scenario                     req/s   cpu us/req  p99 ms  errors  rate vs bare  cpu vs bare');
for (const r of results) {
  console.log(
    `${r.name.padEnd(26)} ${r.rps.toFixed(0).padStart(8)} ${r.cpuPerReq.toFixed(1).padStart(11)} ${(Number.isNaN(r.p99Ms) ? '-' : r.p99Ms.toFixed(2)).padStart(7)} ${String(r.errors).padStart(7)} ${(r.rps / base.rps).toFixed(2).padStart(13)} ${(r.cpuPerReq / base.cpuPerReq).toFixed(2).padStart(12)}`,
  );
}
// The injector itself costs most of the bare figure, so the difference to bare is the number to read.
console.log('in-process (light-my-request, no sockets)  cpu us/req  cpu vs bare  us over bare');
for (const r of inProcess) {
  const over = r.cpuPerReq - inProcess[0].cpuPerReq;
  console.log(`${r.name.padEnd(40)} ${r.cpuPerReq.toFixed(1).padStart(11)} ${(r.cpuPerReq / inProcess[0].cpuPerReq).toFixed(2).padStart(12)} ${over.toFixed(1).padStart(13)}`);
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (args.profile) console.log(`CPU profile of the kit process written to ${path.resolve(args.profile)}`);
if (results.some((r) => r.errors > 0)) process.exitCode = 1;
