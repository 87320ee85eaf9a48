import type { FeatureStatus, OnlineFeaturesResponse } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import type { ResolvedFeatures } from '../registry/feature-registry.service';
import type { StoredValue } from './online-store';
import { encodeEntityKey } from '../registry/entity-key';
import { formatInstant } from '../time/event-time';

export type EntityColumns = Record<string, Array<string | number>>;

/** Views addressed by the same join keys share their encoded entity keys; this names that group. */
export const keySignature = (joinKeys: string[]) => joinKeys.join(',');

/**
 * Checks entity columns against the resolved views: every join key present, none extra, equal
 * lengths, values of the entity's declared type. Returns the encoded entity keys (see
 * `encodeEntityKey`) per key signature (`keySignature` of a view's join keys).
 */
export function entityKeysOf(resolved: ResolvedFeatures, entities: EntityColumns): Map<string, string[]> {
  const needed = new Map<string, 'string' | 'int64'>();
  const signatures = new Map<string, string[]>();
  for (const v of resolved.views) {
    for (const k of v.joinKeys) needed.set(k, v.keyType);
    signatures.set(keySignature(v.joinKeys), v.joinKeys);
  }
  const given = Object.keys(entities);
  const missing = [...needed.keys()].filter((k) => !(k in entities));
  if (missing.length) throw PlatformError.badRequest(`missing join keys: ${missing.join(', ')}`, missing.map((m) => ({ code: 'MISSING_JOIN_KEY', message: m })), 'MISSING_JOIN_KEY');
  const extra = given.filter((k) => !needed.has(k));
  if (extra.length) throw PlatformError.badRequest(`unknown join keys: ${extra.join(', ')}`, extra.map((m) => ({ code: 'UNKNOWN_JOIN_KEY', message: m })), 'UNKNOWN_JOIN_KEY');
  const rows = entities[given[0]].length;
  const unequal = given.filter((k) => entities[k].length !== rows);
  if (unequal.length) {
    throw PlatformError.badRequest(
      'entity columns must have the same length',
      given.map((k) => ({ path: `$.entities.${k}`, code: 'ENTITY_LENGTH_MISMATCH', message: `${entities[k].length} values` })),
      'ENTITY_LENGTH_MISMATCH',
    );
  }
  for (const [key, type] of needed) {
    const values = entities[key];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (type === 'int64' ? typeof v !== 'number' || !Number.isSafeInteger(v) : typeof v !== 'string') {
        throw PlatformError.badRequest(`join key ${key} takes ${type} values`, [{ path: `$.entities.${key}[${i}]`, code: 'WRONG_KEY_TYPE', message: `expected ${type}` }], 'WRONG_KEY_TYPE');
      }
    }
  }
  const out = new Map<string, string[]>();
  for (const [signature, keys] of signatures) {
    const columns = keys.map((k) => entities[k]);
    const encoded = new Array<string>(rows);
    for (let i = 0; i < rows; i++) encoded[i] = columns.length === 1 ? String(columns[0][i]) : encodeEntityKey(columns.map((c) => c[i]));
    out.set(signature, encoded);
  }
  return out;
}

/**
 * A stored value's freshness, status and timestamp text (age exactly ttl is still PRESENT; the
 * clock has milliseconds, and microseconds within the stored millisecond only make it younger).
 */
function rowState(hit: StoredValue | null | undefined, nowMs: number, ttlMs: number): { fresh: boolean; status: FeatureStatus; stamp: string | null } {
  if (!hit) return { fresh: false, status: 'NOT_FOUND', stamp: null };
  const fresh = nowMs - hit.at.ms <= ttlMs;
  return { fresh, status: fresh ? 'PRESENT' : 'OUTSIDE_MAX_AGE', stamp: formatInstant(hit.at) };
}

/** Per entity row of one view, once for all of its features: freshness, status and timestamp text. */
function viewRows(values: Array<StoredValue | null>, rows: number, nowMs: number, ttlMs: number) {
  const fresh = new Array<boolean>(rows);
  const statuses = new Array<FeatureStatus>(rows);
  const stamps = new Array<string | null>(rows);
  for (let i = 0; i < rows; i++) {
    const state = rowState(values[i], nowMs, ttlMs);
    fresh[i] = state.fresh;
    statuses[i] = state.status;
    stamps[i] = state.stamp;
  }
  return { fresh, statuses, stamps };
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
  const nowMs = now.getTime();
  for (const view of resolved.views) {
    const values = stored.get(view.viewKey) ?? [];
    const { fresh, statuses, stamps } = viewRows(values, rows, nowMs, view.spec.ttl_seconds * 1000);
    for (const f of view.features) {
      const col: OnlineFeaturesResponse['results'][number] = { values: new Array(rows), statuses: statuses.slice(), event_timestamps: stamps.slice() };
      for (let i = 0; i < rows; i++) {
        const hit = values[i];
        col.values[i] = fresh[i] && hit ? ((hit.values[f.name] ?? null) as string | number | boolean | null) : null;
      }
      columns.set(f.outputName, col);
    }
  }
  for (const name of resolved.featureNames) results.push(columns.get(name)!);
  return { metadata: { feature_names: [...joinKeys, ...resolved.featureNames] }, results };
}

