import { Injectable } from '@nestjs/common';
import type { ImportResult, SourceDefinition } from '@mlp/contracts';
import { isDependencyDown, PlatformError } from '@mlp/runtime';
import { asDependencyError, Database } from '@mlp/service-kit';
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyLine, jsonbSafe, withoutNul } from '../warehouse/copy-text';
import { CsvRowSplitter, ImportFormatError, LineSplitter } from './row-splitters';
import { IDENTIFIER } from '../warehouse/identifiers';
import { WarehouseCatalog } from '../warehouse/warehouse-catalog';
import { RowEncoder, type ImportColumn, type RowViolation } from './row-validation';

export type ImportFormat = 'csv' | 'ndjson';


/** A declared source as an import reads it: primary key columns must hold a value. */
interface ImportSource {
  name: string;
  columns: ImportColumn[];
  primaryKey: string[];
}

interface ImportRow {
  id: string;
  source: string;
  idempotency_key: string | null;
  content_type: string;
  body_sha256: string | null;
  status: string;
  rows_accepted: string;
  rows_rejected: string;
  started_at: Date;
  finished_at: Date | null;
}

/**
 * Streams a third-party file into `dwh.src_<source>` (a source declared by a project's apply) with
 * COPY inside one transaction: good rows go
 * straight to the COPY stream, bad rows to a temporary file that is COPYed into
 * `dwh.import_rejected_rows` afterwards, so memory stays flat whatever the file size. The
 * Idempotency-Key row is inserted first in the same transaction: a concurrent duplicate waits on it
 * and then answers the committed result. A source with a primary key is COPYed into a staging
 * table first and merged: a later import's row replaces the stored row with the same key.
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly db: Database,
    private readonly catalog: WarehouseCatalog,
  ) {}

  /** The declared source (read at each import, so an apply is seen at once by every replica). */
  async sourceOf(name: string): Promise<ImportSource> {
    const def: SourceDefinition | null = IDENTIFIER.test(name) ? await this.catalog.source(name) : null;
    if (!def) throw PlatformError.notFound(`no import source ${name}: sources are declared by a project (POST /v1/warehouse/apply)`, 'UNKNOWN_SOURCE');
    if (!IDENTIFIER.test(`src_${def.name}`) || !def.columns.every((c) => IDENTIFIER.test(c.name))) throw new Error(`invalid source declaration ${def.name}`);
    const primaryKey = def.primary_key ?? [];
    return { name: def.name, primaryKey, columns: def.columns.map((c) => ({ ...c, required: c.required || primaryKey.includes(c.name) })) };
  }

  async run(sourceName: string, format: ImportFormat, body: Readable, idempotencyKey: string | null): Promise<ImportResult> {
    let spec: ImportSource;
    try {
      spec = await this.sourceOf(sourceName);
    } catch (err) {
      body.resume();
      throw asDependencyError(err);
    }
    const qr = this.db.source.createQueryRunner();
    const hash = createHash('sha256');
    let client: PoolClient | undefined;
    let tmpDir: string | undefined;
    try {
      await qr.connect();
      client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
      await client.query('BEGIN');
      // A large file legitimately takes longer than the service-wide statement timeout.
      await client.query('SET LOCAL statement_timeout = 0');
      const id = randomUUID();
      const inserted = await client.query(
        `INSERT INTO "dwh".imports (id, source, idempotency_key, content_type, status) VALUES ($1, $2, $3, $4, 'running')
         ON CONFLICT (source, idempotency_key) DO NOTHING RETURNING id`,
        [id, spec.name, idempotencyKey, format],
      );
      if (!inserted.rowCount) {
        await client.query('ROLLBACK');
        // The key was used: this body must be the one it imported (Stripe's rule), so read it to the end.
        for await (const chunk of body as AsyncIterable<Buffer>) hash.update(chunk);
        const [prev] = await this.db.query<ImportRow>(`SELECT * FROM "dwh".imports WHERE source = $1 AND idempotency_key = $2`, [spec.name, idempotencyKey]);
        const digest = hash.digest('hex');
        // Imports stored before bodies were hashed have no digest to compare with.
        if (prev.content_type !== format || (prev.body_sha256 !== null && prev.body_sha256 !== digest)) {
          throw PlatformError.conflict(
            `Idempotency-Key ${idempotencyKey} was already used for a different ${spec.name} upload (import ${prev.id}); use a new key for a new file`,
            [{ path: '$', code: 'IDEMPOTENCY_KEY_REUSED', message: `the body's sha256 is ${digest}, the key's import had ${prev.body_sha256} (${prev.content_type})` }],
            'IDEMPOTENCY_KEY_REUSED',
          );
        }
        return { ...toApi(prev), replayed: true };
      }
      tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dwh-import-'));
      const counts = await this.copyRows(client, spec, id, format, body, path.join(tmpDir, 'rejected.copy'), hash);
      const [row] = (
        await client.query(
          `UPDATE "dwh".imports SET status = 'completed', rows_accepted = $2, rows_rejected = $3, body_sha256 = $4, finished_at = clock_timestamp()
            WHERE id = $1 RETURNING *`,
          [id, counts.accepted, counts.rejected, hash.digest('hex')],
        )
      ).rows as ImportRow[];
      await client.query('COMMIT');
      return { ...toApi(row), replayed: false };
    } catch (err) {
      body.resume();
      if (client) await client.query('ROLLBACK').catch(() => undefined);
      if (err instanceof PlatformError || isDependencyDown(err)) throw asDependencyError(err);
      const code = (err as { code?: string }).code ?? '';
      if (err instanceof ImportFormatError) {
        throw PlatformError.badRequest(`the ${format === 'csv' ? 'CSV' : 'NDJSON'} body is malformed: ${err.message}`, [{ path: '$', code, message: err.message }], format === 'csv' ? 'MALFORMED_CSV' : 'MALFORMED_NDJSON');
      }
      if (code === '22P04' || code === '22P02' || code === '22007' || code === '22008' || code === '22003') {
        throw PlatformError.badRequest(`a value was refused by the warehouse: ${(err as Error).message}`, [], 'INVALID_VALUE');
      }
      if ((err as Error)?.message === 'aborted' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
        throw PlatformError.badRequest('the upload was interrupted', [], 'UPLOAD_ABORTED');
      }
      throw err;
    } finally {
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
      await qr.release().catch(() => undefined);
    }
  }

  /**
   * Reads the body chunk by chunk (the next chunk is read only after this one's rows are handed to
   * the COPY socket, so a slow database slows the upload instead of filling memory), hashes it, and
   * splits, validates and encodes each chunk's rows synchronously into one COPY write: no object
   * per row and no promise per row, only each good row's output text.
   */
  private async copyRows(client: PoolClient, spec: ImportSource, importId: string, format: ImportFormat, body: Readable, rejectedPath: string, hash: Hash) {
    const names = spec.columns.map((c) => `"${c.name}"`).join(', ');
    const target = spec.primaryKey.length ? 'pg_temp.import_stage' : `"dwh"."src_${spec.name}"`;
    if (spec.primaryKey.length) {
      await client.query(`CREATE TEMP TABLE import_stage (LIKE "dwh"."src_${spec.name}" INCLUDING DEFAULTS) ON COMMIT DROP`);
    }
    const copy = client.query(copyFrom(`COPY ${target} (import_id, row_number, ${names}) FROM STDIN`));
    const rejectedFile = fs.createWriteStream(rejectedPath);
    let failed: Error | undefined;
    // Keep a server-side COPY error (e.g. a refused value) until the next write instead of crashing.
    copy.on('error', (err) => (failed ??= err));
    rejectedFile.on('error', (err) => (failed ??= err));
    const encoder = new RowEncoder(spec.columns);
    const ordered: unknown[] = new Array(spec.columns.length);
    let good = '';
    let bad = '';
    let accepted = 0;
    let rejected = 0;
    let rowNumber = 0;
    const reject = (raw: string, violations: RowViolation[]) => {
      rejected++;
      // COPY text cannot carry U+0000: a rejected line keeps U+FFFD in its place.
      bad += copyLine([importId, rowNumber, withoutNul(raw), jsonbSafe(violations)]);
    };
    const encode = (raw: () => string, extra?: RowViolation[]) => {
      const line = encoder.encode(ordered, `${importId}\t${rowNumber}`);
      if (typeof line === 'string' && !extra?.length) {
        accepted++;
        good += line;
      } else {
        reject(raw(), [...(typeof line === 'string' ? [] : line), ...(extra ?? [])]);
      }
    };
    let splitter: CsvRowSplitter | LineSplitter;
    if (format === 'csv') {
      let positions: number[] = [];
      let width = 0;
      splitter = new CsvRowSplitter(
        (header) => {
          this.checkHeader(spec, header);
          width = header.length;
          positions = spec.columns.map((c) => header.indexOf(c.name));
        },
        (fields, count, text, start, end) => {
          rowNumber++;
          for (let i = 0; i < positions.length; i++) ordered[i] = positions[i] >= 0 && positions[i] < count ? fields[positions[i]] : undefined;
          const extra = count > width ? [{ path: '$', code: 'ADDITIONAL_PROPERTIES', message: `the row has ${count} fields, the header ${width}` }] : undefined;
          encode(() => text.slice(start, end), extra);
        },
      );
    } else {
      splitter = new LineSplitter((line) => {
        rowNumber++;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (e) {
          reject(line, [{ path: '$', code: 'MALFORMED_JSON', message: (e as Error).message }]);
          return;
        }
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          reject(line, [{ path: '$', code: 'MALFORMED_JSON', message: 'not a JSON object' }]);
          return;
        }
        const record = value as Record<string, unknown>;
        for (let i = 0; i < spec.columns.length; i++) ordered[i] = record[spec.columns[i].name];
        encode(() => line, encoder.extraKeys(record));
      });
    }
    const flush = async () => {
      if (failed) throw failed;
      const waits: Array<Promise<unknown>> = [];
      if (good) {
        if (!copy.write(good)) waits.push(once(copy, 'drain'));
        good = '';
      }
      if (bad) {
        if (!rejectedFile.write(bad)) waits.push(once(rejectedFile, 'drain'));
        bad = '';
      }
      // events.once rejects when 'error' fires while waiting, so a dying COPY cannot hang the upload.
      if (waits.length) await Promise.all(waits);
    };
    const decoder = new StringDecoder('utf8');
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        splitter.push(decoder.write(chunk));
        await flush();
      }
      splitter.push(decoder.end());
      splitter.end();
      await flush();
      await finish(copy);
      await finish(rejectedFile);
      if (failed) throw failed;
    } catch (err) {
      copy.destroy(err as Error);
      rejectedFile.destroy();
      // The COPY is aborted with CopyFail; wait for the server's answer before the caller rolls back.
      await once(copy, 'close').catch(() => undefined);
      throw err;
    }
    if (spec.primaryKey.length) await this.mergeByKey(client, spec);
    if (rejected) {
      await pipeline(fs.createReadStream(rejectedPath), client.query(copyFrom(`COPY "dwh".import_rejected_rows (import_id, row_number, raw, violations) FROM STDIN`)));
    }
    return { accepted, rejected };
  }

  /** The staged rows replace stored rows with the same key; within the file, the last row of a key wins. */
  private async mergeByKey(client: PoolClient, spec: ImportSource): Promise<void> {
    const key = spec.primaryKey.map((k) => `"${k}"`).join(', ');
    const cols = ['import_id', 'row_number', ...spec.columns.map((c) => c.name), 'loaded_at'].map((c) => `"${c}"`);
    const updates = cols.filter((c) => !spec.primaryKey.includes(c.slice(1, -1))).map((c) => `${c} = EXCLUDED.${c}`);
    await client.query(
      `INSERT INTO "dwh"."src_${spec.name}" (${cols.join(', ')})
       SELECT DISTINCT ON (${key}) ${cols.join(', ')} FROM pg_temp.import_stage ORDER BY ${key}, row_number DESC
       ON CONFLICT (${key}) DO UPDATE SET ${updates.join(', ')}`,
    );
  }

  private checkHeader(spec: ImportSource, header: string[]): string[] {
    const declared = spec.columns.map((c) => c.name);
    const unknown = header.filter((h) => !declared.includes(h));
    const missing = spec.columns.filter((c) => c.required && !header.includes(c.name)).map((c) => c.name);
    if (unknown.length || missing.length) {
      throw PlatformError.badRequest(
        `the CSV header does not match ${spec.name} (${declared.join(', ')})`,
        [...unknown.map((u) => ({ path: `$.${u}`, code: 'ADDITIONAL_PROPERTIES', message: 'is not a declared column' })), ...missing.map((m) => ({ path: `$.${m}`, code: 'REQUIRED_MISSING', message: 'column is missing' }))],
        'HEADER_MISMATCH',
      );
    }
    return header;
  }

  async get(id: string): Promise<ImportResult> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw PlatformError.badRequest('import id must be a UUID', [], 'INVALID_IMPORT_ID');
    const [row] = await this.db.query<ImportRow>(`SELECT * FROM "dwh".imports WHERE id = $1`, [id]);
    if (!row) throw PlatformError.notFound(`no import ${id}`, 'IMPORT_NOT_FOUND');
    return { ...toApi(row), replayed: false };
  }

  async rejectedRows(id: string, after: number, limit: number) {
    await this.get(id);
    const rows = await this.db.query<{ row_number: string; raw: string; violations: unknown }>(
      `SELECT row_number, raw, violations FROM "dwh".import_rejected_rows WHERE import_id = $1 AND row_number > $2 ORDER BY row_number LIMIT $3`,
      [id, after, limit + 1],
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ rowNumber: Number(r.row_number), raw: r.raw, violations: r.violations })),
      nextCursor: rows.length > limit ? String(page[page.length - 1].row_number) : null,
    };
  }
}

function finish(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
    stream.end();
  });
}

function toApi(r: ImportRow): Omit<ImportResult, 'replayed'> {
  return {
    importId: r.id,
    source: r.source,
    status: 'completed',
    rowsAccepted: Number(r.rows_accepted),
    rowsRejected: Number(r.rows_rejected),
    idempotencyKey: r.idempotency_key,
    bodySha256: r.body_sha256,
    startedAt: new Date(r.started_at).toISOString(),
    finishedAt: new Date(r.finished_at ?? r.started_at).toISOString(),
  };
}
