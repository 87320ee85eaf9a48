// `npx nx g ./tools/generators:service <name>`: scaffolds a service exactly like the platform's
// own (see apps/trainer): project with scope/type tags, service definition on the kit, a first
// feature with unit and integration tests, migrations, a contracts area, an image target, and its
// kustomize base + network policy wired into the dev and prod overlays.
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { generateFiles, joinPathFragments, names, readJson } = require('@nx/devkit');
const { kustomizeBase } = require('./kustomize-base');

const RESERVED = new Set(['dwh-ingest', 'feature-store', 'trainer', 'model-serving', 'platform', 'shared', 'lib', 'tools']);

function existingPorts(tree) {
  const ports = new Set();
  for (const app of tree.children('apps')) {
    const file = `apps/${app}/src/service.ts`;
    if (!tree.exists(file)) continue;
    const text = tree.read(file, 'utf-8');
    for (const m of text.matchAll(/(httpPort|tcpPort):\s*(\d+)/g)) ports.add(Number(m[2]));
  }
  return ports;
}

function insertAfterLine(text, pattern, insertion, what) {
  const lines = text.split('\n');
  let at = -1;
  lines.forEach((l, i) => {
    if (pattern.test(l)) at = i;
  });
  if (at === -1) throw new Error(`cannot find where to add ${what}`);
  lines.splice(at + 1, 0, insertion);
  return lines.join('\n');
}

/** Adds the service to an overlay: its base, its own image tag, and (dev) its generated secret. */
function addToOverlay(tree, overlay, name, { devSecrets }) {
  const file = `k8s/overlays/${overlay}/kustomization.yaml`;
  if (!tree.exists(file)) return;
  let text = tree.read(file, 'utf-8');
  if (text.includes(`../../services/${name}\n`)) return;
  text = insertAfterLine(text, /^ {2}- \.\.\/\.\.\/services\//, `  - ../../services/${name}`, 'the service base');
  const registry = /newName: (\S+)\/mlp\//.exec(text)?.[1];
  const tag = /newTag: (\S+)/.exec(text)?.[1] ?? '0.1.0';
  text = insertAfterLine(
    text,
    /^ {4}newTag: /,
    `  - name: mlp/${name}\n${registry ? `    newName: ${registry}/mlp/${name}\n` : ''}    newTag: ${tag}`,
    'the image tag',
  );
  const replicas = /\nreplicas:\n {2}- name: \S+\n {4}count: (\d+)\n/.exec(text);
  if (replicas) text = insertAfterLine(text, /^ {4}count: /, `  - name: ${name}\n    count: ${replicas[1]}`, 'the replica count');
  if (devSecrets) {
    const dbUrl = /DATABASE_URL=(\S+)/.exec(text)?.[1];
    const tokens = /(- 'AUTH_TOKENS=.*')/.exec(text)?.[1];
    if (!dbUrl || !tokens) throw new Error(`${file}: no dev secret to copy`);
    text = `${text.replace(/\n*$/, '\n')}`;
    text = text.replace(
      /(secretGenerator:\n)/,
      `$1  - name: ${name}-secrets\n    literals:\n      - DATABASE_URL=${dbUrl}\n      ${tokens}\n      - NATS_PASSWORD=mlp-dev-nats-${name}\n`,
    );
    // The in-cluster NATS server's copy of the new service's password.
    const variable = `NATS_PASSWORD_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    text = insertAfterLine(text, /^ {6}- NATS_PASSWORD_[A-Z0-9_]+=/, `      - ${variable}=mlp-dev-nats-${name}`, 'the NATS password');
  }
  tree.write(file, text);
}

/** Module boundaries: the new scope may depend on itself and the shared libraries only. */
function addScopeConstraint(tree, name) {
  const file = 'eslint.config.mjs';
  if (!tree.exists(file)) return;
  const text = tree.read(file, 'utf-8');
  if (text.includes(`'scope:${name}'`)) return;
  tree.write(
    file,
    insertAfterLine(
      text,
      /\{ sourceTag: 'scope:[a-z0-9-]+', onlyDependOnLibsWithTags: \['scope:[a-z0-9-]+', 'scope:shared'\] \},/,
      `            { sourceTag: 'scope:${name}', onlyDependOnLibsWithTags: ['scope:${name}', 'scope:shared'] },`,
      'the scope constraint',
    ),
  );
}

async function serviceGenerator(tree, options) {
  const name = options.name;
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name ?? '')) throw new Error(`service name "${name}" must be kebab-case`);
  if (RESERVED.has(name) || tree.exists(`apps/${name}`)) throw new Error(`apps/${name} already exists or is reserved`);
  const schema = options.schema ?? name.replace(/-/g, '_');
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`schema "${schema}" is not a valid PostgreSQL identifier`);
  const used = existingPorts(tree);
  let httpPort = options.httpPort;
  if (!httpPort) for (httpPort = 3005; used.has(httpPort) || used.has(httpPort + 1000); httpPort++);
  if (used.has(httpPort)) throw new Error(`port ${httpPort} is taken by another service`);
  const tcpPort = httpPort + 1000;
  const description = (options.description ?? 'A platform service').replace(/'/g, '’');
  const { className } = names(name);
  const now = Date.now();
  const substitutions = {
    tmpl: '',
    name,
    className,
    schema,
    description,
    httpPort,
    tcpPort,
    timestamp: String(now),
    timestamp2: String(now + 1),
  };

  generateFiles(tree, path.join(__dirname, 'files/app'), `apps/${name}`, substitutions);
  generateFiles(tree, path.join(__dirname, 'files/contracts'), `libs/contracts/src/${name}`, substitutions);
  const index = 'libs/contracts/src/index.ts';
  tree.write(index, `${tree.read(index, 'utf-8').replace(/\n*$/, '\n')}export * from './${name}';\n`);
  addScopeConstraint(tree, name);

  const base = kustomizeBase({
    name,
    httpPort,
    description,
    uses: ['postgres', 'nats', ...(options.redis ? ['redis'] : [])],
  });
  for (const [file, content] of Object.entries(base)) tree.write(joinPathFragments('k8s/services', name, file), content);
  addToOverlay(tree, 'dev', name, { devSecrets: true });
  addToOverlay(tree, 'prod', name, { devSecrets: false });

  const pkg = readJson(tree, 'package.json');
  return () => {
    // The NATS user of the new service and its subject permissions, from its contracts (now on disk).
    execFileSync(process.execPath, [path.join(tree.root, 'tools/deploy/nats-config.mjs')], { cwd: tree.root, stdio: 'inherit' });
    console.log(`\n${name}: apps/${name} (http ${httpPort}, schema "${schema}"), libs/contracts/src/${name}, k8s/services/${name}.`);
    console.log(`Next: npx jest -c apps/${name}/jest.config.cjs; node tools/deploy/validate.mjs (${pkg.name}).`);
  };
}

module.exports = serviceGenerator;
module.exports.default = serviceGenerator;
