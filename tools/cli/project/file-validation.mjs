// Checks one project file's value against its JSON Schema (schemas/project, generated from the
// contracts) and turns Ajv's errors into short problems with a path: inside a union (a data test,
// an algorithm) only the branch the value's `kind` selects is reported, not every branch.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromInstancePath } from './paths.mjs';

export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../schemas/project');
export const FILE_KINDS = ['mlp', 'source', 'events', 'model', 'features', 'training', 'kpi'];

let compiled;
function validators() {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  compiled = {};
  for (const kind of FILE_KINDS) {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, `${kind}.schema.json`), 'utf8'));
    compiled[kind] = { schema, validate: ajv.compile(schema) };
  }
  return compiled;
}

/** @returns {{ path: (string|number)[], message: string }[]} */
export function validateFile(kind, value) {
  const v = validators()[kind];
  if (!v) throw new Error(`unknown project file kind ${kind}`);
  if (v.validate(value)) return [];
  return toProblems(reduceUnionErrors(v.validate.errors ?? [], v.schema, value));
}

/** Checks that an event schema's `schema` is itself a JSON Schema (draft-07) Ajv can compile. */
export function jsonSchemaProblem(schema) {
  // A fresh instance each time: two event versions may carry the same $id.
  const ajv = new Ajv({ strict: false, validateFormats: true });
  addFormats(ajv);
  try {
    ajv.compile(schema);
    return null;
  } catch (err) {
    return err.message;
  }
}

const schemaAt = (root, schemaPath) =>
  schemaPath
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .reduce((s, k) => (s == null ? s : s[k.replace(/~1/g, '/').replace(/~0/g, '~')]), root);

const dataAt = (value, instancePath) => fromInstancePath(instancePath).reduce((d, k) => (d == null ? d : d[k]), value);

/** Keeps, for each `anyOf`, the errors of the branch the value meant (its `kind`, else the closest). */
export function reduceUnionErrors(errors, rootSchema, value) {
  let kept = [...errors];
  const unions = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const u of unions) {
    if (!kept.includes(u)) continue;
    const branches = schemaAt(rootSchema, u.schemaPath) ?? [];
    const prefix = `${u.schemaPath}/`;
    const inside = kept.filter((e) => e.schemaPath.startsWith(prefix));
    const byBranch = new Map(branches.map((_, i) => [i, inside.filter((e) => e.schemaPath.startsWith(`${prefix}${i}/`))]));
    const data = dataAt(value, u.instancePath);
    const kinds = branches.map((b) => b?.properties?.kind?.const);
    let chosen;
    let replacement = [];
    if (data && typeof data === 'object' && !Array.isArray(data) && kinds.every((k) => k !== undefined) && 'kind' in data) {
      chosen = kinds.indexOf(data.kind);
      if (chosen < 0) {
        replacement = [{ keyword: 'enum', instancePath: `${u.instancePath}/kind`, schemaPath: u.schemaPath, params: { allowedValues: kinds }, message: 'must be one of' }];
      }
    } else if (data && typeof data === 'object' && !Array.isArray(data) && 'kind' in data) {
      const i = kinds.indexOf(data.kind);
      if (i >= 0) chosen = i;
    }
    if (chosen === undefined) {
      // The branch with the fewest complaints is the one the author most likely meant.
      chosen = [...byBranch.entries()].sort((a, b) => a[1].length - b[1].length)[0]?.[0] ?? -1;
    }
    kept = kept.filter((e) => e !== u && !(e.schemaPath.startsWith(prefix) && !(chosen >= 0 && e.schemaPath.startsWith(`${prefix}${chosen}/`))));
    kept.push(...replacement);
  }
  return kept;
}

function toProblems(errors) {
  const out = [];
  const seen = new Set();
  for (const e of errors) {
    const p = fromInstancePath(e.instancePath);
    let message;
    switch (e.keyword) {
      case 'required':
        p.push(e.params.missingProperty);
        message = 'is required';
        break;
      case 'additionalProperties':
        p.push(e.params.additionalProperty);
        message = 'is not a known field here';
        break;
      case 'enum':
        message = `must be one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(e.params.allowedValue)}`;
        break;
      case 'pattern':
        message = `must match ${e.params.pattern}`;
        break;
      case 'type':
        message = `must be ${/^[aeiou]/.test(e.params.type) ? 'an' : 'a'} ${e.params.type}`;
        break;
      default:
        message = e.message ?? 'is invalid';
    }
    const key = `${p.join('\u0000')}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: p, message });
  }
  return out;
}
