#!/usr/bin/env node
// `npm start`: the whole platform on one machine. Builds the apps, starts PostgreSQL (embedded under
// .data/ unless DATABASE_URL is set), runs every service's migrations, starts a webhook sink, the
// four services and the console as separate processes with prefixed logs, waits until each is ready, then runs the
// platform's main job (tools/runner/demo-pipeline.mjs: history -> marts -> features -> baseline ->
// trained champion -> predictions; resumed on later starts) and keeps serving. On Ctrl-C or SIGTERM
// it stops everything: services drain, PostgreSQL shuts down cleanly, nothing is left behind.
// PLATFORM_DEMO=off starts the services only.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './ensure-installed.mjs';
import { formatLine } from './log-format.mjs';
import { APPS, CONSOLE, entryPoint, peersSpec } from './services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
ensureInstalled(root);
const { startEmbeddedPostgres } = await import('../../libs/runtime/src/lib/embedded-postgres.mjs');
const { createWebhookSink } = await import('../demo/webhook-sink.mjs');
const { runDemoPipeline } = await import('./demo-pipeline.mjs');
const SINK_PORT = Number(process.env.WEBHOOK_SINK_PORT ?? 3090);
const demoEnabled = !['off', 'false', '0'].includes(String(process.env.PLATFORM_DEMO ?? 'on').toLowerCase());
let sink;
const say = (msg) => console.log(`\x1b[1m[platform]\x1b[0m       ${msg}`);
const children = new Map();
let embedded;
let stopping = false;

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function main() {
  for (const svc of APPS) {
    for (const port of [svc.httpPort, svc.tcpPort, ...(process.env.WEBHOOK_URLS ? [] : [SINK_PORT])]) {
      if (!(await portFree(port))) throw new Error(`port ${port} (${svc.name}) is in use: is the platform already running?`);
    }
  }
  say('building the services (cached after the first time)');
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('build failed; run `npx nx run-many -t build` to see why');

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const port = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
    const dataDir = path.join(root, '.data', 'postgres');
    say(`starting the embedded PostgreSQL on 127.0.0.1:${port} (data in ${path.relative(root, dataDir)})`);
    embedded = await startEmbeddedPostgres({ dataDir, port, database: 'platform', onLog: (l) => process.env.PG_LOG && say(l) });
    databaseUrl = embedded.url;
  } else say('using DATABASE_URL');
  if (process.env.NATS_URL) say('transport: NATS');
  if (process.env.REDIS_URL) say('online store: Redis');

  // Reporting: every event a service publishes (SLA breaches, drift, promotions, failed training)
  // is delivered to this sink, which prints it, unless WEBHOOK_URLS points somewhere else.
  const webhookSecret = process.env.WEBHOOK_SECRET ?? 'local-demo-webhook-secret';
  if (!process.env.WEBHOOK_URLS) {
    sink = createWebhookSink({ secret: webhookSecret, log: (line) => console.log(formatLine('webhooks', 34, line)) });
    await new Promise((resolve, reject) => sink.once('error', reject).listen(SINK_PORT, '127.0.0.1', resolve));
    say(`webhook sink on http://127.0.0.1:${SINK_PORT}/webhooks`);
  }
  const baseEnv = {
    ...process.env,
    WEBHOOK_URLS: process.env.WEBHOOK_URLS ?? `http://127.0.0.1:${SINK_PORT}/webhooks`,
    WEBHOOK_SECRET: webhookSecret,
    DATABASE_URL: databaseUrl,
    PEERS: peersSpec(),
    PLATFORM_PARENT_PID: String(process.pid),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };

  for (const svc of APPS) {
    const result = spawnSync(process.execPath, [entryPoint(root, svc.name), 'migrate'], { cwd: root, env: baseEnv, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${svc.name} migrations failed:\n${result.stderr}${result.stdout}`);
    say(`${svc.name}: migrations up to date`);
  }

  for (const svc of APPS) startChild(svc, { ...baseEnv, PORT: String(svc.httpPort), TCP_PORT: String(svc.tcpPort), MIGRATE_ON_START: 'false' });
  await Promise.all(APPS.map((svc) => waitReady(svc)));
  say('all services are ready:');
  for (const svc of APPS) {
    say(`  ${svc.name.padEnd(14)} http://127.0.0.1:${svc.httpPort}   docs http://127.0.0.1:${svc.httpPort}/docs   metrics /metrics`);
  }
  say(`the console (web UI): http://127.0.0.1:${CONSOLE.httpPort}`);
  if (demoEnabled) {
    say('running the platform\'s main job (PLATFORM_DEMO=off to skip)');
    try {
      await runDemoPipeline({ root, say, env: process.env });
    } catch (err) {
      // The services stay up so the failure can be looked at; the next start resumes from here.
      say(`the main job stopped: ${err.message}`);
      say('the services keep running; fix the cause and start again to resume');
    }
  }
  say('press Ctrl-C to stop');
}

function startChild(svc, env, restarts = 0) {
  const child = spawn(process.execPath, ['--enable-source-maps', entryPoint(root, svc.name)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(svc.name, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(formatLine(svc.name, svc.color, line)));
  }
  child.on('exit', (code, signal) => {
    children.delete(svc.name);
    if (stopping) return;
    if (restarts >= 5) {
      say(`${svc.name} exited (${signal ?? code}) too often; stopping the platform`);
      void stop(1);
      return;
    }
    say(`${svc.name} exited (${signal ?? code}); restarting`);
    setTimeout(() => !stopping && startChild(svc, env, restarts + 1), 1000 * (restarts + 1));
  });
}

async function waitReady(svc, timeoutMs = 90000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  if (!stopping) throw new Error(`${svc.name} did not become ready within ${timeoutMs / 1000} s`);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping: services drain in-flight work, then PostgreSQL shuts down');
  const exits = [...children.values()].map(
    (child) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  sink?.close();
  if (embedded) {
    try {
      await embedded.stop();
    } catch (err) {
      say(`PostgreSQL did not stop cleanly: ${err.message}`);
    }
  }
  say('stopped');
  process.exit(code);
}

// embedded-postgres installs its own SIGINT/SIGTERM hooks that stop PostgreSQL and exit at once;
// the runner's own order (services drain first, then PostgreSQL) must win, so those hooks go.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.removeAllListeners('beforeExit');
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
fs.mkdirSync(path.join(root, '.data'), { recursive: true });
main().catch((err) => {
  console.error(`[platform] ${err.message}`);
  void stop(1);
});
