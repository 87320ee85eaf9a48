import { Inject, Injectable } from '@nestjs/common';
import type { HistoricalFeaturesRequest } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { SessionPool } from '../database/session-pool';
import { quoteIdent } from '../registry/feature-ref';
import { FeatureRegistry, type ResolvedFeatures } from '../registry/feature-registry.service';
import { checkSourceSqlText, LABEL_RELATION, projectedSource, relationsOfPlan, TEXT_OIDS, TIMESTAMP_OIDS } from '../registry/source-sql';
import { checkContractTimestamps, checkTimestamp, compareInstants } from '../time/event-time';
import { copyAsText, jsonKindOf, NdjsonFromCopyText, type JsonColumn } from './ndjson-from-copy';
import { copyAsCsv, pointInTimeSelect, quoteAlias } from './point-in-time-query';

export interface TrainingSetStream {
  contentType: string;
  format: 'ndjson' | 'csv';
  rows: number;
  columns: string[];
  /** `view@vN` of every view version the set was joined from. */
  viewVersions: string[];
  body: Readable;
  /** Resolves once the body has been fully produced. */
  fingerprint: Promise<string>;
}

const ROWS = 'fs_rows';
/** Built-in types without a btree ordering (json, xml, geometric types and their arrays). */
const UNORDERED_TYPE_OIDS = new Set([114, 199, 142, 143, 600, 1017, 601, 1018, 602, 1019, 603, 1020, 604, 1027, 628, 629, 718, 719]);

interface LabelColumns {
  names: string[];
  /** ORDER BY terms over the label query's alias `l` that number its rows deterministically. */
  order: string[];
}

/**
 * Point-in-time training sets, computed inside PostgreSQL on one session: entity rows (or a label
 * query's rows) and each view's projected source go into temporary tables (sources bounded to the
 * rows' time range minus ttl) in a READ ONLY transaction (the only place source and label SQL run),
 * the sources are indexed in bulk afterwards, then one LATERAL join over the temporary tables is
 * COPYed out as it is produced, so the service's memory does not grow with the size of the set.
 */
