#!/usr/bin/env node
// Offline deploy validation: renders every kustomization under k8s/, validates every object against
// the Kubernetes OpenAPI schemas, and checks the platform's policies on every overlay (probes,
// non-root, restrictive security context, resources, pinned images, migrations before traffic, and
// that the environment each app's config schema requires is provided, with valid values).
// Usage: node tools/deploy/validate.mjs [--no-build] [--k8s <dir>] [overlay names...]
// Overlays named prod* are production (x-required-in-production applies, Secrets are external);
// every other overlay must be self-contained (all referenced Secrets rendered).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPolicies } from './lib/policies.mjs';
import { renderKustomization } from './lib/render.mjs';
import { checkSchemas } from './lib/schema-check.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The env JSON Schema of every app, from the built app itself (`main.js env-schema`). */
export function loadEnvSchemas({ build = true } = {}) {
  const schemas = new Map();
  for (const app of fs.readdirSync(path.join(root, 'apps'))) {
    if (!fs.existsSync(path.join(root, 'apps', app, 'src', 'main.ts'))) continue;
    if (build) execFileSync(process.execPath, [path.join(root, 'tools/build/build-app.mjs'), app], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    const main = path.join(root, 'dist/apps', app, 'apps', app, 'src/main.js');
    const out = execFileSync(process.execPath, [main, 'env-schema'], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH } });
    schemas.set(app, JSON.parse(out));
  }
  return schemas;
}

/** Every directory under k8s/ with a kustomization.yaml that is not a component. */
export function kustomizations(k8sDir) {
  const found = [];
  const walk = (dir) => {
    const file = path.join(dir, 'kustomization.yaml');
    if (fs.existsSync(file) && !/^kind:\s*Component\b/m.test(fs.readFileSync(file, 'utf8'))) found.push(dir);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  walk(k8sDir);
  return found.sort();
}

export async function validate({ k8sDir, envSchemas, overlays }) {
  const results = [];
  for (const dir of kustomizations(k8sDir)) {
    const rel = path.relative(k8sDir, dir);
    const isOverlay = rel.startsWith(`overlays${path.sep}`);
    const name = path.basename(dir);
    if (overlays?.length && !(isOverlay && overlays.includes(name))) continue;
    const result = { dir: rel, problems: [], warnings: [], externalSecrets: new Set(), objects: 0 };
    results.push(result);
    let objects;
    try {
      objects = renderKustomization(dir);
    } catch (err) {
      result.problems.push({ code: 'K8S-RENDER', object: rel, message: err.message });
      continue;
    }
    result.objects = objects.length;
    result.problems.push(...(await checkSchemas(objects)));
    if (isOverlay) {
      const production = name.startsWith('prod');
      const policy = checkPolicies(objects, { envSchemas, production, selfContained: !production });
      result.problems.push(...policy.problems);
      result.warnings.push(...policy.warnings);
      result.externalSecrets = policy.externalSecrets;
    }
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const build = !args.includes('--no-build');
  const k8sAt = args.indexOf('--k8s');
  const k8sDir = path.resolve(k8sAt >= 0 ? args[k8sAt + 1] : path.join(root, 'k8s'));
  const overlays = args.filter((a, i) => !a.startsWith('--') && (k8sAt < 0 || i !== k8sAt + 1));
  const started = Date.now();
  const envSchemas = loadEnvSchemas({ build });
  const results = await validate({ k8sDir, envSchemas, overlays });
  let failed = 0;
  for (const r of results) {
    console.log(`${r.problems.length ? 'FAIL' : 'ok  '} ${r.dir} (${r.objects} objects)`);
    for (const p of r.problems) console.log(`  ${p.code} ${p.object}: ${p.message}`);
    for (const w of r.warnings) console.log(`  warning ${w.code} ${w.object}: ${w.message}`);
    if (r.externalSecrets.size) console.log(`  secrets to create outside the manifests: ${[...r.externalSecrets].sort().join(', ')}`);
    failed += r.problems.length;
  }
  console.log(`${results.length} kustomizations, ${failed} problems (${Date.now() - started} ms)`);
  process.exit(failed || !results.length ? 1 : 0);
}
