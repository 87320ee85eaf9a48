import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderKustomization } from './lib/render.mjs';
import { imageEnv, localEnv, writeVolumeFiles } from './smoke-manifests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dev = renderKustomization(path.join(root, 'k8s/overlays/dev'));
const container = (name) => dev.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name).spec.template.spec.containers[0];

test('the process starts with the image ENV of the final Dockerfile stage', () => {
  const env = imageEnv(undefined, 'trainer');
  assert.equal(env.NODE_ENV, 'production');
  assert.equal(env.MLP_APP, 'trainer');
  assert.equal(env.PLATFORM_PROFILE, 'production');
});

test('only endpoints and mounted paths are rewritten; every other value is the manifests\'', () => {
  const env = localEnv(dev, container('model-serving'), {
    app: 'model-serving',
    databaseUrl: 'postgres://postgres@127.0.0.1:5432/smoke_x',
    volumeDirs: (name) => `/tmp/smoke/${name}`,
  });
  assert.equal(env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/smoke_x');
  assert.equal(env.NATS_URL, 'nats://127.0.0.1:4222');
  assert.equal(env.PREDICTION_LOG_SPILL_DIR, '/tmp/smoke/prediction-log');
  assert.equal(env.PORT, '3004');
  assert.equal(env.LOG_LEVEL, 'debug');
  assert.equal(env.MIGRATE_ON_START, 'false');
  assert.equal(env.AUTH_TOKENS_FILE, '/tmp/smoke/auth-tokens/auth-tokens.json');
  assert.equal(env.AUTH_TOKENS, undefined);
  assert.equal(env.NATS_USER, 'model-serving');
  assert.ok(env.TRANSPORT_SECRET.length >= 32);
});

test('a Secret volume becomes the files the kubelet would write: the tokens file the app reads', () => {
  const deployment = dev.find((o) => o.kind === 'Deployment' && o.metadata.name === 'trainer');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-volume-'));
  try {
    writeVolumeFiles(dev, deployment.spec.template.spec.volumes.find((v) => v.name === 'auth-tokens'), dir);
    assert.deepEqual(fs.readdirSync(dir), ['auth-tokens.json']);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'auth-tokens.json'), 'utf8'))[0].scopes, ['admin']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a value missing from the manifests stops the smoke test before starting anything', () => {
  const broken = structuredClone(dev).filter((o) => !(o.kind === 'Secret' && o.metadata.name.startsWith('trainer-secrets')));
  const c = broken.find((o) => o.kind === 'Deployment' && o.metadata.name === 'trainer').spec.template.spec.containers[0];
  assert.throws(() => localEnv(broken, c, { app: 'trainer', databaseUrl: 'postgres://x/y', volumeDirs: () => '/tmp' }), /DATABASE_URL .* has no value/);
});