@Injectable()
export class HistoricalFeaturesService {
  constructor(
    private readonly registry: FeatureRegistry,
    private readonly sessions: SessionPool,
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  async trainingSet(req: HistoricalFeaturesRequest): Promise<TrainingSetStream> {
    const resolved = await this.registry.resolve({ feature_service: req.feature_service, features: req.features, full_feature_names: req.full_feature_names });
    if (!!req.entity_rows === !!req.label_source) throw PlatformError.badRequest('give either entity_rows or label_source', [], 'ROWS_REQUIRED');
    const joinKeys = new Map<string, 'string' | 'int64'>();
    for (const v of resolved.views) for (const k of v.joinKeys) joinKeys.set(k, v.keyType);
    const entityRows = req.entity_rows ? this.checkEntityRows(req.entity_rows as Record<string, unknown[]>, joinKeys) : undefined;
    if (req.label_source) {
      checkSourceSqlText(req.label_source.sql, 'label source SQL');
      const start = checkTimestamp(req.label_source.start, '$.label_source.start');
      const end = checkTimestamp(req.label_source.end, '$.label_source.end');
      if (compareInstants(start, end) >= 0) throw PlatformError.badRequest('label_source.start must be before end', [], 'INVALID_TIME_RANGE');
    }
    for (const v of resolved.views) await this.registry.ensureSourceReady(v);

    const client = await this.sessions.connect();
    try {
      await client.query(`SET statement_timeout = ${Number(this.config.env['HISTORICAL_STATEMENT_TIMEOUT_MS'] ?? 600000)}`);
      // One big nested loop of index probes: JIT compilation and Memoize (every probe key is
      // distinct) only cost time here; the final sort by row order fits in memory more often.
      await client.query(`SET jit = off`);
      await client.query(`SET enable_memoize = off`);
      await client.query(`SET work_mem = '64MB'`);
      // The bulk index builds below sort a million keys; at PostgreSQL's 64MB default they spill to
      // disk (about 0.3-0.5 s of a 1M-row set measured). DISCARD ALL resets it with the session.
      const sortMemoryMb = Number(this.config.env['HISTORICAL_INDEX_MEMORY_MB'] ?? 256);
      await client.query(`SET maintenance_work_mem = '${sortMemoryMb}MB'`);
      const label = req.label_source ? await this.prepareLabelRows(client, req.label_source.sql, joinKeys) : undefined;
      const rowColumns = label ? label.names : await this.prepareEntityRows(client, joinKeys);
      const clash = resolved.featureNames.filter((f) => rowColumns.includes(f));
      if (clash.length) throw PlatformError.badRequest(`feature names clash with row columns: ${clash.join(', ')}; use full_feature_names`, [], 'DUPLICATE_FEATURE_NAME');
      const tables = await this.prepareSources(client, resolved);

      await client.query('BEGIN READ ONLY');
      // Numbering label rows sorts them all; in memory that is ~0.3 s faster for a million (reset at COMMIT).
      await client.query(`SET LOCAL work_mem = '${sortMemoryMb}MB'`);
      if (req.label_source && label) await this.insertLabelRows(client, req.label_source, label);
      else if (entityRows) await this.insertEntityRows(client, entityRows, joinKeys);
      // The rows' time range bounds what is read of each source. It comes back as PostgreSQL's text
      // and goes in again as a parameter, exact to the microsecond (a Date would drop the last three
      // digits, and with them the source rows in the latest row's last partial millisecond).
      const [bounds] = (await client.query(`SELECT min(event_timestamp)::text AS lo, max(event_timestamp)::text AS hi, count(*)::int AS n FROM ${ROWS}`)).rows as Array<{ lo: string | null; hi: string | null; n: number }>;
      for (const [i, v] of resolved.views.entries()) {
        if (bounds.n === 0) break;
        await client.query(
          `INSERT INTO ${tables[i]} SELECT * FROM (${projectedSource(this.db.schema, v.spec, v.version, v.joinKeys)}) p
            WHERE p.event_timestamp <= $1::timestamptz AND p.event_timestamp >= $2::timestamptz - make_interval(secs => $3)`,
          [bounds.hi, bounds.lo, v.spec.ttl_seconds],
        );
      }
      // Only the inserts above run source or label SQL; they are done, so the transaction ends and
      // the indexes are built in bulk after the load (far cheaper than maintaining them row by row).
      await client.query('COMMIT');
      // Statistics only of the columns the join's plan depends on (the probe's key and the row
      // order's correlation); the feature and label columns' statistics would never be used.
      for (const t of tables) {
        await client.query(`CREATE INDEX ON ${t} (entity_key, event_timestamp DESC, _seq DESC)`);
        await client.query(`ANALYZE ${t} (entity_key, event_timestamp)`);
      }
      // Rows are stored in __row_id order: with this index the output needs no sort of its wide rows.
      await client.query(`CREATE INDEX ON ${ROWS} (__row_id)`);
      await client.query(`ANALYZE ${ROWS} (__row_id, event_timestamp)`);
      const select = pointInTimeSelect(
        ROWS,
        rowColumns,
        resolved.views.map((v, i) => ({ table: tables[i], joinKeys: v.joinKeys, ttlSeconds: v.spec.ttl_seconds, features: v.features })),
      );
      const format = req.format ?? 'ndjson';
      const columns = [...rowColumns, ...resolved.featureNames];
      if (format === 'csv') return this.wrap(client, client.query(copyTo(copyAsCsv(select))), format, bounds.n, columns, resolved);
      // NDJSON: the join's values come as COPY text and are formatted here, on the service's core,
      // while the backend goes on joining (the column types come from planning the query alone).
      const { fields } = await client.query(`${select} LIMIT 0`);
      const jsonColumns: JsonColumn[] = fields.map((f) => ({ name: f.name, kind: jsonKindOf(f.dataTypeID) }));
      const copy = client.query(copyTo(copyAsText(select, jsonColumns)));
      return this.wrap(client, copy, format, bounds.n, columns, resolved, new NdjsonFromCopyText(jsonColumns));
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      throw mapSqlError(err);
    }
  }

  private checkEntityRows(rows: Record<string, unknown[]>, joinKeys: Map<string, 'string' | 'int64'>): Record<string, unknown[]> {
    const n = rows['event_timestamp'].length;
    const keys = Object.keys(rows).filter((k) => k !== 'event_timestamp');
    const missing = [...joinKeys.keys()].filter((k) => !keys.includes(k));
    if (missing.length) throw PlatformError.badRequest(`entity_rows lacks join keys ${missing.join(', ')}`, missing.map((m) => ({ code: 'MISSING_JOIN_KEY', message: m })), 'MISSING_JOIN_KEY');
    const extra = keys.filter((k) => !joinKeys.has(k));
    if (extra.length) throw PlatformError.badRequest(`entity_rows has unknown columns ${extra.join(', ')}`, extra.map((m) => ({ code: 'UNKNOWN_JOIN_KEY', message: m })), 'UNKNOWN_JOIN_KEY');
    // Timestamps go to PostgreSQL as the text given; what it would round or refuse is a 400 here.
    checkContractTimestamps(rows['event_timestamp'], '$.entity_rows.event_timestamp');
    for (const [k, type] of joinKeys) {
      if (rows[k].length !== n) throw PlatformError.badRequest('entity_rows columns must have the same length', [], 'ENTITY_LENGTH_MISMATCH');
      const wrong = rows[k].findIndex((v) => (type === 'int64' ? typeof v !== 'number' || !Number.isSafeInteger(v) : typeof v !== 'string'));
      if (wrong >= 0) throw PlatformError.badRequest(`join key ${k} takes ${type} values`, [{ path: `$.entity_rows.${k}[${wrong}]`, code: 'WRONG_KEY_TYPE', message: `expected ${type}` }], 'WRONG_KEY_TYPE');
    }
    return rows;
  }

  private async prepareEntityRows(client: PoolClient, joinKeys: Map<string, 'string' | 'int64'>): Promise<string[]> {
    const cols = [...joinKeys].map(([k, t]) => `${quoteIdent(k)} ${t === 'int64' ? 'bigint' : 'text'}`);
    await client.query(`CREATE TEMP TABLE ${ROWS} (__row_id bigint, ${cols.join(', ')}, event_timestamp timestamptz)`);
    return [...joinKeys.keys(), 'event_timestamp'];
  }

  private async insertEntityRows(client: PoolClient, rows: Record<string, unknown[]>, joinKeys: Map<string, 'string' | 'int64'>): Promise<void> {
    const keys = [...joinKeys];
    const arrays = keys.map(([, t], i) => `$${i + 1}::${t === 'int64' ? 'bigint' : 'text'}[]`);
    const names = keys.map((_, i) => `k${i}`);
    await client.query(
      `INSERT INTO ${ROWS} SELECT u.ord, ${names.map((n) => `u.${n}`).join(', ')}, u.ts
         FROM unnest(${arrays.join(', ')}, $${keys.length + 1}::timestamptz[]) WITH ORDINALITY AS u(${names.join(', ')}, ts, ord)`,
      [...keys.map(([k]) => rows[k]), rows['event_timestamp']],
    );
  }

  /** The label query's shape, checked without running it: relations, join keys, timestamp, column names. */
  private async prepareLabelRows(client: PoolClient, sql: string, joinKeys: Map<string, 'string' | 'int64'>): Promise<LabelColumns> {
    await client.query('BEGIN READ ONLY');
    let fields: Array<{ name: string; dataTypeID: number }>;
    try {
      fields = await this.labelFields(client, sql);
    } finally {
      await client.query('ROLLBACK');
    }
    return this.createLabelRows(client, sql, fields, joinKeys);
  }

  private async labelFields(client: PoolClient, sql: string): Promise<Array<{ name: string; dataTypeID: number }>> {
    try {
      const plan = await client.query(`EXPLAIN (VERBOSE, FORMAT JSON) SELECT * FROM (${sql}) l`);
      const foreign = relationsOfPlan(plan.rows[0]?.['QUERY PLAN']).filter((r) => !LABEL_RELATION(r));
      if (foreign.length) {
        throw PlatformError.badRequest(`label source reads relations outside dwh.mart_* and dwh.src_*: ${foreign.map((r) => `${r.schema}.${r.name}`).join(', ')}`, [], 'INVALID_LABEL_SOURCE');
      }
      return (await client.query(`SELECT * FROM (${sql}) l LIMIT 0`)).fields;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (/^(42|22|3F)/.test(code)) throw PlatformError.badRequest(`label source SQL was refused: ${(err as Error).message}`, [{ code: `SQLSTATE_${code}`, message: (err as Error).message }], 'INVALID_LABEL_SOURCE');
      throw err;
    }
  }

  private async createLabelRows(client: PoolClient, sql: string, fields: Array<{ name: string; dataTypeID: number }>, joinKeys: Map<string, 'string' | 'int64'>): Promise<LabelColumns> {
    const names = fields.map((f) => f.name);
    for (const n of names) quoteAlias(n);
    const missing = [...joinKeys.keys(), 'event_timestamp'].filter((k) => !names.includes(k));
    if (missing.length) throw PlatformError.badRequest(`label source lacks columns ${missing.join(', ')}`, missing.map((m) => ({ code: 'MISSING_COLUMN', message: m })), 'INVALID_LABEL_SOURCE');
    const types = new Map(fields.map((f) => [f.name, f.dataTypeID]));
    if (!TIMESTAMP_OIDS.includes(types.get('event_timestamp') ?? 0)) throw PlatformError.badRequest('label source event_timestamp must be a timestamp', [], 'INVALID_LABEL_SOURCE');
    const cols = names.map((n) => (n === 'event_timestamp' ? `(l.event_timestamp)::timestamptz AS event_timestamp` : `l.${quoteAlias(n)}`));
    await client.query(`CREATE TEMP TABLE ${ROWS} AS SELECT 0::bigint AS __row_id, ${cols.join(', ')} FROM (${sql}) l WITH NO DATA`);
    // Rows are numbered in the order of all their columns, so the set (and its fingerprint) does not
    // depend on how the label query happens to return them; types without a sort order compare as text.
    const order = ['event_timestamp', ...names.filter((n) => n !== 'event_timestamp')].map((n) => {
      const type = types.get(n) ?? 0;
      // Text compares bytewise ("C"): far cheaper than a locale's rules, and as deterministic.
      return UNORDERED_TYPE_OIDS.has(type) ? `l.${quoteAlias(n)}::text COLLATE "C"` : TEXT_OIDS.includes(type) ? `l.${quoteAlias(n)} COLLATE "C"` : `l.${quoteAlias(n)}`;
    });
    return { names, order };
  }

  private async insertLabelRows(client: PoolClient, label: NonNullable<HistoricalFeaturesRequest['label_source']>, columns: LabelColumns): Promise<void> {
    const cols = columns.names.map((n) => (n === 'event_timestamp' ? `(l.event_timestamp)::timestamptz` : `l.${quoteAlias(n)}`));
    await client.query(
      `INSERT INTO ${ROWS} SELECT row_number() OVER (ORDER BY ${columns.order.join(', ')}), ${cols.join(', ')} FROM (${label.sql}) l
        WHERE l.event_timestamp >= $1 AND l.event_timestamp < $2`,
      [label.start, label.end],
    );
  }

  private async prepareSources(client: PoolClient, resolved: ResolvedFeatures): Promise<string[]> {
    const tables: string[] = [];
    for (const [i, v] of resolved.views.entries()) {
      const table = `fs_src_${i}`;
      await client.query(`CREATE TEMP TABLE ${table} AS SELECT * FROM (${projectedSource(this.db.schema, v.spec, v.version, v.joinKeys)}) p WITH NO DATA`);
      // Entity keys are only ever compared for equality (a byte comparison under any deterministic
      // collation): with the "C" collation the bulk index build and the million probes compare bytes
      // instead of calling the locale's strcoll (the table is empty, so this rewrites nothing).
      await client.query(`ALTER TABLE ${table} ALTER COLUMN entity_key TYPE text COLLATE "C"`);
      tables.push(table);
    }
    return tables;
  }

  private wrap(client: PoolClient, copy: Readable, format: 'ndjson' | 'csv', rows: number, columns: string[], resolved: ResolvedFeatures, formatter?: Transform): TrainingSetStream {
    const features = resolved.featureNames;
    // The exact version of every feature column: what a model trained on this set must be served.
    const featureRefs = resolved.resolvedRefs;
    const hash = createHash('sha256');
    let resolveFp!: (fp: string) => void;
    let rejectFp!: (err: unknown) => void;
    const fingerprint = new Promise<string>((res, rej) => {
      resolveFp = res;
      rejectFp = rej;
    });
    fingerprint.catch(() => undefined);
    // The session may take its next command only after the server's ReadyForQuery that follows the
    // COPY; pg signals it to the active query object, which is the copy stream itself.
    const readyForQuery = new Promise<void>((resolve) => {
      (copy as unknown as { handleReadyForQuery: () => void }).handleReadyForQuery = () => resolve();
    });
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      if (err) {
        client.release(err);
        return;
      }
      // Temp tables and session settings go with DISCARD ALL so the pooled session is clean for the next request.
      readyForQuery
        .then(() => client.query('DISCARD ALL'))
        .then(() => client.release())
        .catch((e: Error) => client.release(e));
    };
    const body = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        const fp = `sha256:${hash.digest('hex')}`;
        resolveFp(fp);
        if (format === 'ndjson') {
          done(null, `${JSON.stringify({ _metadata: { rows, columns, features, feature_refs: featureRefs, fingerprint: fp, created_at: new Date().toISOString() } })}\n`);
        } else done();
      },
    });
    const fail = (err: Error) => {
      this.log.warn({ err: String(err) }, 'training set stream failed');
      rejectFp(err);
      body.destroy(err);
      release(err);
    };
    copy.on('error', fail);
    formatter?.on('error', fail);
    copy.on('end', () => release());
    body.on('close', () => {
      // The client went away before the end: stop the COPY by dropping the connection.
      if (!released && !copy.readableEnded) release(new Error('client closed the training set stream'));
    });
    if (formatter) copy.pipe(formatter).pipe(body);
    else copy.pipe(body);
    const viewVersions = resolved.views.map((v) => v.viewKey);
    return { contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson', format, rows, columns, viewVersions, body, fingerprint };
  }
}

/** SQL errors caused by the request (bad label SQL, types) are 400s; a missing mart is a 409. */
function mapSqlError(err: unknown): unknown {
  if (err instanceof PlatformError) return err;
  const code = (err as { code?: string })?.code ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (code === '42P01' || code === '3F000') return PlatformError.conflict(`a source relation does not exist: ${message}`, [{ code: 'SOURCE_MISSING', message }], 'SOURCE_MISSING');
  if (/^(42|22)/.test(code)) return PlatformError.badRequest(`the query was refused: ${message}`, [{ code: `SQLSTATE_${code}`, message }], 'INVALID_QUERY');
  if (code === '25006') return PlatformError.badRequest('source or label SQL must only read', [{ code: 'READ_ONLY', message }], 'INVALID_QUERY');
  return err;
}
