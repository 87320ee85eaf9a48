// Bundles an app's single-page web UI (apps/<app>/web: index.html and src/main.tsx) with esbuild into
// dist/apps/<app>/web: fingerprinted JavaScript and CSS under assets/, and index.html pointing at them.
// build-app.mjs runs it for every app that has a web/ folder, so every build path (nx build, the
// Dockerfile, the deploy checks) ships the pages with the server that serves them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @returns {Promise<{ outDir: string, files: string[] }>} */
export async function buildWeb(app, outDir = path.join(root, 'dist', 'apps', app, 'web')) {
  const webRoot = path.join(root, 'apps', app, 'web');
  const template = fs.readFileSync(path.join(webRoot, 'index.html'), 'utf8');
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { app: path.join(webRoot, 'src', 'main.tsx') },
    outdir: path.join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2022', 'chrome120', 'firefox121', 'safari17'],
    jsx: 'automatic',
    tsconfig: path.join(webRoot, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.relative(outDir, path.resolve(root, f)).split(path.sep).join('/'));
  const script = outputs.find((f) => /^assets\/app-[A-Z0-9]+\.js$/.test(f));
  const style = outputs.find((f) => /^assets\/app-[A-Z0-9]+\.css$/.test(f));
  if (!script) throw new Error(`esbuild wrote no app bundle for ${app}: ${outputs.join(', ')}`);
  const html = template
    .replace('<!-- styles -->', style ? `<link rel="stylesheet" href="/${style}">` : '')
    .replace('<!-- scripts -->', `<script type="module" src="/${script}"></script>`);
  fs.writeFileSync(path.join(outDir, 'index.html'), html);
  return { outDir, files: ['index.html', ...outputs] };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const app = process.argv[2];
  if (!app) {
    console.error('usage: build-web.mjs <app>');
    process.exit(2);
  }
  const { outDir, files } = await buildWeb(app);
  console.log(`built ${app} web: ${files.length} files -> ${path.relative(root, outDir)}`);
}
