import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveConnection } from './config.mjs';

describe('connection settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-config-'));

  it('defaults to the four local services', () => {
    const c = resolveConnection({}, {}, dir);
    assert.deepEqual(c.urls, { dwh: 'http://127.0.0.1:3001', features: 'http://127.0.0.1:3002', trainer: 'http://127.0.0.1:3003', serving: 'http://127.0.0.1:3004' });
    assert.equal(c.token, undefined);
    assert.equal(c.configFile, null);
  });

  it('reads ./.mlp/config.yaml, and lets the environment and flags override it in that order', () => {
    fs.mkdirSync(path.join(dir, '.mlp'));
    const file = path.join(dir, '.mlp/config.yaml');
    fs.writeFileSync(file, 'urls:\n  dwh: https://dwh.example\n  features: https://fs.example\ntoken: file-token\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const fromFile = resolveConnection({}, {}, dir);
    assert.equal(fromFile.urls.dwh, 'https://dwh.example');
    assert.equal(fromFile.token, 'file-token');
    assert.match(fromFile.warnings[0], /holds a token and others can read it/);
    const fromEnv = resolveConnection({}, { MLP_DWH_URL: 'http://env-dwh', MLP_TOKEN: 'env-token' }, dir);
    assert.equal(fromEnv.urls.dwh, 'http://env-dwh');
    assert.equal(fromEnv.urls.features, 'https://fs.example');
    assert.equal(fromEnv.token, 'env-token');
    const fromFlags = resolveConnection({ dwhUrl: 'http://flag-dwh', token: 'flag-token', timeout: '5' }, { MLP_DWH_URL: 'http://env-dwh', MLP_TOKEN: 'env-token' }, dir);
    assert.equal(fromFlags.urls.dwh, 'http://flag-dwh');
    assert.equal(fromFlags.token, 'flag-token');
    assert.equal(fromFlags.timeoutMs, 5000);
  });

  it('MLP_CONFIG names another file; a missing named file or an unknown key is a usage error (exit 2)', () => {
    const other = path.join(dir, 'other.yaml');
    fs.writeFileSync(other, 'urls:\n  serving: http://serving.example\n');
    assert.equal(resolveConnection({}, { MLP_CONFIG: other }, dir).urls.serving, 'http://serving.example');
    assert.throws(() => resolveConnection({ config: 'nope.yaml' }, {}, dir), (e) => e.exitCode === 2);
    fs.writeFileSync(other, 'url: {}\n');
    assert.throws(() => resolveConnection({}, { MLP_CONFIG: other }, dir), (e) => e.exitCode === 2 && /unknown key url/.test(e.message));
    assert.throws(() => resolveConnection({ timeout: '0' }, {}, dir), (e) => e.exitCode === 2);
    assert.throws(() => resolveConnection({ trainerUrl: 'ftp://x' }, {}, dir), (e) => e.exitCode === 2);
  });
});