/**
 * The same answer as `JSON.stringify(assembleOnlineResponse(...))`, byte for byte, with less
 * work: the statuses and timestamps of a view are the same for all of its features, so their JSON
 * is written once per view and reused for every feature column instead of being copied into
 * per-feature arrays and serialised again; each column's values still go through `JSON.stringify`
 * (native number and string formatting).
 */
export function onlineResponseJson(
  resolved: ResolvedFeatures,
  entities: EntityColumns,
  stored: Map<string, Array<StoredValue | null>>,
  now: Date,
): string {
  const joinKeys = Object.keys(entities);
  const rows = entities[joinKeys[0]].length;
  if (rows === 1) return oneEntityJson(resolved, joinKeys, entities, stored, now.getTime());
  const columns = new Map<string, string>();
  const nowMs = now.getTime();
  for (const view of resolved.views) {
    const values = stored.get(view.viewKey) ?? [];
    const { fresh, statuses, stamps } = viewRows(values, rows, nowMs, view.spec.ttl_seconds * 1000);
    const tail = `,"statuses":${JSON.stringify(statuses)},"event_timestamps":${JSON.stringify(stamps)}}`;
    for (const f of view.features) {
      const col = new Array<unknown>(rows);
      for (let i = 0; i < rows; i++) {
        const hit = values[i];
        col[i] = fresh[i] && hit ? (hit.values[f.name] ?? null) : null;
      }
      columns.set(f.outputName, `{"values":${JSON.stringify(col)}${tail}`);
    }
  }
  const parts: string[] = [];
  if (joinKeys.length) {
    const keyTail = `,"statuses":${JSON.stringify(new Array<string>(rows).fill('PRESENT'))},"event_timestamps":${JSON.stringify(new Array<null>(rows).fill(null))}}`;
    for (const k of joinKeys) parts.push(`{"values":${JSON.stringify(entities[k])}${keyTail}`);
  }
  for (const name of resolved.featureNames) parts.push(columns.get(name) ?? 'null');
  return `{"metadata":{"feature_names":${JSON.stringify([...joinKeys, ...resolved.featureNames])}},"results":[${parts.join(',')}]}`;
}

/** One value as `JSON.stringify` writes it inside an array (undefined and non-finite numbers as null). */
function valueJson(v: unknown): string {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    default:
      return v === null || v === undefined ? 'null' : (JSON.stringify(v) ?? 'null');
  }
}

/**
 * `onlineResponseJson` for the most common request, one entity: the same bytes, written straight
 * into one string (no per-view arrays, one `JSON.stringify` per string value instead of three per
 * feature column).
 */
function oneEntityJson(resolved: ResolvedFeatures, joinKeys: string[], entities: EntityColumns, stored: Map<string, Array<StoredValue | null>>, nowMs: number): string {
  const columns = new Map<string, string>();
  for (const view of resolved.views) {
    const hit = stored.get(view.viewKey)?.[0];
    const { fresh, status, stamp } = rowState(hit, nowMs, view.spec.ttl_seconds * 1000);
    const tail = `],"statuses":["${status}"],"event_timestamps":[${stamp === null ? 'null' : `"${stamp}"`}]}`;
    for (const f of view.features) columns.set(f.outputName, `{"values":[${fresh && hit ? valueJson(hit.values[f.name] ?? null) : 'null'}${tail}`);
  }
  let json = `{"metadata":{"feature_names":${JSON.stringify([...joinKeys, ...resolved.featureNames])}},"results":[`;
  let first = true;
  for (const k of joinKeys) {
    json += `${first ? '' : ','}{"values":[${valueJson(entities[k][0])}],"statuses":["PRESENT"],"event_timestamps":[null]}`;
    first = false;
  }
  for (const name of resolved.featureNames) {
    json += `${first ? '' : ','}${columns.get(name) ?? 'null'}`;
    first = false;
  }
  return `${json}]}`;
}
