// Documented examples against real answers. check-openapi.mjs validates each example against its
// response schema; many answers have no schema, and a schema does not say which optional fields an
// answer really carries. This captures real answers from running services (in the end-to-end test
// that runs the docs' own example project, examples/warm-colours) and reports where an example's
// shape differs from the answer: keys one has and the other lacks, and JSON types.
//
// The requests are built from the OpenAPI document's paths, not through @mlp/client: this probes
// any documented route by its path, whether or not the client has a method for it.

/** JSON type of a value, with arrays apart. */
const kindOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Where `example` and `answer` differ in shape, as `$.path: what` lines. `null` on either side
 * matches anything (a value that is not known yet); arrays compare their first items; objects
 * whose keys are data (`record: true` paths, e.g. versions by view name) compare their values only.
 */
export function shapeDifferences(example, answer, { records = [] } = {}, path = '$') {
  const a = kindOf(example);
  const b = kindOf(answer);
  if (a === 'null' || b === 'null') return [];
  if (a !== b) return [`${path}: the example has ${a}, the answer ${b}`];
  if (a === 'array') return example.length && answer.length ? shapeDifferences(example[0], answer[0], { records }, `${path}[0]`) : [];
  if (a !== 'object') return [];
  if (records.includes(path)) {
    const [first] = Object.values(example);
    return Object.entries(answer).flatMap(([k, v]) => (first === undefined ? [] : shapeDifferences(first, v, { records }, `${path}.${k}`)));
  }
  const out = [];
  for (const k of Object.keys(answer)) if (!(k in example)) out.push(`${path}.${k}: in the answer, not in the example`);
  for (const k of Object.keys(example)) if (!(k in answer)) out.push(`${path}.${k}: in the example, not in the answer`);
  for (const k of Object.keys(example)) if (k in answer) out.push(...shapeDifferences(example[k], answer[k], { records }, `${path}.${k}`));
  return out;
}

/** The documented example of an operation's success answer (JSON), or undefined. */
export function documentedExample(doc, method, route) {
  const op = doc.paths?.[route]?.[method.toLowerCase()];
  for (const [status, response] of Object.entries(op?.responses ?? {})) {
    if (!/^2\d\d$/.test(status)) continue;
    const example = response.content?.['application/json']?.example;
    if (example !== undefined) return example;
  }
  return undefined;
}

/**
 * Calls each route on the running service and compares its answer with the documented example.
 * `routes`: `{ route: '/v1/models/{name}', params: { name: 'warm_colour' }, records?: ['$.aliases'] }`
 * (GET). Answers `{ route, status, differences, answer }` for each (the answer captured, to write a
 * new example from); a route without an example or not answered 200 is a difference too.
 */
export async function compareExamples({ baseUrl, doc, routes, headers = {} }) {
  const results = [];
  for (const { route, params = {}, records = [] } of routes) {
    const example = documentedExample(doc, 'GET', route);
    const target = route.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(String(params[name])));
    const res = await fetch(`${baseUrl}${target}`, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    const answer = res.status === 200 ? JSON.parse(text) : undefined;
    if (example === undefined) results.push({ route, status: res.status, differences: ['no documented example'], answer });
    else if (res.status !== 200) results.push({ route, status: res.status, differences: [`answered ${res.status}: ${text.slice(0, 200)}`], answer });
    else results.push({ route, status: res.status, differences: shapeDifferences(example, answer, { records }), answer });
  }
  return results;
}
