// `mlp import <source> <file>`: streams a CSV or NDJSON file into an import source. The
// Idempotency-Key defaults to the file's SHA-256, so running the same import twice loads it once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ProgressBar } from '../../demo/progress-bar.mjs';
import { usageError } from '../exit-codes.mjs';
import { table } from '../output.mjs';

export const IMPORT_FORMATS = Object.freeze({ csv: 'text/csv', ndjson: 'application/x-ndjson' });
const EXTENSIONS = { '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

export function importFormat(file, format) {
  if (format !== undefined) {
    if (!(format in IMPORT_FORMATS)) throw usageError(`--format ${format}: one of ${Object.keys(IMPORT_FORMATS).join(', ')}`);
    return format;
  }
  const f = EXTENSIONS[path.extname(file).toLowerCase()];
  if (!f) throw usageError(`cannot tell the format of ${file} from its extension (.csv, .ndjson, .jsonl): pass --format csv|ndjson`);
  return f;
}

export async function fileSha256(file) {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

export async function importCommand(ctx, source, fileArg, options) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(source)) throw usageError(`${source} is not a source name`);
  const file = path.resolve(ctx.io.cwd, fileArg);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw usageError(`${fileArg} is not a readable file`);
  const format = importFormat(file, options.format);
  const key = options.idempotencyKey ?? `sha256-${await fileSha256(file)}`;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) throw usageError('--idempotency-key must be 1-200 visible ASCII characters');
  const client = ctx.client('dwh');
  const total = fs.statSync(file).size;
  const bar = ctx.io.stderr.isTTY ? new ProgressBar(ctx.io.stderr, `import ${source}`) : null;
  const onProgress = bar ? ({ bytesSent }) => bar.update(total ? bytesSent / total : 1, `${(bytesSent / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MB`) : undefined;
  let result;
  try {
    result = await client.call((api, o) => api.imports.upload(source, fs.createReadStream(file), { ...o, format, idempotencyKey: key, onProgress }));
  } finally {
    if (bar) bar.done();
  }
  ctx.out.result(result);
  ctx.out.line(
    table(
      ['import', 'source', 'accepted', 'rejected', 'replayed'],
      [[result.importId, result.source, result.rowsAccepted, result.rowsRejected, result.replayed ? 'yes' : 'no']],
    ),
  );
  if (result.replayed) ctx.out.note(`already imported under this key (import ${result.importId}): nothing loaded again`);
  if (result.rowsRejected > 0) ctx.out.note(`${result.rowsRejected} row${result.rowsRejected === 1 ? '' : 's'} rejected: GET ${client.url}/v1/imports/runs/${result.importId}/rejected-rows lists them`);
  return 0;
}
