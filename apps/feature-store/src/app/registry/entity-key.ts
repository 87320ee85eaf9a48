import type { EntityDefinition } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { quoteIdent } from './feature-ref';

/** The join keys of an entity: `join_keys` (composite) or the single `join_key`. */
export function entityJoinKeys(entity: EntityDefinition): string[] {
  if (entity.join_keys?.length) return entity.join_keys;
  if (entity.join_key) return [entity.join_key];
  return [];
}

/** Refuses an entity with neither or both of `join_key` / `join_keys`, or reserved key names. */
export function checkEntityDefinition(entity: EntityDefinition): void {
  const bad = (message: string) => PlatformError.badRequest(`entity ${entity.name}: ${message}`, [{ code: 'INVALID_ENTITY', message }], 'INVALID_ENTITY');
  if (entity.join_key !== undefined && entity.join_keys !== undefined) throw bad('give either join_key or join_keys, not both');
  const keys = entityJoinKeys(entity);
  if (keys.length === 0) throw bad('join_key or join_keys is required');
  if (new Set(keys).size !== keys.length) throw bad('join_keys must be distinct');
  if (keys.includes('event_timestamp')) throw bad('event_timestamp cannot be a join key');
}

/**
 * The canonical online/offline key of one entity row. A single key is its value as text (as
 * PostgreSQL prints it); a composite key is length-prefixed (`<utf-8 bytes>:<value>` per key), so
 * no two different tuples encode alike (`["a:b", "c"]` vs `["a", "b:c"]`).
 * Must match `entityKeySql` byte for byte.
 */
export function encodeEntityKey(values: ReadonlyArray<string | number>): string {
  if (values.length === 1) return String(values[0]);
  let out = '';
  for (const v of values) {
    const s = String(v);
    out += `${Buffer.byteLength(s, 'utf8')}:${s}`;
  }
  return out;
}

/** The SQL expression of `encodeEntityKey` over the join key columns of `alias`. */
export function entityKeySql(alias: string, keys: string[]): string {
  if (!/^[a-z][a-z0-9_]*$/.test(alias)) throw new Error(`bad alias ${alias}`);
  if (keys.length === 0) throw new Error('an entity key needs at least one join key');
  if (keys.length === 1) return `(${alias}.${quoteIdent(keys[0])})::text`;
  return keys.map((k) => `octet_length((${alias}.${quoteIdent(k)})::text)::text || ':' || (${alias}.${quoteIdent(k)})::text`).join(' || ');
}
