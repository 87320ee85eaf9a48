#!/usr/bin/env node
// Fails when an HTTP operation of a service is not documented well enough for a newcomer to use it
// from /docs alone: every operation needs a summary, a description, its error responses with their
// machine-readable codes, and an example of its success answer. Each app prints its own document
// (`main.ts openapi`: no database, nothing listening). Routes are documented with the kit's
// `@ApiContract({ summary, description, errors, example, ... })`. An example must also be a valid
// answer: where the response has a schema, the example is validated against it.
//
//   node tools/docs/check-openapi.mjs [app...]      checks every app (or the named ones)
//   node tools/docs/check-openapi.mjs --print <app> prints the app's OpenAPI document
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export const listApps = () =>
  fs
    .readdirSync(path.join(root, 'apps'))
    .filter((app) => fs.existsSync(path.join(root, 'apps', app, 'src', 'main.ts')))
    .sort();

/** An app's OpenAPI document, from its sources (the same code `main.js openapi` runs when built). */
export async function openApiDocument(app) {
  // The console refuses to start without its web bundle; an empty page is enough for its routes.
  const web = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-web-'));
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html>\n');
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', path.join(root, 'tools/ts-hook/register.cjs'), path.join(root, 'apps', app, 'src/main.ts'), 'openapi'], {
      cwd: root,
      env: { PATH: process.env.PATH, CONSOLE_WEB_DIR: web },
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(stdout);
  } finally {
    fs.rmSync(web, { recursive: true, force: true });
  }
}

const errorCodes = (response) => response?.content?.['application/json']?.schema?.properties?.code?.enum ?? [];

/**
 * What each operation lacks: a summary, a description, error responses (every 4xx/5xx response
 * naming its codes), an example of a success answer.
 * @returns {{ operation: string, missing: string[] }[]}
 */
export function undocumentedOperations(doc) {
  const problems = [];
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const missing = [];
      if (!op.summary?.trim()) missing.push('summary');
      if (!op.description?.trim()) missing.push('description');
      const responses = Object.entries(op.responses ?? {});
      const errors = responses.filter(([status]) => /^[45]\d\d$/.test(status));
      if (!errors.length || errors.some(([, r]) => errorCodes(r).length === 0)) missing.push('error responses with codes');
      const success = responses.filter(([status]) => /^2\d\d$/.test(status));
      if (!success.some(([, r]) => Object.values(r.content ?? {}).some((c) => c.example !== undefined || c.examples !== undefined))) missing.push('example answer');
      if (missing.length) problems.push({ operation: `${method.toUpperCase()} ${route}`, missing });
    }
  }
  return problems;
}

/**
 * Success examples that are not valid answers: each example is validated against its response's
 * schema (where the route declares one), so an example assembled by hand cannot drift from the
 * contract or leave out what every real answer carries.
 * @returns {{ operation: string, errors: string }[]}
 */
export function examplesOffSchema(doc) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Schemas carry their contract's $id (one per route using it): compiled one by one, without it;
  // a `$ref` into the document's components resolves through a schema holding them.
  ajv.addSchema({ $id: 'openapi-document', components: doc.components ?? {} });
  const problems = [];
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      for (const [status, response] of Object.entries(item[method]?.responses ?? {})) {
        if (!/^2\d\d$/.test(status)) continue;
        for (const [type, content] of Object.entries(response.content ?? {})) {
          if (content.example === undefined || !content.schema || Object.keys(content.schema).length === 0) continue;
          const schema = JSON.parse(JSON.stringify(content.schema).replaceAll('"#/components/', '"openapi-document#/components/'), (k, v) => (k === '$id' ? undefined : v));
          const valid = ajv.compile(schema);
          if (!valid(content.example)) problems.push({ operation: `${method.toUpperCase()} ${route} ${status} ${type}`, errors: ajv.errorsText(valid.errors) });
        }
      }
    }
  }
  return problems;
}

async function main(argv) {
  if (argv[0] === '--print') {
    process.stdout.write(`${JSON.stringify(await openApiDocument(argv[1]), null, 2)}\n`);
    return 0;
  }
  const apps = argv.length ? argv : listApps();
  const docs = await Promise.all(apps.map(async (app) => [app, await openApiDocument(app)]));
  let failures = 0;
  for (const [app, doc] of docs) {
    const problems = undocumentedOperations(doc);
    const count = Object.values(doc.paths).reduce((n, item) => n + METHODS.filter((m) => item[m]).length, 0);
    console.log(`${app}: ${count} operations, ${count - problems.length} documented`);
    for (const p of problems) console.error(`UNDOCUMENTED ${app} ${p.operation}: no ${p.missing.join(', no ')}`);
    const offSchema = examplesOffSchema(doc);
    for (const p of offSchema) console.error(`EXAMPLE NOT A VALID ANSWER ${app} ${p.operation}: ${p.errors}`);
    failures += problems.length + offSchema.length;
  }
  if (failures) {
    console.error(`\n${failures} undocumented operation(s) or invalid example(s): give each controller method one @ApiContract({ summary, description, errors, example }) (libs/service-kit/src/lib/http/api-contract.ts) whose example is a real answer.`);
    return 1;
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
