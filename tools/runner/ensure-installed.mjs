// `npm start` and `npm test` work on a fresh clone: when node_modules is missing or older than the
// lockfile, run `npm ci` first. Uses Node built-ins only, since nothing else is installed yet.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function ensureInstalled(root) {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('[platform]       installing dependencies (npm ci) - first run only');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[platform]       npm ci failed');
    process.exit(result.status ?? 1);
  }
}
