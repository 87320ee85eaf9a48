import fs from 'node:fs';
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on the `<basename>` entry file in `dir` (the caller's `__dirname`). Built
 * code runs `<basename>.js`; under Jest (TypeScript sources, no build) a worker cannot load `.ts`
 * itself, so a small eval bootstrap first registers the workspace's SWC require hook
 * (tools/ts-hook) and then loads the `.ts` entry.
 */
export function startWorkerThread(dir: string, basename: string, options: WorkerOptions = {}): Worker {
  const built = path.join(dir, `${basename}.js`);
  if (fs.existsSync(built)) return new Worker(built, options);
  const entry = path.join(dir, `${basename}.ts`);
  if (!fs.existsSync(entry)) throw new Error(`worker entry ${basename} not found in ${dir}`);
  const hook = findUp(dir, path.join('tools', 'ts-hook', 'register.cjs'));
  const register = hook ? `require(${JSON.stringify(hook)});` : inlineSwcHook(dir);
  return new Worker(`${register} require(${JSON.stringify(entry)});`, { ...options, eval: true });
}

function findUp(from: string, relative: string): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * The same hook in a few lines, for a checkout without tools/ts-hook: SWC for .ts, aliases from
 * tsconfig. Test-only, so the SWC package name is assembled at run time and the app build does not
 * take this dev tool for a runtime dependency.
 */
function inlineSwcHook(dir: string): string {
  const tsconfig = findUp(dir, 'tsconfig.base.json');
  if (!tsconfig) throw new Error('cannot run a worker from TypeScript sources: tsconfig.base.json not found');
  const root = path.dirname(tsconfig);
  return `{
    const fs = require('node:fs'), path = require('node:path'), Module = require('node:module'), swc = require(['@swc', 'core'].join('/'));
    const root = ${JSON.stringify(root)};
    const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8')); delete swcrc.$schema;
    const paths = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) { const t = paths[request]; return resolve.call(this, t ? path.join(root, t[0]) : request, ...rest); };
    Module._extensions['.ts'] = function (module, filename) {
      module._compile(swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...swcrc, swcrc: false, filename }).code, filename);
    };
  }`;
}
