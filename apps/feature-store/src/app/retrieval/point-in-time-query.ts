import { PlatformError } from '@mlp/runtime';
import { entityKeySql } from '../registry/entity-key';
import { quoteIdent } from '../registry/feature-ref';

/** An output column name: plain identifiers only (full feature names are `view__feature`). */
export function quoteAlias(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) {
    throw PlatformError.badRequest(`column name ${JSON.stringify(name)} is not allowed (lower-case identifier, at most 63 characters)`, [{ code: 'INVALID_COLUMN_NAME', message: name }], 'INVALID_COLUMN_NAME');
  }
  return `"${name}"`;
}

export interface PointInTimeView {
  /** Temporary table holding the projected source (entity_key, event_timestamp, _seq, features). */
  table: string;
  /** Join key columns of the rows table that address this view's entity. */
  joinKeys: string[];
  ttlSeconds: number;
  features: Array<{ name: string; outputName: string }>;
}

/**
 * The point-in-time join: for every row, per view, the latest source row of the same entity whose
 * event_timestamp is at or before the row's timestamp and no older than the view's ttl (age equal
 * to ttl still counts), ties won by the latest written (the greatest `_seq`, see `projectedSource`).
 * One LATERAL index probe per row and view over `(entity_key, event_timestamp DESC, _seq DESC)`;
 * the output keeps the rows' order. The source tables' `entity_key` has the "C" collation (byte
 * comparisons); the probe compares in it too so that index is usable.
 */
export function pointInTimeSelect(rowsTable: string, rowColumns: string[], views: PointInTimeView[]): string {
  const select = rowColumns.map((c) => `r.${quoteAlias(c)}`);
  const joins: string[] = [];
  views.forEach((v, i) => {
    if (!Number.isInteger(v.ttlSeconds) || v.ttlSeconds <= 0) throw new Error('ttl must be a positive integer');
    if (!/^fs_[a-z0-9_]+$/.test(v.table)) throw new Error(`bad temp table name ${v.table}`);
    const alias = `f${i}`;
    for (const f of v.features) select.push(`${alias}.${quoteIdent(f.name)} AS ${quoteAlias(f.outputName)}`);
    const cols = [...new Set(v.features.map((f) => `s.${quoteIdent(f.name)}`))].join(', ');
    joins.push(`LEFT JOIN LATERAL (
        SELECT ${cols} FROM ${v.table} s
         WHERE s.entity_key = (${entityKeySql('r', v.joinKeys)}) COLLATE "C"
           AND s.event_timestamp <= r.event_timestamp
           AND s.event_timestamp >= r.event_timestamp - interval '${v.ttlSeconds} seconds'
         ORDER BY s.event_timestamp DESC, s._seq DESC
         LIMIT 1) ${alias} ON true`);
  });
  if (!/^fs_[a-z0-9_]+$/.test(rowsTable)) throw new Error(`bad temp table name ${rowsTable}`);
  return `SELECT ${select.join(', ')} FROM ${rowsTable} r ${joins.join(' ')} ORDER BY r.__row_id`;
}

export function copyAsCsv(select: string): string {
  return `COPY (${select}) TO STDOUT WITH (FORMAT csv, HEADER true)`;
}
