// Pure rewrites that turn contract JSON Schemas (TypeBox output) into project-file schemas that
// editors complete well and that give short error messages: unions of string literals become
// `enum`, and object schemas lose or gain properties (a model's YAML has no `name` or `sql`).

const clone = (v) => JSON.parse(JSON.stringify(v));

/** `{anyOf: [{const: 'a', type: 'string'}, ...]}` -> `{type: 'string', enum: ['a', ...]}`, everywhere. */
export function literalUnionsToEnums(schema) {
  if (Array.isArray(schema)) return schema.map(literalUnionsToEnums);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = literalUnionsToEnums(v);
  const branches = out.anyOf;
  if (Array.isArray(branches) && branches.length > 0 && branches.every((b) => b && 'const' in b && Object.keys(b).every((k) => k === 'const' || k === 'type'))) {
    const types = [...new Set(branches.map((b) => b.type))];
    delete out.anyOf;
    if (types.length === 1 && types[0]) out.type = types[0];
    out.enum = branches.map((b) => b.const);
  }
  return out;
}

/** A copy of an object schema without some properties (and without them in `required`). */
export function withoutProperties(schema, names) {
  const out = clone(schema);
  for (const n of names) delete out.properties[n];
  if (out.required) {
    out.required = out.required.filter((r) => !names.includes(r));
    if (!out.required.length) delete out.required;
  }
  return out;
}

/** A copy of an object schema with extra (optional) properties. */
export function withProperties(schema, extra) {
  const out = clone(schema);
  out.properties = { ...out.properties, ...clone(extra) };
  return out;
}

/** Removes `$id` (contract ids are not resolvable URIs) at the top of a schema. */
export function withoutId(schema) {
  const { $id: _id, ...rest } = schema;
  return rest;
}
