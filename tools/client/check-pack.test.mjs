// The installable-package check as a test of `npm test`: @mlp/client builds, packs, installs offline
// into an empty project, type-checks there (and refuses a wrongly typed call), and runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPack } from './check-pack.mjs';

test('@mlp/client packs, installs offline into an empty project, type-checks and runs as ESM and CommonJS', { timeout: 240_000 }, async () => {
  const { tarball, files } = await checkPack();
  assert.match(tarball, /^mlp-client-\d+\.\d+\.\d+\.tgz$/);
  assert.ok(files > 10, `the tarball holds ${files} files`);
});
