import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerMessage } from './training-worker-protocol';

const WORKER_BASENAME = 'training.worker';

/**
 * Starts the training worker thread. Built code runs `training.worker.js` next to this file; under
 * Jest (TypeScript sources, no build) a worker cannot load `.ts` itself, so a small eval bootstrap
 * first registers the workspace's SWC require hook (tools/ts-hook) and then loads the `.ts` entry.
 */
export function startTrainingWorker(workerData: unknown, onMessage: (m: WorkerMessage) => void): { done: Promise<number>; terminate(): Promise<number> } {
  let worker: Worker;
  if (__filename.endsWith('.ts')) {
    const entry = path.join(__dirname, `${WORKER_BASENAME}.ts`);
    const hook = findUp(__dirname, path.join('tools', 'ts-hook', 'register.cjs'));
    const register = hook ? `require(${JSON.stringify(hook)});` : inlineSwcHook();
    worker = new Worker(`${register} require(${JSON.stringify(entry)});`, { eval: true, workerData });
  } else {
    worker = new Worker(path.join(__dirname, `${WORKER_BASENAME}.js`), { workerData });
  }
  worker.on('message', onMessage);
  const done = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', resolve);
  });
  return { done, terminate: () => worker.terminate() };
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
function inlineSwcHook(): string {
  const tsconfig = findUp(__dirname, 'tsconfig.base.json');
  if (!tsconfig) throw new Error('cannot run the training worker from TypeScript sources: tsconfig.base.json not found');
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
