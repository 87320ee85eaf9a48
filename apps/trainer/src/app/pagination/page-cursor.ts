import { PlatformError } from '@mlp/runtime';

/**
 * Keyset cursors for the trainer's lists: the sort key of the last row a page answered, opaque to
 * clients (base64url of a small JSON array) so the key can change without breaking them. A page
 * continues strictly after that key, so rows added meanwhile never shift or repeat a page, and a
 * deep page costs an index seek, not an offset scan.
 */
export const PAGE_CURSOR_ERROR = 'INVALID_CURSOR';

export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key a cursor carries, checked against the list's shape; anything else is a 400 INVALID_CURSOR. */
export function decodeCursor<T extends Array<string | number>>(raw: string, check: (key: unknown[]) => key is T): T {
  let key: unknown;
  try {
    if (raw.length > 512 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    key = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || !check(key)) {
    throw PlatformError.badRequest('cursor is not one this list gave out (pass nextCursor as it came)', [{ path: 'cursor', code: PAGE_CURSOR_ERROR, message: raw.slice(0, 64) }], PAGE_CURSOR_ERROR);
  }
  return key;
}

/** `?limit=` of a list: an integer within 1..max, `fallback` when absent. */
export function pageLimit(raw: string | undefined, fallback: number, max: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!/^[0-9]+$/.test(raw ?? String(fallback)) || !Number.isInteger(n) || n < 1 || n > max) {
    throw PlatformError.badRequest(`limit must be an integer between 1 and ${max}`, [{ path: 'limit', code: 'OUT_OF_RANGE', message: String(raw) }]);
  }
  return n;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A run list's key: creation time in microseconds since the epoch (as text: beyond 2^53) and the run id. */
export const isRunKey = (key: unknown[]): key is [string, string] => key.length === 2 && typeof key[0] === 'string' && /^-?[0-9]{1,18}$/.test(key[0]) && typeof key[1] === 'string' && UUID.test(key[1]);

/** A version list's key: the version number. */
export const isVersionKey = (key: unknown[]): key is [number] => key.length === 1 && Number.isInteger(key[0]) && (key[0] as number) >= 1 && (key[0] as number) <= 2147483647;
