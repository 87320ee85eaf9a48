// A YAML document read with positions, so that every problem can name its line: `lineOf(path)`
// finds the line of a key or item, or of the nearest enclosing one when it is missing.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

/**
 * @param {string} text
 * @param {{ lineOffset?: number }} options lines before the YAML in its file (a header block in a .sql)
 */
export function readYaml(text, { lineOffset = 0 } = {}) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const line = (offset) => lineCounter.linePos(offset).line + lineOffset;
  const errors = doc.errors.map((e) => ({ line: line(e.pos?.[0] ?? 0), message: e.message.split('\n')[0] }));
  let value;
  if (!errors.length) {
    try {
      // Dates stay strings: they go to services as written.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      errors.push({ line: 1 + lineOffset, message: err.message });
    }
  }
  return {
    value,
    errors,
    /** The line of the value at `path` (of its key, for a mapping entry), or of its nearest existing parent. */
    lineOf(path) {
      let node = doc.contents;
      let best = node?.range ? line(node.range[0]) : 1 + lineOffset;
      for (const seg of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === seg);
          if (!pair) break;
          if (pair.key?.range) best = line(pair.key.range[0]);
          node = pair.value;
        } else if (isSeq(node) && typeof seg === 'number') {
          const item = node.items[seg];
          if (!item) break;
          if (item.range) best = line(item.range[0]);
          node = item;
        } else break;
      }
      return best;
    },
  };
}
