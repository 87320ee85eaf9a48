#!/usr/bin/env node
// `npm test`: builds the apps (some tests start them as real processes), makes sure there is a
// PostgreSQL to test against (DATABASE_URL, or an embedded one under .data/ when it is unset), then
// runs every project's tests in one Jest run. Extra arguments go to Jest.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from '../runner/ensure-installed.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
ensureInstalled(root);
const { startEmbeddedPostgres } = await import('../../libs/runtime/src/lib/embedded-postgres.mjs');
const env = { ...process.env };

const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=static'], { cwd: root, stdio: 'inherit', env });
if (build.status !== 0) process.exit(build.status ?? 1);

let embedded;
if (!env.DATABASE_URL) {
  const port = Number(env.TEST_PG_PORT ?? 54330);
  console.log(`DATABASE_URL is not set: starting an embedded PostgreSQL for the tests on port ${port}`);
  embedded = await startEmbeddedPostgres({ dataDir: path.join(root, '.data', 'test-postgres'), port, database: 'postgres' });
  env.DATABASE_URL = embedded.url;
}

const jest = spawn('npx', ['jest', '--ci', '--maxWorkers=2', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env });
const forward = (signal) => jest.kill(signal);
// embedded-postgres would exit on the signal before Jest has stopped; the tests' end stops it.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const jestCode = await new Promise((resolve) => jest.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
// The plain-JS tools (the mlp CLI, demo generator and simulator, deploy checks) are tested with node's own runner.
const nodeTests = process.argv.length > 2 ? { status: 0 } : spawnSync(process.execPath, ['--test', 'tools/cli/', 'tools/client/', 'tools/demo/', 'tools/deploy/', 'tools/docs/', 'tools/e2e/'], { cwd: root, stdio: 'inherit', env });
if (embedded) await embedded.stop();
process.exit(jestCode || nodeTests.status || 0);
