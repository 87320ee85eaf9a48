// Lets plain `node` load the workspace's TypeScript sources: `node -r ./tools/ts-hook/register.cjs x.ts`.
// SWC transforms each .ts file (decorator metadata included) and @mlp/* aliases resolve through
// tsconfig.base.json. Used by tools that import contracts, and by worker threads under Jest.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { paths } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, parent, ...rest) {
  const target = paths[request];
  try {
    return originalResolve.call(this, target ? path.join(root, target[0]) : request, parent, ...rest);
  } catch (err) {
    // Sources written for ESM output (libs/client) import siblings as './x.js': that is the .ts file.
    if (parent?.filename?.endsWith('.ts') && /^\.{1,2}\/.*\.js$/.test(request)) return originalResolve.call(this, `${request.slice(0, -3)}.ts`, parent, ...rest);
    throw err;
  }
};

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...swcrc, swcrc: false, filename, sourceMaps: 'inline' });
  module._compile(code, filename);
};
