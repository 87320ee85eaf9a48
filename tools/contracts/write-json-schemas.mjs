#!/usr/bin/env node
// Writes every contract (HTTP bodies, message requests/replies, event payloads) as a JSON Schema
// file, plus an index of message patterns, for consumers that do not use TypeScript.
// Usage: node tools/contracts/write-json-schemas.mjs [outDir]   (default dist/json-schema)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
require('../ts-hook/register.cjs');
const contracts = require(path.join(root, 'libs/contracts/src/index.ts'));

const outDir = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'json-schema'));
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
let count = 0;
for (const c of contracts.listContracts()) {
  const file = path.join(outDir, `${c.id}.schema.json`);
  fs.writeFileSync(file, `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...c.jsonSchema }, null, 2)}\n`);
  count++;
}
const messages = contracts.listMessages().map((m) =>
  'payload' in m
    ? { kind: 'event', pattern: m.pattern, description: m.description, payload: `${m.payload.id}.schema.json`, producer: m.producer ?? null, consumers: m.consumers }
    : { kind: 'request-reply', pattern: m.pattern, description: m.description, request: `${m.request.id}.schema.json`, reply: `${m.reply.id}.schema.json`, owner: contracts.messageOwner(m.pattern), callers: m.callers ?? null },
);
fs.writeFileSync(path.join(outDir, 'messages.json'), `${JSON.stringify(messages, null, 2)}\n`);
console.log(`wrote ${count} JSON Schemas and ${messages.length} message patterns to ${path.relative(process.cwd(), outDir) || '.'}`);
