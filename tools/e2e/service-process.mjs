// One built service as a process, for the tests that stop, kill and restart services on purpose
// (the fault tests, the prediction log's restart): a scratch database on DATABASE_URL's server,
// free loopback ports, readiness polling, and a stop that says how the process ended.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { entryPoint } from '../runner/services.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** A fresh database on the server of `adminUrl` (DATABASE_URL by default), dropped by `drop()`. */
export async function scratchDatabase(name, adminUrl = process.env.DATABASE_URL) {
  if (!adminUrl) throw new Error('run through npm test, which provides DATABASE_URL');
  const database = `mlp_${name}_${Date.now().toString(36)}`;
  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${database}`);
  const url = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
  return { url, drop: () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined) };
}

/**
 * Starts `dist/apps/<service>` with `env` (PATH added). `stop(signal)` resolves with how it ended.
 * @returns {{ url: string, pid: number, exited: Promise<{code: number|null, signal: string|null}>, stop: (signal?: string) => Promise<{code, signal}>, output: () => string }}
 */
export function startServiceProcess(service, env) {
  const entry = entryPoint(root, service);
  if (!fs.existsSync(entry)) throw new Error(`${service} is not built: npm test builds it`);
  const child = spawn(process.execPath, [entry], { cwd: root, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const s of [child.stdout, child.stderr]) s.on('data', (c) => (output = (output + c).slice(-200_000)));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    url: `http://127.0.0.1:${env.PORT}`,
    pid: child.pid,
    exited,
    output: () => output,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls /readyz until 200; resolves with the milliseconds it took. */
export async function waitReady(url, { timeoutMs = 60_000, exited } = {}) {
  const started = Date.now();
  let gone = false;
  void exited?.then(() => (gone = true));
  while (Date.now() - started < timeoutMs && !gone) {
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
    if (status === 200) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms${gone ? ' (the process exited)' : ''}`);
}
