// Paths inside a document: arrays of keys and indexes, written as `tests[1].column` for people and
// parsed back from the JSONPath (`$.models[3].sql`) or JSON Pointer (`/models/3/sql`) services send.

/** ['tests', 1, 'column'] -> 'tests[1].column' ('' for the document itself). */
export function formatPath(segments) {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** '$.models[3].sql', 'models[3].sql', '/models/3/sql', '$["a b"][0]' -> ['models', 3, 'sql']. */
export function parsePath(text) {
  if (typeof text !== 'string') return [];
  const t = text.trim();
  if (t.startsWith('/')) {
    return t
      .slice(1)
      .split('/')
      .filter((s) => s !== '')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  }
  const out = [];
  let i = t.startsWith('$') ? 1 : 0;
  while (i < t.length) {
    const c = t[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const end = t.indexOf(']', i);
      if (end < 0) break;
      const inner = t.slice(i + 1, end);
      if (/^\d+$/.test(inner)) out.push(Number(inner));
      else {
        try {
          out.push(JSON.parse(inner.replace(/^'(.*)'$/, '"$1"')));
        } catch {
          out.push(inner);
        }
      }
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < t.length && t[j] !== '.' && t[j] !== '[') j++;
    out.push(t.slice(i, j));
    i = j;
  }
  return out;
}

/** Ajv's instance path ('/tests/1/column') -> ['tests', 1, 'column']. */
export const fromInstancePath = (p) => parsePath(p === '' ? '/' : p);
