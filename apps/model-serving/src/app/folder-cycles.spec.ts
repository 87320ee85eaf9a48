import fs from 'node:fs';
import path from 'node:path';

/**
 * No folder under src/app imports a folder that imports it back, directly or through others: each
 * folder is a layer, and layers only point down (protocols -> inference -> models -> errors). The
 * files directly in src/app are the composition root (the Nest modules): they import every folder,
 * so a folder importing them is a cycle too. Type-only imports count: a cycle of types is still a
 * cycle of ideas.
 */

/** Folder -> folders it imports, each edge with one file that makes it (for the failure message). */
type FolderGraph = Map<string, Map<string, string>>;

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

/** The relative imports between folders of `root` (imports leaving `root` are not its business). */
export function folderGraph(root: string, files: Array<{ file: string; source: string }>): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const { file, source } of files) {
    const from = path.relative(root, path.dirname(file)) || '.';
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const match of source.matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), match[1]);
      if (path.relative(root, target).startsWith('..')) continue;
      const folder = fs.existsSync(target) && fs.statSync(target).isDirectory() ? target : path.dirname(target); // a folder's index, or a file
      const to = path.relative(root, folder) || '.';
      if (to !== from && !edges.has(to)) edges.set(to, path.relative(root, file));
    }
  }
  return graph;
}

/** Every cycle's folders (strongly connected components of more than one folder), by Tarjan's algorithm. */
export function folderCycles(graph: FolderGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function sourcesUnder(dir: string): Array<{ file: string; source: string }> {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f))
    .map((file) => ({ file, source: fs.readFileSync(file, 'utf8') }));
}

describe('folders of model-serving', () => {
  it('finds a cycle through several folders, and none in a layered graph', () => {
    const root = '/r';
    const at = (file: string, source: string) => ({ file: path.join(root, file), source });
    const layered = folderGraph(root, [
      at('serving.module.ts', "import { A } from './a/a';\nimport { B } from './b/b';"),
      at('a/a.ts', "import type { B } from '../b/b';\nexport const A = 1;"),
      at('b/b.ts', "import { C } from '../c/c';"),
      at('c/c.ts', "import { x } from '@mlp/runtime';\nimport { y } from '../../testing/fixtures';"),
    ]);
    expect(folderCycles(layered)).toEqual([]);
    const cyclic = folderGraph(root, [
      at('a/a.ts', "import {\n  B,\n} from '../b/b';"),
      at('b/b.ts', "export { C } from '../c/c';"),
      at('c/c.ts', "const a = require('../a/a');"),
      at('d/d.ts', "import { root } from '../serving.module';"),
      at('serving.module.ts', "import { D } from './d/d';"),
    ]);
    expect(folderCycles(cyclic)).toEqual(expect.arrayContaining([['a', 'b', 'c'], ['.', 'd']]));
  });

  it('import no folder that imports them back', () => {
    const root = __dirname;
    const graph = folderGraph(root, sourcesUnder(root));
    const described = folderCycles(graph).map((cycle) =>
      cycle.flatMap((from) => cycle.filter((to) => graph.get(from)?.has(to)).map((to) => `${from} -> ${to} (${graph.get(from)?.get(to)})`)).join('; '),
    );
    expect(described).toEqual([]);
  });
});
