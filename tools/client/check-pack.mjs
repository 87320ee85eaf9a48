#!/usr/bin/env node
// Proves @mlp/client is installable as a product team would use it: builds it, `npm pack`s it,
// installs the tarball offline into an empty project (possible only because it has no
// dependencies), type-checks a consumer as ESM (nodenext), as CommonJS and as browser code without
// Node's types, requires that a wrongly typed call fails the type-check, and runs the installed
// package, both module kinds, against a local HTTP server. Exits non-zero on any failure.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildClient } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const ESM_CONSUMER = `import { createPlatformClient, PlatformApiError, TrackingClient, type InferResponse, type RejectedEvent } from '@mlp/client';

const rejected: RejectedEvent[] = [];
const tracking = new TrackingClient({ baseUrl: process.env['INGEST_URL'] ?? 'http://127.0.0.1:1', token: 't', flushIntervalMs: 0, onRejected: (events) => rejected.push(...events) });
tracking.track({ userId: 'u1', event: 'Order Completed', properties: { revenue: 12.5 } });
tracking.page({ anonymousId: 'a1', name: 'Home' });
const result = await tracking.close();
const platform = createPlatformClient({ urls: { modelServing: 'http://127.0.0.1:1' }, timeoutMs: 50 });
let code = '';
try {
  const answer: InferResponse = await platform.predictions!.infer('churn', { inputs: [{ name: 'x', shape: [1], datatype: 'FP64', data: [1] }] });
  void answer.outputs[0]?.data;
} catch (err) {
  if (err instanceof PlatformApiError) code = err.code;
}
console.log(JSON.stringify({ kind: 'esm', accepted: result.accepted, rejected: rejected.map((r) => r.code), code }));
`;

const CJS_CONSUMER = `import client = require('@mlp/client');

async function main(): Promise<void> {
  const tracking = new client.TrackingClient({ baseUrl: process.env['INGEST_URL'] ?? 'http://127.0.0.1:1', flushIntervalMs: 0 });
  tracking.identify({ userId: 'u2', traits: { plan: 'pro' } });
  const result: client.FlushResult = await tracking.close();
  console.log(JSON.stringify({ kind: 'cjs', accepted: result.accepted, version: client.CLIENT_VERSION }));
}
void main();
`;

// No Node types: what a browser bundle sees.
const BROWSER_CONSUMER = `import { FeaturesClient, ImportsClient, type OnlineFeaturesResponse } from '@mlp/client';

