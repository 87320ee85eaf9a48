// The four built services as real processes on a fresh database of DATABASE_URL's server, on their
// default ports plus an offset, wired to each other as in production (TCP peers, HTTP URLs).
// Shared by the end-to-end tests; `stop()` ends the processes and drops the database.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PlatformApiError, PredictionsClient } from '../client/from-source.mjs';
import { poll } from '../runner/demo-pipeline.mjs';
import { entryPoint, SERVICES } from '../runner/services.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Waits until serving answers `version` of `model` as its champion (V2 metadata through @mlp/client):
 * after a promotion, serving loads the new version in the background. Error answers (not loaded yet) poll on.
 */
export async function waitServed(servingUrl, model, version, { timeoutMs = 60_000 } = {}) {
  const predictions = new PredictionsClient({ baseUrl: servingUrl });
  await poll(async () => {
    const served = await predictions.metadata(model).catch((err) => {
      if (err instanceof PlatformApiError) return undefined;
      throw err;
    });
    return served?.parameters.version === String(version);
  }, { what: `${model} v${version} served`, timeoutMs });
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * @param {{ offset: number, name: string, env?: Record<string, string>, envOf?: (service: string) => Record<string, string> }} options
 * `env` is added to every service's environment (e.g. faster drift checks for a test), `envOf` to
 * one service's (e.g. its own NATS user).
 */
export async function startPlatform({ offset, name, env: extra = {}, envOf = () => ({}) }) {
  if (!process.env.DATABASE_URL) throw new Error('run through npm test, which provides DATABASE_URL');
  for (const s of SERVICES) if (!fs.existsSync(entryPoint(root, s.name))) throw new Error(`${s.name} is not built: npm test builds it`);
  const services = SERVICES.map((s) => ({ ...s, httpPort: s.httpPort + offset, tcpPort: s.tcpPort + offset }));
  const url = (service) => `http://127.0.0.1:${services.find((s) => s.name === service).httpPort}`;
  const urls = { dwh: url('dwh-ingest'), features: url('feature-store'), trainer: url('trainer'), serving: url('model-serving') };
  const database = `mlp_${name}_${Date.now().toString(36)}`;
  await admin(`CREATE DATABASE ${database}`);
  const dbUrl = new URL(process.env.DATABASE_URL);
  dbUrl.pathname = `/${database}`;
  const dataDir = fs.mkdtempSync(path.join(root, `tmp-${name}-`));
  const children = [];
  const logs = new Map();
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: dbUrl.toString(),
    PEERS: services.map((s) => `${s.name}=127.0.0.1:${s.tcpPort}`).join(','),
    FEATURE_STORE_URL: urls.features,
    TRAINER_URL: urls.trainer,
    DWH_INGEST_URL: urls.dwh,
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_MS: '200',
    PREDICTION_LOG_SPILL_DIR: path.join(dataDir, 'spill'),
    ...extra,
  };

  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', resolve);
            c.kill('SIGTERM');
          }),
      ),
    );
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    for (const s of services) {
      const child = spawn(process.execPath, [entryPoint(root, s.name)], {
        cwd: root,
        env: { ...env, ...envOf(s.name), PORT: String(s.httpPort), TCP_PORT: String(s.tcpPort) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      logs.set(s.name, []);
      for (const stream of [child.stdout, child.stderr]) stream.on('data', (c) => logs.get(s.name).push(c.toString()));
      children.push(child);
    }
    for (const s of services) {
      await poll(async () => (await fetch(`http://127.0.0.1:${s.httpPort}/readyz`).catch(() => ({ status: 0 }))).status === 200, {
        what: `${s.name} ready`,
        timeoutMs: 90_000,
        intervalMs: 300,
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    urls,
    dataDir,
    databaseUrl: dbUrl.toString(),
    stop,
    /** The tail of every service's output, for a failing test's diagnostics. */
    logTails: (chars = 3000) => [...logs].map(([service, lines]) => `${service}: ${lines.join('').slice(-chars)}`),
  };
}
