#!/usr/bin/env node
// Writes a package-lock.json for one built app that holds only the packages its runtime
// dependencies reach, at the exact versions, integrity hashes and tree positions of the workspace
// lockfile. The image then installs with `npm ci --omit=dev`, so production gets byte-for-byte
// the dependency tree that the workspace tested, and nothing else.
// Usage: node tools/deploy/prune-lockfile.mjs dist/apps/<app>   (reads <root>/package-lock.json)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where npm would find `name` when required from the package installed at `fromPath`. */
function resolveFrom(packages, fromPath, name) {
  let dir = fromPath;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const idx = dir.lastIndexOf('/node_modules/');
    dir = idx === -1 ? '' : dir.slice(0, idx);
  }
}

/**
 * @param {{packages: Record<string, any>, lockfileVersion: number}} lock the workspace lockfile (v2/v3)
 * @param {{name: string, version: string, dependencies?: Record<string,string>, optionalDependencies?: Record<string,string>}} appPkg
 */
export function pruneLockfile(lock, appPkg) {
  if (!lock.packages) throw new Error('lockfileVersion 2 or 3 (with "packages") is required');
  const wanted = { ...(appPkg.dependencies ?? {}), ...(appPkg.optionalDependencies ?? {}) };
  const keep = new Map();
  const queue = [];
  for (const name of Object.keys(wanted)) {
    const at = resolveFrom(lock.packages, '', name);
    if (!at) throw new Error(`${name} is not in the workspace lockfile`);
    if (lock.packages[at].version !== wanted[name] && !appPkg.optionalDependencies?.[name]) {
      throw new Error(`${name}: app wants ${wanted[name]} but the lockfile has ${lock.packages[at].version}`);
    }
    queue.push(at);
  }
  while (queue.length) {
    const at = queue.pop();
    if (keep.has(at)) continue;
    const entry = lock.packages[at];
    keep.set(at, entry);
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    const deps = [
      ...Object.keys(entry.dependencies ?? {}).map((n) => [n, true]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((n) => [n, false]),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers[n]?.optional).map((n) => [n, false]),
    ];
    for (const [name, required] of deps) {
      const dep = resolveFrom(lock.packages, at, name);
      if (dep) queue.push(dep);
      else if (required) throw new Error(`${at} needs ${name}, which the lockfile does not hold`);
    }
  }
  const packages = {
    '': {
      name: appPkg.name,
      version: appPkg.version,
      ...(appPkg.dependencies && Object.keys(appPkg.dependencies).length ? { dependencies: appPkg.dependencies } : {}),
      ...(appPkg.optionalDependencies && Object.keys(appPkg.optionalDependencies).length ? { optionalDependencies: appPkg.optionalDependencies } : {}),
      ...(appPkg.engines ? { engines: appPkg.engines } : {}),
    },
  };
  for (const at of [...keep.keys()].sort()) {
    // Everything kept is reachable from production dependencies, so no entry is dev-only here.
    const { dev: _dev, devOptional: _devOptional, ...entry } = keep.get(at);
    packages[at] = entry;
  }
  return { name: appPkg.name, version: appPkg.version, lockfileVersion: 3, requires: true, packages };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = process.argv[2];
  if (!dir || !fs.existsSync(path.join(dir, 'package.json'))) {
    console.error('usage: prune-lockfile.mjs <built app dir with package.json> [workspace lockfile]');
    process.exit(2);
  }
  const lock = JSON.parse(fs.readFileSync(process.argv[3] ?? path.join(root, 'package-lock.json'), 'utf8'));
  const appPkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const pruned = pruneLockfile(lock, appPkg);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(pruned, null, 2)}\n`);
  console.log(`${appPkg.name}: ${Object.keys(pruned.packages).length - 1} of ${Object.keys(lock.packages).length - 1} locked packages kept`);
}
