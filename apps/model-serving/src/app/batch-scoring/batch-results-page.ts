import { PlatformError } from '@mlp/runtime';

/** Paging of a job's results, framework-free: the limit, and the cursor (the last entity key of a page, opaque to clients). */

export const DEFAULT_RESULTS_LIMIT = 100;
export const MAX_RESULTS_LIMIT = 1000;

/** `limit` of the query: 1..1000, 100 when absent; 400 INVALID_LIMIT otherwise. */
export function resultsLimit(limit: string | undefined): number {
  if (limit === undefined) return DEFAULT_RESULTS_LIMIT;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RESULTS_LIMIT) {
    throw PlatformError.badRequest(`limit must be 1..${MAX_RESULTS_LIMIT}`, [{ path: '$.limit', code: 'INVALID_LIMIT', message: limit }], 'INVALID_LIMIT');
  }
  return n;
}

export const encodeResultsCursor = (entityKey: string): string => Buffer.from(`k:${entityKey}`, 'utf8').toString('base64url');

/** The entity key a cursor continues after; 400 INVALID_CURSOR for anything `encodeResultsCursor` did not make. */
export function decodeResultsCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith('k:') || encodeResultsCursor(text.slice(2)) !== cursor) {
    throw PlatformError.badRequest('cursor is not a nextCursor of this route', [{ path: '$.cursor', code: 'INVALID_CURSOR', message: cursor }], 'INVALID_CURSOR');
  }
  return text.slice(2);
}
