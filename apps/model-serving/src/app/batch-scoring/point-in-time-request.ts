import type { FeatureStatus, HistoricalFeaturesRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import type { EntityKey, FeatureColumn } from '../entity-predictions/entity-features';
import type { FeatureValue } from '../inference/model-rows';

/**
 * The feature store's point-in-time retrieval for batch scoring, framework-free: the request (every
 * entity at the same `asOf`), and the NDJSON answer read back into one column per model input.
 */

/** Entities as `entity_rows` at `asOf`; `numericKeys` sends integer keys as numbers. */
export function pointInTimeRequest(
  selection: { feature_service: string } | { features: string[] },
  entities: readonly EntityKey[],
  asOf: string,
  numericKeys: boolean,
): HistoricalFeaturesRequest {
  const keys = Object.keys(entities[0] ?? {});
  const rows: Record<string, unknown[]> = { event_timestamp: entities.map(() => asOf) };
  for (const k of keys) rows[k] = entities.map((e) => (numericKeys ? Number(e[k]) : String(e[k])));
  return { ...selection, entity_rows: rows as HistoricalFeaturesRequest['entity_rows'], format: 'ndjson', full_feature_names: true };
}

/**
 * One column per name from an NDJSON training set (rows in entity order, then its `_metadata`
 * line): the value as of the time, PRESENT, or null and NOT_FOUND when the view had none within
 * its ttl. An answer of another shape is a 502 BAD_PEER_REPLY.
 */
export function pointInTimeColumns(ndjson: string, names: readonly string[], n: number): FeatureColumn[] {
  const bad = (why: string) => new PlatformError(502, 'BAD_PEER_REPLY', `feature-store answered a point-in-time set that ${why}`);
  const lines = ndjson.split('\n').filter((l) => l.trim() !== '');
  const rows: Array<Record<string, unknown>> = [];
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw bad('is not NDJSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('holds a line that is not an object');
    if (!('_metadata' in parsed)) rows.push(parsed as Record<string, unknown>);
  }
  if (rows.length !== n) throw bad(`has ${rows.length} rows for ${n} entities`);
  return names.map((name) => {
    if (rows.length && !(name in rows[0])) throw bad(`lacks the column ${name}`);
    const values: FeatureValue[] = rows.map((r) => r[name] as FeatureValue);
    if (values.some((v) => v !== null && typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')) throw bad(`holds a non-scalar ${name}`);
    const statuses: FeatureStatus[] = values.map((v) => (v === null ? 'NOT_FOUND' : 'PRESENT'));
    return { values, statuses };
  });
}
