import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintDockerfile } from './dockerfile-lint.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GOOD = `ARG NODE_IMAGE=node:20.20.2-bookworm-slim
FROM \${NODE_IMAGE} AS build
WORKDIR /w
RUN npm ci
FROM \${NODE_IMAGE}
COPY --from=build /w/dist /app
USER 1000:1000
HEALTHCHECK CMD ["node", "/h.mjs"]
CMD ["node", "/app/main.js"]
`;
const codes = (content) => lintDockerfile(content).map((p) => p.code);

test('the platform Dockerfile passes every rule', () => {
  assert.deepEqual(lintDockerfile(fs.readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8')), []);
});

test('a compliant multi-stage Dockerfile passes', () => {
  assert.deepEqual(codes(GOOD), []);
});

test('syntax and semantic problems are reported (DF000)', () => {
  assert.ok(codes(GOOD.replace('WORKDIR /w', 'WORKDIRR /w')).includes('DF000'));
});

test('unpinned and latest base images are rejected, also through an ARG default (DF001)', () => {
  assert.deepEqual(codes(GOOD.replace('node:20.20.2-bookworm-slim', 'node')), ['DF001', 'DF001']);
  assert.deepEqual(codes(GOOD.replace('node:20.20.2-bookworm-slim', 'node:latest')), ['DF001', 'DF001']);
  assert.deepEqual(codes(GOOD.replace('node:20.20.2-bookworm-slim', 'node@sha256:abc')), []);
});

test('an image that runs as root is rejected (DF002)', () => {
  assert.deepEqual(codes(GOOD.replace('USER 1000:1000', 'USER root')), ['DF002']);
  assert.deepEqual(codes(GOOD.replace('USER 1000:1000\n', '')), ['DF002']);
  // USER in an earlier stage does not count for the final image.
  assert.deepEqual(codes(GOOD.replace('USER 1000:1000\n', '').replace('RUN npm ci', 'RUN npm ci\nUSER 1000')), ['DF002']);
});

test('the final stage must declare a HEALTHCHECK (DF003)', () => {
  assert.deepEqual(codes(GOOD.replace('HEALTHCHECK CMD ["node", "/h.mjs"]\n', '')), ['DF003']);
  assert.deepEqual(codes(GOOD.replace('HEALTHCHECK CMD ["node", "/h.mjs"]', 'HEALTHCHECK NONE')), ['DF003']);
});

test('shell-form CMD is rejected because signals would not reach node (DF004)', () => {
  assert.deepEqual(codes(GOOD.replace('CMD ["node", "/app/main.js"]', 'CMD node /app/main.js')), ['DF004']);
});

test('ADD is rejected in favour of COPY (DF005)', () => {
  assert.deepEqual(codes(GOOD.replace('COPY --from=build /w/dist /app', 'ADD https://example.com/x.tgz /app')), ['DF005']);
});

test('cd inside RUN is rejected (DF006)', () => {
  assert.deepEqual(codes(GOOD.replace('RUN npm ci', 'RUN cd /w && npm ci')), ['DF006']);
});

test('apt-get install without update, --no-install-recommends and list cleanup is rejected (DF007)', () => {
  assert.deepEqual(codes(GOOD.replace('RUN npm ci', 'RUN apt-get install -y curl')), ['DF007', 'DF007', 'DF007']);
  assert.deepEqual(
    codes(GOOD.replace('RUN npm ci', 'RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*')),
    [],
  );
});

test('npm install without the lockfile or without a pinned version is rejected (DF008)', () => {
  assert.deepEqual(codes(GOOD.replace('RUN npm ci', 'RUN npm install')), ['DF008']);
  assert.deepEqual(codes(GOOD.replace('RUN npm ci', 'RUN npm install --no-save @tensorflow/tfjs-node')), ['DF008']);
  assert.deepEqual(codes(GOOD.replace('RUN npm ci', 'RUN npm install --no-save @tensorflow/tfjs-node@4.22.0')), []);
});

test('a relative WORKDIR is rejected (DF009)', () => {
  assert.deepEqual(codes(GOOD.replace('WORKDIR /w', 'WORKDIR w')), ['DF000', 'DF009']);
});

test('secrets in ENV or ARG are rejected (DF010)', () => {
  assert.deepEqual(codes(GOOD.replace('WORKDIR /w', 'WORKDIR /w\nARG NPM_TOKEN')), ['DF010']);
  assert.deepEqual(codes(GOOD.replace('WORKDIR /w', 'WORKDIR /w\nENV DB_PASSWORD=x')), ['DF010']);
});
