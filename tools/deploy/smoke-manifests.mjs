#!/usr/bin/env node
// Manifest-driven smoke test: starts every app Deployment and StatefulSet of a rendered overlay as a local process
// with exactly the environment its manifests give it (the image's ENV, then ConfigMaps, Secrets and
// literal env as the kubelet resolves them), runs its init containers first (the migration), waits
// for /readyz, then sends SIGTERM and expects a clean exit. Only endpoints are rewritten: the
// database to a fresh local database, NATS and Redis to the local servers, and paths on mounted
// volumes to temporary directories (empty, as an emptyDir or a new claim is; a Secret's or
// ConfigMap's holding its files).
// Usage: node tools/deploy/smoke-manifests.mjs [overlay=dev] [--no-build] [--port-offset N] [--only <app>]
// (--port-offset shifts PORT, for machines where the platform already runs on 3001-3004; CI uses none.)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import pg from 'pg';
import { renderKustomization } from './lib/render.mjs';
import { containerEnv, workloads } from './lib/workload-env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_URL = process.env.SMOKE_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL = { NATS_URL: process.env.SMOKE_NATS_URL ?? 'nats://127.0.0.1:4222', REDIS_URL: process.env.SMOKE_REDIS_URL ?? 'redis://127.0.0.1:6379' };
const READY_TIMEOUT_MS = 60_000;

/** The ENV of the image's final stage (what every container starts with before the manifests). */
export function imageEnv(dockerfile = path.join(root, 'docker/Dockerfile'), app = '') {
  const df = DockerfileParser.parse(fs.readFileSync(dockerfile, 'utf8'));
  const args = new Map([['APP', app]]);
  for (const a of df.getInitialARGs()) if (a.getProperty()) args.set(a.getProperty().getName(), a.getProperty().getValue() ?? '');
  const last = df.getFROMs().at(-1).getRange().start.line;
  const env = {};
  for (const ins of df.getInstructions().filter((i) => i.getRange().start.line >= last)) {
    if (ins.getKeyword() === 'ARG' && ins.getProperty?.()) args.set(ins.getProperty().getName(), ins.getProperty().getValue() ?? args.get(ins.getProperty().getName()) ?? '');
    if (ins.getKeyword() === 'ENV') {
      for (const p of ins.getProperties()) env[p.getName()] = (p.getValue() ?? '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, v) => args.get(v) ?? '');
    }
  }
  return env;
}

/** The process environment of one container, with only endpoints and volume paths made local. */
export function localEnv(objects, container, { app, databaseUrl, volumeDirs }) {
  const { vars, problems } = containerEnv(objects, container);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));
  const env = { ...imageEnv(undefined, app) };
  for (const [name, v] of vars) {
    if (v.value === undefined) throw new Error(`${name} (${v.source}) has no value in the manifests`);
    env[name] = v.value;
  }
  if (env.DATABASE_URL) env.DATABASE_URL = databaseUrl;
  for (const k of Object.keys(LOCAL)) if (env[k]) env[k] = LOCAL[k];
  for (const [k, value] of Object.entries(env)) {
    const mount = (container.volumeMounts ?? []).find((m) => m.mountPath !== '/tmp' && (value === m.mountPath || value.startsWith(`${m.mountPath}/`)));
    if (mount) env[k] = path.join(volumeDirs(mount.name), value.slice(mount.mountPath.length));
  }
  return { ...env, PATH: process.env.PATH };
}

const portFree = (port) =>
  new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false)).once('listening', () => s.close(() => resolve(true)));
    s.listen(port, '0.0.0.0');
  });

function run(entry, args, env, label) {
  const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const keep = (d) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, tail: () => `${label} output:\n${output.join('').split('\n').slice(-25).join('\n')}` };
}

