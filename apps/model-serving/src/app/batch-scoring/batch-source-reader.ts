import { Injectable } from '@nestjs/common';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import { entityQueryMistake, keysQuery, type BatchSource } from './batch-source';

/**
 * Reads a batch job's entity keys from the warehouse, a chunk at a time after a cursor, in a READ
 * ONLY transaction (under the statement timeout): a mart's key column, or the team's own SELECT.
 */
@Injectable()
export class BatchSourceReader {
  constructor(private readonly db: Database) {}

  /** The mart and key column must exist: identifiers are checked against the catalogue, an SQL source by a dry run. */
  async check(source: BatchSource): Promise<void> {
    if ('mart' in source) {
      const found = await this.db.query(
        `SELECT 1 FROM information_schema.columns WHERE table_schema = 'dwh' AND table_name = $1 AND column_name = $2`,
        [source.mart, source.key],
      );
      if (found.length === 0) throw PlatformError.badRequest(`dwh.${source.mart} has no column ${source.key}`, [{ path: '$.source', code: 'UNKNOWN_MART', message: `${source.mart}.${source.key}` }], 'UNKNOWN_MART');
      return;
    }
    await this.readKeys(source, null, 1);
  }

  /** Up to `limit` keys after `cursor`, in key order; a wrong query is a 400 INVALID_SQL. */
  async readKeys(source: BatchSource, cursor: string | null, limit: number): Promise<string[]> {
    const q = keysQuery(source, cursor, limit);
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query('SET TRANSACTION READ ONLY');
        const rows: Array<{ k: string }> = await tx.query(q.sql, q.params);
        return rows.map((r) => r.k);
      });
    } catch (err) {
      throw entityQueryMistake(err) ?? err;
    }
  }
}
