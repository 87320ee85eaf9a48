import { Injectable } from '@nestjs/common';
import { ImportSources, type ImportResult, type ImportSource } from '@mlp/contracts';
import { isDependencyDown, PlatformError } from '@mlp/runtime';
import { asDependencyError, Database } from '@mlp/service-kit';
import { parse as parseCsv } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyLine } from '../warehouse/copy-text';
import { validateRecord } from './row-validation';

export type ImportFormat = 'csv' | 'ndjson';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const FLUSH_BYTES = 64 * 1024;

interface ImportRow {
  id: string;
  source: string;
  idempotency_key: string | null;
  status: string;
  rows_accepted: string;
  rows_rejected: string;
  started_at: Date;
  finished_at: Date | null;
}

/** Buffers COPY lines into ~64 KB writes and waits for the socket when PostgreSQL is slower than the client. */
class CopyWriter {
  private buffer: string[] = [];
  private size = 0;
  private failed?: Error;
  constructor(private readonly out: Writable) {
    // Keep a server-side COPY error (e.g. a refused value) until the next write instead of crashing.
    out.on('error', (err) => (this.failed ??= err));
  }
  async push(line: string): Promise<void> {
    if (this.failed) throw this.failed;
    this.buffer.push(line);
    this.size += line.length;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (this.failed) throw this.failed;
    // events.once rejects when 'error' fires while waiting, so a dying COPY cannot hang the upload.
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
  async end(): Promise<void> {
    await this.flush();
    if (this.failed) throw this.failed;
    const done = new Promise<void>((resolve, reject) => {
      this.out.once('finish', resolve);
      this.out.once('error', reject);
    });
    this.out.end();
    await done;
  }
}

/**
 * Streams a third-party file into `dwh.src_<source>` with COPY inside one transaction: good rows go
 * straight to the COPY stream, bad rows to a temporary file that is COPYed into
 * `dwh.import_rejected_rows` afterwards, so memory stays flat whatever the file size. The
 * Idempotency-Key row is inserted first in the same transaction: a concurrent duplicate waits on it
 * and then answers the committed result.
 */
@Injectable()
export class ImportRunner {
  constructor(private readonly db: Database) {}

  sourceOf(name: string): ImportSource {
    const spec = ImportSources.find((s) => s.name === name);
    if (!spec) throw PlatformError.notFound(`no import source ${name} (known: ${ImportSources.map((s) => s.name).join(', ')})`, 'UNKNOWN_SOURCE');
    if (!IDENT.test(`src_${spec.name}`) || !spec.columns.every((c) => IDENT.test(c.name))) throw new Error(`invalid source declaration ${spec.name}`);
    return spec;
  }

  async run(sourceName: string, format: ImportFormat, body: Readable, idempotencyKey: string | null): Promise<ImportResult> {
    const spec = this.sourceOf(sourceName);
    const qr = this.db.source.createQueryRunner();
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
        body.resume();
        const [prev] = await this.db.query<ImportRow>(`SELECT * FROM "dwh".imports WHERE source = $1 AND idempotency_key = $2`, [spec.name, idempotencyKey]);
        return { ...toApi(prev), replayed: true };
      }
      tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dwh-import-'));
      const counts = await this.copyRows(client, spec, id, format, body, path.join(tmpDir, 'rejected.copy'));
      const [row] = (
        await client.query(
          `UPDATE "dwh".imports SET status = 'completed', rows_accepted = $2, rows_rejected = $3, finished_at = clock_timestamp() WHERE id = $1 RETURNING *`,
          [id, counts.accepted, counts.rejected],
        )
      ).rows as ImportRow[];
      await client.query('COMMIT');
      return { ...toApi(row), replayed: false };
    } catch (err) {
      body.resume();
      if (client) await client.query('ROLLBACK').catch(() => undefined);
      if (err instanceof PlatformError || isDependencyDown(err)) throw asDependencyError(err);
      const code = (err as { code?: string }).code ?? '';
      if (/^CSV_/.test(code) || code === 'INVALID_OPENING_QUOTE') throw PlatformError.badRequest(`the CSV body is malformed: ${(err as Error).message}`, [], 'MALFORMED_CSV');
      if (code === '22P04' || code === '22P02' || code === '22007' || code === '22008' || code === '22003') {
        throw PlatformError.badRequest(`a value was refused by the warehouse: ${(err as Error).message}`, [], 'INVALID_VALUE');
      }
      if ((err as Error)?.message === 'aborted' || code === 'ECONNRESET') throw PlatformError.badRequest('the upload was interrupted', [], 'UPLOAD_ABORTED');
      throw err;
    } finally {
      if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
      await qr.release().catch(() => undefined);
    }
  }

  private async copyRows(client: PoolClient, spec: ImportSource, importId: string, format: ImportFormat, body: Readable, rejectedPath: string) {
    const names = spec.columns.map((c) => `"${c.name}"`).join(', ');
    const copy = client.query(copyFrom(`COPY "dwh"."src_${spec.name}" (import_id, row_number, ${names}) FROM STDIN`));
    const good = new CopyWriter(copy);
    const rejectedFile = fs.createWriteStream(rejectedPath);
    const bad = new CopyWriter(rejectedFile);
    let accepted = 0;
    let rejected = 0;
    let rowNumber = 0;
    const handle = async (record: Record<string, unknown> | undefined, raw: string, strict: boolean, parseError?: string) => {
      rowNumber++;
      const result = record ? validateRecord(spec.columns, record, strict) : { violations: [{ path: '$', code: 'MALFORMED_JSON', message: parseError ?? 'not a JSON object' }] };
      if ('values' in result) {
        accepted++;
        await good.push(copyLine([importId, rowNumber, ...result.values]));
      } else {
        rejected++;
        await bad.push(copyLine([importId, rowNumber, raw, JSON.stringify(result.violations)]));
      }
    };
    try {
      if (format === 'csv') {
        const parser = body.pipe(parseCsv({ columns: (header: string[]) => this.checkHeader(spec, header), bom: true, trim: true, skip_empty_lines: true, raw: true, relax_column_count: true }));
        body.on('error', (e) => parser.destroy(e));
        for await (const { record, raw } of parser as AsyncIterable<{ record: Record<string, string>; raw: string }>) {
          await handle(record, raw.replace(/\r?\n$/, ''), false);
        }
      } else {
        const lines = createInterface({ input: body, crlfDelay: Infinity });
        for await (const line of lines) {
          if (!line.trim()) continue;
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch (e) {
            await handle(undefined, line, true, (e as Error).message);
            continue;
          }
          const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
          await handle(isObject ? (value as Record<string, unknown>) : undefined, line, true);
        }
      }
      await good.end();
      await bad.end();
    } catch (err) {
      copy.destroy(err as Error);
      rejectedFile.destroy();
      // The COPY is aborted with CopyFail; wait for the server's answer before the caller rolls back.
      await once(copy, 'close').catch(() => undefined);
      throw err;
    }
    if (rejected) {
      await pipeline(fs.createReadStream(rejectedPath), client.query(copyFrom(`COPY "dwh".import_rejected_rows (import_id, row_number, raw, violations) FROM STDIN`)));
    }
    return { accepted, rejected };
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

function toApi(r: ImportRow): Omit<ImportResult, 'replayed'> {
  return {
    importId: r.id,
    source: r.source,
    status: 'completed',
    rowsAccepted: Number(r.rows_accepted),
    rowsRejected: Number(r.rows_rejected),
    idempotencyKey: r.idempotency_key,
    startedAt: new Date(r.started_at).toISOString(),
    finishedAt: new Date(r.finished_at ?? r.started_at).toISOString(),
  };
}
