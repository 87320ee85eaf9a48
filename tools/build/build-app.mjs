#!/usr/bin/env node
// Builds one app for production: compiles the app and the workspace libraries it imports with SWC
// (decorator metadata included, which NestJS needs), rewrites the @mlp/* aliases to relative paths,
// and writes a package.json that lists only the third-party packages the compiled code requires,
// pinned to the versions in the workspace lockfile. Usage: node tools/build/build-app.mjs <app>
import fs from 'node:fs';
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const app = process.argv[2];
if (!app || !fs.existsSync(path.join(root, 'apps', app, 'src', 'main.ts'))) {
  console.error(`usage: build-app.mjs <app>; apps/${app ?? '?'}/src/main.ts not found`);
  process.exit(2);
}
const outDir = path.join(root, 'dist', 'apps', app);
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = compilerOptions.paths;

const isTest = (f) => /\.(spec|int-spec)\.ts$/.test(f) || f.includes(`${path.sep}test-fixtures${path.sep}`);

/** Resolve a relative or aliased import to a .ts file in the workspace, or null for packages. */
function resolveLocal(spec, fromFile) {
  let base;
  if (spec.startsWith('.')) base = path.resolve(path.dirname(fromFile), spec);
  else if (aliases[spec]) base = path.join(root, aliases[spec][0]);
  else return null;
  // ESM-style TypeScript (libs/client) imports its siblings as './x.js': the source is './x.ts', and
  // its output here is './x.js' again, so the import stays as written.
  const esmSource = spec.startsWith('.') && base.endsWith('.js') ? [`${base.slice(0, -3)}.ts`] : [];
  for (const candidate of [base, `${base}.ts`, ...esmSource, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`cannot resolve ${spec} from ${path.relative(root, fromFile)}`);
}

function packageName(spec) {
  if (spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0])) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

// Walk the import graph of the compiled output (so type-only imports do not count) from the app's
// entry points: main.ts and any worker entry files.
const entries = fs
  .readdirSync(path.join(root, 'apps', app, 'src'), { recursive: true })
  .map((f) => path.join(root, 'apps', app, 'src', f))
  .filter((f) => f.endsWith('.ts') && !isTest(f) && (f.endsWith(`${path.sep}main.ts`) || f.endsWith('.worker.ts')));
const seen = new Set();
const packages = new Set();
const queue = [...entries];
fs.rmSync(outDir, { recursive: true, force: true });
while (queue.length) {
  const file = queue.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const rel = path.relative(root, file);
  const outFile = path.join(outDir, rel.replace(/\.ts$/, '.js'));
  let code = fs.readFileSync(file, 'utf8');
  // Rewrite aliases to relative paths so the output runs with plain `node`.
  code = code.replace(/(['"])(@mlp\/[a-z0-9-]+(?:\/[a-z0-9-]+)?)\1/g, (whole, q, spec) => {
    if (!aliases[spec]) return whole;
    let target = path.relative(path.dirname(file), path.join(root, aliases[spec][0])).replace(/\.ts$/, '');
    if (!target.startsWith('.')) target = `./${target}`;
    return `${q}${target}${q}`;
  });
  const out = swc.transformSync(code, { ...swcrc, swcrc: false, filename: file, sourceFileName: path.relative(path.dirname(outFile), file) });
  for (const m of out.code.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    const local = resolveLocal(spec, file);
    if (local) queue.push(local);
    else {
      const pkg = packageName(spec);
      if (pkg) packages.add(pkg);
    }
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${out.code}\n//# sourceMappingURL=${path.basename(outFile)}.map\n`);
  fs.writeFileSync(`${outFile}.map`, out.map);
}

// Packages loaded by name at run time rather than by a static require.
const IMPLIED = {
  typeorm: ['pg'],
  '@nestjs/swagger': ['@fastify/static'],
  '@nestjs/microservices': ['nats'],
  '@tensorflow/tfjs': ['@tensorflow/tfjs-backend-wasm'],
};
for (const [pkg, implied] of Object.entries(IMPLIED)) if (packages.has(pkg)) implied.forEach((p) => packages.add(p));

// A package.json with exactly the runtime packages this app needs, at the lockfile's versions.
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const dependencies = {};
const optionalDependencies = {};
for (const pkg of [...packages].sort()) {
  const version = lock.packages[`node_modules/${pkg}`]?.version;
  if (rootPkg.optionalDependencies?.[pkg]) optionalDependencies[pkg] = rootPkg.optionalDependencies[pkg];
  else if (rootPkg.dependencies?.[pkg] && version) dependencies[pkg] = version;
  else throw new Error(`apps/${app} imports ${pkg}, which is not a runtime dependency in package.json`);
}
const main = path.join('apps', app, 'src', 'main.js');
fs.writeFileSync(
  path.join(outDir, 'package.json'),
  `${JSON.stringify({ name: `@mlp/${app}`, version: rootPkg.version, private: true, main, scripts: { start: `node ${main}` }, engines: rootPkg.engines, dependencies, optionalDependencies }, null, 2)}\n`,
);
console.log(`built ${app}: ${seen.size} files, ${Object.keys(dependencies).length} runtime packages -> ${path.relative(root, outDir)}`);

// An app with a web UI (apps/<app>/web) ships its bundled pages in dist/apps/<app>/web.
if (fs.existsSync(path.join(root, 'apps', app, 'web', 'index.html'))) {
  const { buildWeb } = await import('./build-web.mjs');
  const { files } = await buildWeb(app, path.join(outDir, 'web'));
  console.log(`built ${app} web: ${files.length} files -> ${path.relative(root, path.join(outDir, 'web'))}`);
}
