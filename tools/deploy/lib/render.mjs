// Renders a kustomization with the kubectl that ships kustomize (v5) and parses the result.
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';

export function renderKustomization(dir) {
  let out;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error('kubectl not found: run tools/deploy/install-tools.sh');
    throw new Error(`kustomize failed for ${dir}: ${String(err.stderr || err.message).trim()}`);
  }
  return parseManifests(out);
}

export function parseManifests(text) {
  return YAML.parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`invalid YAML: ${doc.errors[0].message}`);
      return doc.toJSON();
    })
    .filter((o) => o && typeof o === 'object');
}

export const describe = (o) => `${o.kind}/${o.metadata?.name ?? '?'}`;
