// Validates rendered objects against the Kubernetes OpenAPI schemas, offline, in two passes:
// 1. kubernetes-models' validators (generated from the upstream OpenAPI spec: types, required
//    fields, formats, enums), the same checks `kubectl apply --validate` does on the server side;
// 2. the TypeScript types generated from the same spec, whose excess-property check rejects unknown
//    fields (a misspelt `readinessProbe` would otherwise be dropped silently by the API server's
//    non-strict decoding and the policy it was meant to satisfy would be lost).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe } from './render.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The module that holds the model of an apiVersion, or null when no schema is bundled. */
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  return group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
}

export async function checkSchemas(objects) {
  const problems = [];
  const typed = [];
  for (const [i, o] of objects.entries()) {
    const what = describe(o);
    if (!o.apiVersion || !o.kind) {
      problems.push({ code: 'K8S-SCHEMA', object: what, message: 'apiVersion and kind are required' });
      continue;
    }
    let Model;
    try {
      Model = (await import(modelModule(o.apiVersion)))[o.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push({ code: 'K8S-SCHEMA', object: what, message: `no schema for ${o.apiVersion} ${o.kind} (unknown or removed API)` });
      continue;
    }
    try {
      new Model(normalise(o)).validate();
    } catch (err) {
      problems.push({ code: 'K8S-SCHEMA', object: what, message: String(err.message).replace(/^data/, '') });
    }
    typed.push({ i, o, what, module: `${modelModule(o.apiVersion)}/${o.kind}`, type: `I${o.kind}` });
  }
  problems.push(...checkUnknownFields(typed));
  return problems;
}

/** Secret data as the API server reads it: Go's base64 decoder skips the line breaks YAML adds. */
function normalise(o) {
  if (o.kind !== 'Secret' || !o.data) return o;
  return { ...o, data: Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v])) };
}

function checkUnknownFields(typed) {
  if (!typed.length) return [];
  const lines = [];
  const starts = [];
  for (const t of typed) {
    lines.push(`import type { ${t.type} as T${t.i} } from '${t.module}';`);
  }
  for (const t of typed) {
    starts.push({ line: lines.length, t });
    // One line per JSON line, so a diagnostic's line number maps back to its object.
    lines.push(...`export const o${t.i}: T${t.i} = ${JSON.stringify(t.o, null, 1)};`.split('\n'));
  }
  const source = lines.join('\n');
  const fileName = path.join(root, 'tools/deploy/__k8s_objects__.ts');
  const options = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    path.resolve(name) === fileName ? ts.createSourceFile(name, source, lang, true) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === fileName || fileExists(name);
  host.readFile = ((readFile) => (name) => (path.resolve(name) === fileName ? source : readFile(name)))(host.readFile.bind(host));
  const program = ts.createProgram({ rootNames: [fileName], options, host });
  const sf = program.getSourceFile(fileName);
  const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  const problems = [];
  for (const d of diagnostics) {
    const line = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0).line : 0;
    const owner = [...starts].reverse().find((s) => s.line <= line)?.t;
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').at(-1);
    if (!owner) {
      problems.push({ code: 'K8S-SCHEMA', object: '(schemas)', message });
      continue;
    }
    problems.push({ code: 'K8S-SCHEMA', object: owner.what, message: `${fieldPath(d, sf)}: ${message}` });
  }
  return problems;
}

/** The JSON path of the property a diagnostic points at, e.g. spec.template.spec.containers[0]. */
function fieldPath(d, sf) {
  let node = findNode(sf, d.start ?? 0);
  const parts = [];
  while (node && !ts.isVariableDeclaration(node)) {
    if (ts.isPropertyAssignment(node)) parts.unshift(node.name.getText(sf).replace(/^"|"$/g, ''));
    else if (ts.isArrayLiteralExpression(node.parent ?? {}) && node.parent) parts.unshift(`[${node.parent.elements.indexOf(node)}]`);
    node = node.parent;
  }
  return parts.join('.').replace(/\.\[/g, '[') || '(root)';
}

function findNode(sf, pos) {
  let found;
  const visit = (n) => {
    if (pos >= n.getStart(sf) && pos < n.getEnd()) {
      found = n;
      ts.forEachChild(n, visit);
    }
  };
  visit(sf);
  return found;
}