export async function show(file: File, signal: AbortSignal): Promise<number> {
  const features = new FeaturesClient({ baseUrl: '/api/features', token: () => 'from-session' });
  const online: OnlineFeaturesResponse = await features.online({ features: ['customer:orders_30d'], entities: { customer_id: [1] } }, { signal });
  const run = await new ImportsClient({ baseUrl: '/api/ingest' }).upload('orders', file, { onProgress: (p) => void p.bytesSent, signal });
  return online.results.length + run.rowsAccepted;
}
`;

const WRONG_CONSUMER = `import { TrackingClient } from '@mlp/client';
new TrackingClient({ baseUrl: 'http://x' }).track({ userId: 'u', event: 42 });
`;

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function must(what, result) {
  if (result.code !== 0) throw new Error(`${what} failed:\n${result.out}`);
  console.log(`ok   ${what}`);
  return result.out;
}

function fakeIngest() {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { batch } = JSON.parse(body || '{}');
      const results = (batch ?? []).map((m, index) => (m.type === 'page' ? { index, messageId: m.messageId, status: 'rejected', errors: [{ path: '$.type', code: 'ACCEPTED_VALUES', message: 'track or identify' }] } : null)).filter(Boolean);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: batch.length - results.length, duplicates: 0, rejected: results.length, results }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export async function checkPack({ keep = false } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-client-pack-'));
  const server = await fakeIngest();
  try {
    const outDir = buildClient(path.join(work, 'package'));
    console.log('ok   build (tsc: ESM + CommonJS with declarations)');
    const packed = JSON.parse(must('npm pack', run(npm, ['pack', '--json', '--pack-destination', work], outDir)).slice(-100000).replace(/^[^[]*/, ''));
    const tarball = path.join(work, packed[0].filename);
    const files = packed[0].files.map((f) => f.path);
    for (const f of ['package.json', 'README.md', 'dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts']) {
      if (!files.includes(f)) throw new Error(`the tarball lacks ${f}`);
    }
    if (files.some((f) => /\.spec\.|\.test\./.test(f))) throw new Error('the tarball holds tests');

    const app = path.join(work, 'consumer');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    must('npm install <tarball> --offline into an empty project', run(npm, ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app));
    const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules/@mlp/client/package.json'), 'utf8'));
    if (installed.dependencies || installed.peerDependencies) throw new Error('the installed package has runtime dependencies');
    const others = fs.readdirSync(path.join(app, 'node_modules')).filter((d) => !d.startsWith('.') && d !== '@mlp');
    if (others.length) throw new Error(`installing it brought other packages: ${others.join(', ')}`);
    const emitted = fs.readdirSync(path.join(app, 'node_modules/@mlp/client/dist'), { recursive: true }).filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'));
    for (const f of emitted) {
      if (/from ['"]node:|require\(['"]node:/.test(fs.readFileSync(path.join(app, 'node_modules/@mlp/client/dist', f), 'utf8'))) throw new Error(`${f} imports a node: module`);
    }

    fs.writeFileSync(path.join(app, 'esm-consumer.mts'), ESM_CONSUMER);
    fs.writeFileSync(path.join(app, 'cjs-consumer.cts'), CJS_CONSUMER);
    fs.writeFileSync(path.join(app, 'browser-consumer.ts'), BROWSER_CONSUMER);
    fs.writeFileSync(path.join(app, 'wrong-consumer.ts'), WRONG_CONSUMER);
    // Node's types from the repo only for the Node consumers (process.env); the browser check has none.
    const nodeTypes = path.join(root, 'node_modules/@types');
    const base = { strict: true, target: 'es2022', skipLibCheck: false, noEmit: false, outDir: 'out' };
    fs.writeFileSync(path.join(app, 'tsconfig.node.json'), JSON.stringify({ compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022'], typeRoots: [nodeTypes], types: ['node'] }, files: ['esm-consumer.mts', 'cjs-consumer.cts'] }));
    fs.writeFileSync(path.join(app, 'tsconfig.browser.json'), JSON.stringify({ compilerOptions: { ...base, noEmit: true, module: 'es2022', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [] }, files: ['browser-consumer.ts'] }));
    fs.writeFileSync(path.join(app, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions: { ...base, noEmit: true, module: 'es2022', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [] }, files: ['wrong-consumer.ts'] }));
    must('tsc: an ESM (nodenext) and a CommonJS consumer type-check and compile', run(process.execPath, [tsc, '-p', 'tsconfig.node.json'], app));
    must('tsc: a browser consumer type-checks without Node types', run(process.execPath, [tsc, '-p', 'tsconfig.browser.json'], app));
    const wrong = run(process.execPath, [tsc, '-p', 'tsconfig.wrong.json'], app);
    if (wrong.code === 0 || !/wrong-consumer\.ts\(2,\d+\): error TS2322/.test(wrong.out)) throw new Error(`a call with a number for event type-checked: the package's types are not real\n${wrong.out}`);
    console.log('ok   tsc: a wrongly typed call fails the type-check');

    const env = { ...process.env, INGEST_URL: `http://127.0.0.1:${server.address().port}` };
    // Run asynchronously: the stand-in server answers from this process's event loop.
    const runNode = async (file) => JSON.parse((await promisify(execFile)(process.execPath, [file], { cwd: app, env, encoding: 'utf8' })).stdout.trim());
    const esm = await runNode('out/esm-consumer.mjs');
    if (esm.accepted !== 1 || esm.rejected.join() !== 'ACCEPTED_VALUES' || esm.code !== 'NETWORK_ERROR') throw new Error(`the ESM consumer printed ${JSON.stringify(esm)}`);
    const cjs = await runNode('out/cjs-consumer.cjs');
    if (cjs.accepted !== 1 || cjs.version !== installed.version) throw new Error(`the CommonJS consumer printed ${JSON.stringify(cjs)}`);
    console.log('ok   the installed package runs as ESM and as CommonJS against a local server');
    return { tarball: path.basename(tarball), files: files.length };
  } finally {
    server.close();
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { tarball, files } = await checkPack({ keep: process.argv.includes('--keep') });
    console.log(`@mlp/client: ${tarball} (${files} files) installs offline, type-checks and runs`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
