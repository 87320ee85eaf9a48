/**
 * Backward compatibility of a JSON Schema change: every document valid under `previous` must stay
 * valid under `next` (what SchemaVer calls an ADDITION). The check is structural and conservative:
 * it walks objects, arrays and scalar constraints, and reports each narrowing with its JSON path.
 */
export interface Incompatibility {
  path: string;
  reason: string;
}

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : undefined);

function typesOf(s: Schema): Set<string> | undefined {
  const t = s['type'];
  if (t === undefined) return undefined;
  const list = Array.isArray(t) ? t.map(String) : [String(t)];
  // An integer is also a number: widening integer -> number is fine.
  return new Set(list);
}

function typeAllowed(nextTypes: Set<string> | undefined, type: string): boolean {
  if (!nextTypes) return true;
  return nextTypes.has(type) || (type === 'integer' && nextTypes.has('number'));
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;

export function findIncompatibilities(previous: unknown, next: unknown, path = '$'): Incompatibility[] {
  const prev = asSchema(previous);
  const nxt = asSchema(next);
  const out: Incompatibility[] = [];
  if (!prev || !nxt) {
    if (prev !== undefined && nxt === undefined) return out;
    if (next === false && previous !== false) out.push({ path, reason: 'now forbids every value' });
    return out;
  }

  const prevTypes = typesOf(prev);
  const nextTypes = typesOf(nxt);
  if (nextTypes) {
    if (!prevTypes) out.push({ path, reason: `restricts the type to ${[...nextTypes].join('|')} where any type was allowed` });
    else for (const t of prevTypes) if (!typeAllowed(nextTypes, t)) out.push({ path, reason: `no longer accepts type ${t}` });
  }

  for (const key of LOWER_BOUNDS) {
    const a = prev[key];
    const b = nxt[key];
    if (typeof b === 'number' && (typeof a !== 'number' || b > a)) out.push({ path, reason: `raises ${key} to ${b}` });
  }
  for (const key of UPPER_BOUNDS) {
    const a = prev[key];
    const b = nxt[key];
    if (typeof b === 'number' && (typeof a !== 'number' || b < a)) out.push({ path, reason: `lowers ${key} to ${b}` });
  }
  for (const key of ['pattern', 'format', 'const', 'multipleOf'] as const) {
    if (nxt[key] !== undefined && JSON.stringify(nxt[key]) !== JSON.stringify(prev[key])) {
      out.push({ path, reason: `adds or changes ${key}` });
    }
  }
  if (Array.isArray(nxt['enum'])) {
    const allowed = new Set((nxt['enum'] as unknown[]).map((v) => JSON.stringify(v)));
    if (!Array.isArray(prev['enum'])) out.push({ path, reason: 'adds an enum where any value was allowed' });
    else for (const v of prev['enum'] as unknown[]) if (!allowed.has(JSON.stringify(v))) out.push({ path, reason: `removes the accepted value ${JSON.stringify(v)}` });
  }

  const prevRequired = new Set(Array.isArray(prev['required']) ? (prev['required'] as string[]) : []);
  for (const r of Array.isArray(nxt['required']) ? (nxt['required'] as string[]) : []) {
    if (!prevRequired.has(r)) out.push({ path: `${path}.${r}`, reason: 'becomes required' });
  }

  const prevProps = asSchema(prev['properties']) ?? {};
  const nextProps = asSchema(nxt['properties']) ?? {};
  const nextAdditional = nxt['additionalProperties'];
  const prevAdditional = prev['additionalProperties'];
  for (const [name, prevProp] of Object.entries(prevProps)) {
    const childPath = `${path}.${name}`;
    if (name in nextProps) out.push(...findIncompatibilities(prevProp, nextProps[name], childPath));
    else if (nextAdditional === false) out.push({ path: childPath, reason: 'is removed while additional properties are forbidden' });
    else if (asSchema(nextAdditional)) out.push(...findIncompatibilities(prevProp, nextAdditional, childPath));
  }
  if (nextAdditional === false && prevAdditional !== false) {
    out.push({ path, reason: 'forbids additional properties that were allowed' });
  } else if (prevAdditional !== false && asSchema(nextAdditional)) {
    out.push(...findIncompatibilities(asSchema(prevAdditional) ?? {}, nextAdditional, `${path}.*`));
  }
  // A property that old documents could carry as an "additional" one must accept what was allowed.
  if (prevAdditional === undefined || prevAdditional === true) {
    for (const [name, nextProp] of Object.entries(nextProps)) {
      if (!(name in prevProps)) out.push(...findIncompatibilities({}, nextProp, `${path}.${name}`));
    }
  }

  if (prev['items'] !== undefined || nxt['items'] !== undefined) {
    out.push(...findIncompatibilities(prev['items'] ?? {}, nxt['items'] ?? {}, `${path}[*]`));
  }
  return out;
}
