import type { FeatureStatus, OnlineFeaturesResponse } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import type { ResolvedFeatures } from '../registry/feature-registry.service';
import type { StoredValue } from './online-store';

export type EntityColumns = Record<string, Array<string | number>>;

/**
 * Checks entity columns against the resolved views: every join key present, none extra, equal
 * lengths, values of the entity's declared type. Returns the canonical (string) keys per join key.
 */
export function entityKeysOf(resolved: ResolvedFeatures, entities: EntityColumns): Map<string, string[]> {
  const needed = new Map<string, 'string' | 'int64'>();
  for (const v of resolved.views) needed.set(v.joinKey, v.keyType);
  const given = Object.keys(entities);
  const missing = [...needed.keys()].filter((k) => !given.includes(k));
  if (missing.length) throw PlatformError.badRequest(`missing join keys: ${missing.join(', ')}`, missing.map((m) => ({ code: 'MISSING_JOIN_KEY', message: m })), 'MISSING_JOIN_KEY');
  const extra = given.filter((k) => !needed.has(k));
  if (extra.length) throw PlatformError.badRequest(`unknown join keys: ${extra.join(', ')}`, extra.map((m) => ({ code: 'UNKNOWN_JOIN_KEY', message: m })), 'UNKNOWN_JOIN_KEY');
  const lengths = new Set(given.map((k) => entities[k].length));
  if (lengths.size > 1) throw PlatformError.badRequest('entity columns must have the same length', [], 'ENTITY_LENGTH_MISMATCH');
  const out = new Map<string, string[]>();
  for (const [key, type] of needed) {
    const values = entities[key];
    const wrong = values.findIndex((v) => (type === 'int64' ? typeof v !== 'number' || !Number.isSafeInteger(v) : typeof v !== 'string'));
    if (wrong >= 0) {
      throw PlatformError.badRequest(`join key ${key} takes ${type} values`, [{ path: `$.entities.${key}[${wrong}]`, code: 'WRONG_KEY_TYPE', message: `expected ${type}` }], 'WRONG_KEY_TYPE');
    }
    out.set(key, values.map(String));
  }
  return out;
}

/**
 * Feast's response shape: join key columns first, then one column per feature. A value older than
 * the view's ttl is not served: null with OUTSIDE_MAX_AGE (age exactly ttl is still PRESENT).
 */
export function assembleOnlineResponse(
  resolved: ResolvedFeatures,
  entities: EntityColumns,
  stored: Map<string, Array<StoredValue | null>>,
  now: Date,
): OnlineFeaturesResponse {
  const joinKeys = Object.keys(entities);
  const rows = entities[joinKeys[0]].length;
  const results: OnlineFeaturesResponse['results'] = joinKeys.map((k) => ({
    values: entities[k],
    statuses: Array<FeatureStatus>(rows).fill('PRESENT'),
    event_timestamps: Array<string | null>(rows).fill(null),
  }));
  const columns = new Map<string, OnlineFeaturesResponse['results'][number]>();
  for (const view of resolved.views) {
    const values = stored.get(view.viewKey) ?? [];
    const ttlMs = view.spec.ttl_seconds * 1000;
    for (const f of view.features) {
      const col: OnlineFeaturesResponse['results'][number] = { values: [], statuses: [], event_timestamps: [] };
      for (let i = 0; i < rows; i++) {
        const hit = values[i];
        if (!hit) {
          col.values.push(null);
          col.statuses.push('NOT_FOUND');
          col.event_timestamps.push(null);
          continue;
        }
        const fresh = now.getTime() - hit.eventTimestamp.getTime() <= ttlMs;
        const value = hit.values[f.name];
        col.values.push(fresh ? ((value ?? null) as string | number | boolean | null) : null);
        col.statuses.push(fresh ? 'PRESENT' : 'OUTSIDE_MAX_AGE');
        col.event_timestamps.push(hit.eventTimestamp.toISOString());
      }
      columns.set(f.outputName, col);
    }
  }
  for (const name of resolved.featureNames) results.push(columns.get(name)!);
  return { metadata: { feature_names: [...joinKeys, ...resolved.featureNames] }, results };
}
