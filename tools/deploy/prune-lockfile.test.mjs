import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pruneLockfile } from './prune-lockfile.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const LOCK = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'ws', dependencies: { a: '1.0.0', dev: '1.0.0' } },
    'node_modules/a': { version: '1.0.0', integrity: 'sha512-a', dependencies: { b: '^2.0.0' }, peerDependencies: { p: '*', q: '*' }, peerDependenciesMeta: { q: { optional: true } } },
    'node_modules/b': { version: '1.0.0', integrity: 'sha512-b1', dev: true },
    'node_modules/a/node_modules/b': { version: '2.0.0', integrity: 'sha512-b2' },
    'node_modules/p': { version: '3.0.0', integrity: 'sha512-p' },
    'node_modules/q': { version: '4.0.0', integrity: 'sha512-q', dev: true },
    'node_modules/dev': { version: '1.0.0', integrity: 'sha512-dev', dev: true },
  },
};

test('keeps exactly what the runtime dependencies reach, nested versions included', () => {
  const pruned = pruneLockfile(LOCK, { name: '@mlp/x', version: '0.1.0', dependencies: { a: '1.0.0' } });
  assert.deepEqual(Object.keys(pruned.packages).sort(), ['', 'node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/p']);
  assert.equal(pruned.packages['node_modules/a/node_modules/b'].version, '2.0.0');
  assert.deepEqual(pruned.packages[''].dependencies, { a: '1.0.0' });
});

test('refuses an app whose pinned version differs from the workspace lockfile', () => {
  assert.throws(() => pruneLockfile(LOCK, { name: 'x', version: '0', dependencies: { a: '9.9.9' } }), /lockfile has 1.0.0/);
  assert.throws(() => pruneLockfile(LOCK, { name: 'x', version: '0', dependencies: { missing: '1.0.0' } }), /not in the workspace lockfile/);
});

// The image's dependency layer, without Docker: the built app's package.json and pruned lockfile
// install with `npm ci --omit=dev` (from the npm cache the workspace install filled) and the app
// starts far enough to print its env schema.
test('a built app installs from its pruned lockfile with npm ci --omit=dev and runs', () => {
  const app = 'dwh-ingest';
  execFileSync(process.execPath, [path.join(root, 'tools/build/build-app.mjs'), app], { cwd: root, stdio: 'ignore' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-image-'));
  try {
    fs.cpSync(path.join(root, 'dist/apps', app), dir, { recursive: true });
    execFileSync(process.execPath, [path.join(root, 'tools/deploy/prune-lockfile.mjs'), dir], { stdio: 'ignore' });
    execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
    const installed = fs.readdirSync(path.join(dir, 'node_modules'));
    assert.ok(!installed.includes('jest') && !installed.includes('nx') && !installed.includes('typescript'), 'no dev tooling in the image');
    const schema = JSON.parse(execFileSync(process.execPath, [path.join(dir, 'apps', app, 'src/main.js'), 'env-schema'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } }));
    assert.ok(schema.properties.DATABASE_URL);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
