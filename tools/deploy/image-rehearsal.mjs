#!/usr/bin/env node
// The image build and run, rehearsed without a Docker engine: for each app, the Dockerfile's steps
// (build the app, prune the workspace lockfile, `npm ci --omit=dev` into an empty directory), then
// the container's run as the image's USER 1000:1000 with the application directory owned by root
// and not writable (what readOnlyRootFilesystem gives), /tmp writable, and exactly the environment
// of the dev manifests: `migrate`, then `serve` until /readyz answers, then SIGTERM.
// This proves the production dependencies are complete (nothing resolves from the workspace's
// node_modules) and that the app writes nowhere but /tmp and its mounted volumes.
// Usage: node tools/deploy/image-rehearsal.mjs [app ...] [--port-offset N]   (must run as root)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { renderKustomization } from './lib/render.mjs';
import { localEnv, writeVolumeFiles } from './smoke-manifests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_URL = process.env.SMOKE_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USER = { uid: 1000, gid: 1000 };

/** Builds the image's /app: compiled app, package.json, pruned lockfile, production node_modules. */
export function assembleImageRoot(app) {
  execFileSync(process.execPath, [path.join(root, 'tools/build/build-app.mjs'), app], { cwd: root, stdio: 'ignore' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlp-image-${app}-`));
  fs.chmodSync(dir, 0o755);
  fs.cpSync(path.join(root, 'dist/apps', app), dir, { recursive: true });
  execFileSync(process.execPath, [path.join(root, 'tools/deploy/prune-lockfile.mjs'), dir], { stdio: 'ignore' });
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

function runAs(entry, args, env, cwd) {
  const child = spawn(process.execPath, [entry, ...args], { env, cwd, ...USER, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-20000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-20000)));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, tail: () => out.split('\n').slice(-20).join('\n') };
}

async function rehearse(objects, app, { databaseUrl, portOffset, volumes }) {
  const w = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === app);
  if (!w) throw new Error(`no Deployment or StatefulSet ${app} in the dev overlay`);
  const dir = assembleImageRoot(app);
  try {
    const entry = path.join(dir, 'apps', app, 'src/main.js');
    const spec = w.spec.template.spec;
    const volumeDirs = (name) => {
      const v = path.join(volumes, app, name);
      if (!fs.existsSync(v)) {
        fs.mkdirSync(v, { recursive: true });
        // Secret and ConfigMap volumes hold their files (read-only to the app, as fsGroup gives).
        writeVolumeFiles(objects, spec.volumes?.find((x) => x.name === name), v);
        for (const f of fs.readdirSync(v)) {
          fs.chownSync(path.join(v, f), 0, USER.gid);
          fs.chmodSync(path.join(v, f), 0o440);
        }
        fs.chownSync(v, USER.uid, USER.gid);
      }
      return v;
    };
    for (const c of spec.initContainers ?? []) {
      const p = runAs(entry, c.args ?? [], { ...localEnv(objects, c, { app, databaseUrl, volumeDirs }), TMPDIR: '/tmp' }, '/');
      const code = await p.exited;
      if (code !== 0) throw new Error(`init container ${c.name} exited ${code}\n${p.tail()}`);
    }
    const c = spec.containers[0];
    const env = { ...localEnv(objects, c, { app, databaseUrl, volumeDirs }), TMPDIR: '/tmp' };
    env.PORT = String(Number(env.PORT) + portOffset);
    const p = runAs(entry, c.args ?? [], env, '/');
    try {
      const deadline = Date.now() + 60_000;
      let ready = false;
      while (!ready && Date.now() < deadline && p.child.exitCode === null) {
        ready = await fetch(`http://127.0.0.1:${env.PORT}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
        if (!ready) await new Promise((r) => setTimeout(r, 250));
      }
      if (!ready) throw new Error(`not ready within 60 s\n${p.tail()}`);
      p.child.kill('SIGTERM');
      const code = await p.exited;
      if (code !== 0) throw new Error(`exit ${code} after SIGTERM\n${p.tail()}`);
      const packages = fs.readdirSync(path.join(dir, 'node_modules')).filter((n) => !n.startsWith('.')).length;
      return { packages };
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.getuid?.() !== 0) {
    console.error('image-rehearsal runs the apps as uid 1000 and must be started as root');
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const at = args.indexOf('--port-offset');
  const portOffset = at >= 0 ? Number(args[at + 1]) : 0;
  const objects = renderKustomization(path.join(root, 'k8s/overlays/dev'));
  const all = fs.readdirSync(path.join(root, 'apps')).filter((a) => fs.existsSync(path.join(root, 'apps', a, 'src/main.ts')));
  const apps = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--port-offset');
  const dbName = `mlp_image_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
  const volumes = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-volumes-'));
  fs.chmodSync(volumes, 0o755);
  let passed = 0;
  let failed = 0;
  try {
    for (const app of apps.length ? apps : all) {
      const started = Date.now();
      try {
        const r = await rehearse(objects, app, { databaseUrl, portOffset, volumes });
        passed++;
        console.log(`ok   ${app}: ${r.packages} production packages, migrate + serve as uid 1000 on a read-only app dir, ready, clean stop (${Date.now() - started} ms)`);
      } catch (err) {
        failed++;
        console.log(`FAIL ${app}: ${err.message}`);
      }
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    fs.rmSync(volumes, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed || !passed ? 1 : 0);
}
