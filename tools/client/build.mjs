#!/usr/bin/env node
// Builds @mlp/client into dist/libs/client as an installable package: ESM (dist/esm) and CommonJS
// (dist/cjs), each with its type declarations, and the package.json and README beside them.
// Plain tsc, two configs; the package has no dependencies (its contract types are generated
// into the source, see write-contract-types.mjs).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lib = path.join(root, 'libs/client');
export const outDir = path.join(root, 'dist/libs/client');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

/** `to`: another folder for the package (tests build their own, so parallel runs never share one). */
export function buildClient(to = outDir) {
  fs.rmSync(to, { recursive: true, force: true });
  for (const [config, sub] of [
    ['tsconfig.lib.json', 'dist/esm'],
    ['tsconfig.cjs.json', 'dist/cjs'],
  ]) {
    execFileSync(process.execPath, [tsc, '-p', path.join(lib, config), '--outDir', path.join(to, sub)], { cwd: root, stdio: 'inherit' });
  }
  // Each build's folder says how Node must read its .js (and TypeScript its .d.ts).
  fs.writeFileSync(path.join(to, 'dist/esm/package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  fs.writeFileSync(path.join(to, 'dist/cjs/package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  const pkg = JSON.parse(fs.readFileSync(path.join(lib, 'package.json'), 'utf8'));
  const versionSource = fs.readFileSync(path.join(lib, 'src/lib/version.ts'), 'utf8');
  if (!versionSource.includes(`CLIENT_VERSION = '${pkg.version}'`)) throw new Error(`libs/client/src/lib/version.ts must say CLIENT_VERSION = '${pkg.version}' (package.json's version)`);
  if (pkg.dependencies || pkg.peerDependencies) throw new Error('@mlp/client must have no runtime dependencies');
  fs.writeFileSync(path.join(to, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.copyFileSync(path.join(lib, 'README.md'), path.join(to, 'README.md'));
  return to;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildClient();
  console.log(`built ${path.relative(root, outDir)}`);
}