async function waitReady(url, exited) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline && !gone) {
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return await res.json();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

/**
 * What the kubelet puts in a Secret or ConfigMap volume (its keys, or the listed items, as files);
 * other volumes start empty, as an emptyDir or a new PersistentVolumeClaim does.
 */
export function writeVolumeFiles(objects, volume, dir) {
  const source = volume?.secret
    ? { kind: 'Secret', name: volume.secret.secretName, items: volume.secret.items }
    : volume?.configMap
      ? { kind: 'ConfigMap', name: volume.configMap.name, items: volume.configMap.items }
      : null;
  if (!source) return;
  const object = objects.find((o) => o.kind === source.kind && o.metadata?.name === source.name);
  if (!object) throw new Error(`volume ${volume.name}: ${source.kind} ${source.name} is not in the manifests`);
  const value = (key) =>
    object.stringData?.[key] ?? (object.kind === 'Secret' && object.data?.[key] !== undefined ? Buffer.from(object.data[key], 'base64').toString('utf8') : object.data?.[key]);
  const items = source.items ?? Object.keys({ ...(object.data ?? {}), ...(object.stringData ?? {}) }).map((key) => ({ key, path: key }));
  for (const { key, path: file } of items) {
    const content = value(key);
    if (content === undefined) throw new Error(`volume ${volume.name}: ${source.kind} ${source.name} has no key ${key}`);
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
}

async function smokeDeployment(objects, w, ctx) {
  const app = w.metadata.labels['app.kubernetes.io/name'];
  const entry = path.join(root, 'dist/apps', app, 'apps', app, 'src/main.js');
  const spec = w.spec.template.spec;
  const volumeDirs = (name) => {
    const dir = path.join(ctx.tmp, w.metadata.name, name);
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      writeVolumeFiles(objects, spec.volumes?.find((v) => v.name === name), dir);
    }
    return dir;
  };
  const started = Date.now();
  for (const c of spec.initContainers ?? []) {
    const env = localEnv(objects, c, { app, databaseUrl: ctx.databaseUrl, volumeDirs });
    const proc = run(entry, [...(c.command ?? []), ...(c.args ?? [])], env, `${w.metadata.name}/${c.name}`);
    const { code } = await proc.exited;
    if (code !== 0) throw new Error(`init container ${c.name} exited with ${code}\n${proc.tail()}`);
  }
  const c = spec.containers[0];
  const env = localEnv(objects, c, { app, databaseUrl: ctx.databaseUrl, volumeDirs });
  const probePort = Number(c.ports?.find((p) => p.name === c.readinessProbe?.httpGet?.port)?.containerPort ?? c.readinessProbe?.httpGet?.port);
  if (String(env.PORT ?? probePort) !== String(probePort)) throw new Error(`PORT=${env.PORT} but the readiness probe targets ${probePort}`);
  const port = probePort + ctx.portOffset;
  if (ctx.portOffset) env.PORT = String(port);
  if (!(await portFree(port))) throw new Error(`port ${port} is in use on this machine: stop what listens there (npm start?) and retry`);
  const proc = run(entry, [...(c.command ?? []), ...(c.args ?? [])], env, `${w.metadata.name}/${c.name}`);
  try {
    const body = await waitReady(`http://127.0.0.1:${port}`, proc.exited);
    if (!body) throw new Error(`/readyz did not answer 200 within ${READY_TIMEOUT_MS / 1000}s\n${proc.tail()}`);
    const ready = Date.now() - started;
    proc.child.kill('SIGTERM');
    const { code, signal } = await Promise.race([proc.exited, new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 30_000))]);
    if (code !== 0) throw new Error(`did not shut down cleanly on SIGTERM (exit ${code ?? signal})\n${proc.tail()}`);
    return { ready, checks: body.checks?.map((x) => `${x.name}=${x.status}`).join(' ') };
  } finally {
    if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const overlay = args.find((a, i) => !a.startsWith('--') && !['--port-offset', '--only'].includes(args[i - 1])) ?? 'dev';
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  const objects = renderKustomization(path.join(root, 'k8s/overlays', overlay));
  const apps = new Set(fs.readdirSync(path.join(root, 'apps')).filter((a) => fs.existsSync(path.join(root, 'apps', a, 'src/main.ts'))));
  const targets = workloads(objects).filter((w) => apps.has(w.metadata?.labels?.['app.kubernetes.io/name']) && (!only || w.metadata.labels['app.kubernetes.io/name'] === only));
  if (!args.includes('--no-build')) {
    for (const app of new Set(targets.map((w) => w.metadata.labels['app.kubernetes.io/name']))) {
      execFileSync(process.execPath, [path.join(root, 'tools/build/build-app.mjs'), app], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    }
  }
  const dbName = `mlp_smoke_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-smoke-'));
  const offsetAt = args.indexOf('--port-offset');
  const portOffset = offsetAt >= 0 ? Number(args[offsetAt + 1]) : 0;
  let passed = 0;
  let failed = 0;
  try {
    for (const w of targets) {
      try {
        const r = await smokeDeployment(objects, w, { databaseUrl, tmp, portOffset });
        passed++;
        console.log(`ok   ${overlay} ${w.kind}/${w.metadata.name}: migrated, ready in ${r.ready} ms (${r.checks}), stopped cleanly`);
      } catch (err) {
        failed++;
        console.log(`FAIL ${overlay} ${w.kind}/${w.metadata.name}: ${err.message}`);
      }
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed || !passed ? 1 : 0);
}
