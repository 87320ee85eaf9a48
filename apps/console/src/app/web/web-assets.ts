import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console-config';

export interface WebAsset {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Fingerprinted bundle files are cached for a year; index.html is revalidated every time. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** esbuild names bundle files `<name>-<HASH>.<ext>`: their content never changes under that name. */
const FINGERPRINTED = /-[A-Z0-9]{8}\.[a-z]+$/;

/**
 * The built single-page app, read once at start: a console without its pages is not a console, so a
 * missing bundle stops the start with a message saying how to build it.
 */
export function loadWebAssets(dir: string): Map<string, WebAsset> {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`the console's web bundle is missing: no ${index} (build it with \`npx nx run console:build\`, or set CONSOLE_WEB_DIR)`);
  }
  const assets = new Map<string, WebAsset>();
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, rel);
    if (!fs.statSync(file).isFile()) continue;
    const body = fs.readFileSync(file);
    const urlPath = `/${rel.split(path.sep).join('/')}`;
    assets.set(urlPath, {
      body,
      contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: FINGERPRINTED.test(urlPath),
    });
  }
  return assets;
}

/**
 * What the browser may do with the console's pages: scripts, styles and API calls from the console's
 * own origin only, no framing, no referrer (a page path may name a model, never a token).
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export const WEB_ASSETS = Symbol('WEB_ASSETS');

/** Read while the app is assembled, before it connects anywhere: a missing bundle fails the start cleanly. */
export const webAssetsProvider = { provide: WEB_ASSETS, useFactory: (config: ConsoleConfig) => loadWebAssets(config.webDir), inject: [CONSOLE_CONFIG] };
