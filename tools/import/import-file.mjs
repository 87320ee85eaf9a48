#!/usr/bin/env node
// Imports a CSV or NDJSON file into a dwh-ingest source, streamed (never read whole), with a
// progress bar on stderr and the import result as JSON on stdout.
//
//   node tools/import/import-file.mjs marketing_spend spend.csv [--url http://127.0.0.1:3001]
//        [--idempotency-key KEY] [--token TOKEN]
//
// The default Idempotency-Key is the SHA-256 of the source name and the file's bytes, so running
// the same command twice imports the file once. Exit code 0 on success, 1 on a refused import.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pathToFileURL } from 'node:url';

const TYPES = { '.csv': 'text/csv', '.ndjson': 'application/x-ndjson', '.jsonl': 'application/x-ndjson' };

export function contentTypeOf(file) {
  const type = TYPES[path.extname(file).toLowerCase()];
  if (!type) throw new Error(`cannot tell the format of ${file}: use .csv, .ndjson or .jsonl`);
  return type;
}

const mb = (n) => (n / 1024 / 1024).toFixed(1);

/** One line of progress: a 30-cell bar, percent, bytes and rate. */
export function formatProgress(sent, total, elapsedMs) {
  const ratio = total ? Math.min(1, sent / total) : 1;
  const cells = Math.round(ratio * 30);
  const rate = elapsedMs > 0 ? sent / (elapsedMs / 1000) : 0;
  return `[${'#'.repeat(cells)}${'-'.repeat(30 - cells)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${mb(sent)}/${mb(total)} MB  ${mb(rate)} MB/s`;
}

/** Redraws in place on a terminal; in a log, prints a line per 10% instead. */
export function progressReporter(stream, total, now = () => Date.now()) {
  const start = now();
  let lastDraw = 0;
  let lastDecile = -1;
  return {
    update(sent, final = false) {
      const t = now();
      if (stream.isTTY) {
        if (!final && t - lastDraw < 100) return;
        lastDraw = t;
        stream.write(`\r${formatProgress(sent, total, t - start)}${final ? '\n' : ''}`);
      } else {
        const decile = Math.floor((total ? sent / total : 1) * 10);
        if (decile === lastDecile && !final) return;
        if (final && decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${formatProgress(sent, total, t - start)}\n`);
      }
    },
  };
}

export async function fileDigest(source, file) {
  const hash = createHash('sha256').update(`${source}\n`);
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

export async function importFile({ url, source, file, idempotencyKey, token, progress = process.stderr }) {
  const total = fs.statSync(file).size;
  const key = idempotencyKey ?? `sha256-${await fileDigest(source, file)}`;
  const reporter = progressReporter(progress, total);
  let sent = 0;
  const counter = new Transform({
    transform(chunk, _enc, done) {
      sent += chunk.length;
      reporter.update(sent);
      done(null, chunk);
    },
  });
  const body = fs.createReadStream(file).pipe(counter);
  const res = await fetch(`${url.replace(/\/$/, '')}/v1/imports/${encodeURIComponent(source)}`, {
    method: 'POST',
    headers: {
      'content-type': contentTypeOf(file),
      'idempotency-key': key,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: Readable.toWeb(body),
    duplex: 'half',
  });
  reporter.update(sent, true);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: text };
  }
  return { status: res.status, ok: res.ok, body: json };
}

function parseArgs(argv) {
  const positional = [];
  const options = { url: process.env.DWH_INGEST_URL ?? 'http://127.0.0.1:3001', token: process.env.INGEST_TOKEN };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') options.url = argv[++i];
    else if (a === '--idempotency-key') options.idempotencyKey = argv[++i];
    else if (a === '--token') options.token = argv[++i];
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 2) throw new Error('usage: import-file.mjs <source> <file.csv|file.ndjson> [--url URL] [--idempotency-key KEY] [--token TOKEN]');
  return { ...options, source: positional[0], file: positional[1] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
    contentTypeOf(args.file);
    fs.accessSync(args.file, fs.constants.R_OK);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  try {
    const result = await importFile(args);
    process.stdout.write(`${JSON.stringify(result.body, null, 2)}\n`);
    if (!result.ok) process.stderr.write(`import refused: HTTP ${result.status} ${result.body.code ?? ''}\n`);
    if (result.body.code === 'IDEMPOTENCY_KEY_REUSED') process.stderr.write('the key already imported another file: drop --idempotency-key (the default is the file digest) or pick a new one\n');
    if (result.body.replayed) process.stderr.write(`already imported under this key (import ${result.body.importId}): nothing loaded again\n`);
    process.exit(result.ok ? 0 : 1);
  } catch (err) {
    process.stderr.write(`import failed: ${err.cause?.code ?? err.message}\n`);
    process.exit(1);
  }
}
