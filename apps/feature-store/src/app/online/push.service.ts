import { Injectable } from '@nestjs/common';
import type { FeatureViewDefinition, PushRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import { encodeEntityKey } from '../registry/entity-key';
import { FeatureRegistry } from '../registry/feature-registry.service';
import { checkTimestamp } from '../time/event-time';
import type { OnlineRow } from './online-store';
import { OnlineWriter } from './online-writer.service';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storableText = (s: string) => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

const TYPE_CHECK: Record<string, (v: unknown) => boolean> = {
  int64: (v) => typeof v === 'number' && Number.isSafeInteger(v),
  float64: (v) => typeof v === 'number' && Number.isFinite(v),
  // Text PostgreSQL can store (jsonb refuses U+0000) and UTF-8 can carry (no lone surrogates).
  string: (v) => typeof v === 'string' && storableText(v),
  bool: (v) => typeof v === 'boolean',
};

/** A checked pushed row; its write sequence number is drawn when it is stored. */
export type PushRow = Omit<OnlineRow, 'seq'>;

/**
 * Checks pushed rows against the view: join key of the entity's type, a timestamp (kept as the
 * text given, at most microsecond precision), every feature typed.
 */
export function checkPushRows(view: FeatureViewDefinition, joinKeys: string[], keyType: 'string' | 'int64', rows: PushRequest['rows']): PushRow[] {
  const allowed = new Set([...joinKeys, 'event_timestamp', ...view.features.map((f) => f.name)]);
  return rows.map((row, i) => {
    const fail = (code: string, message: string, field?: string) =>
      PlatformError.badRequest(message, [{ path: `$.rows[${i}]${field ? `.${field}` : ''}`, code, message }], code);
    const unknown = Object.keys(row).filter((k) => !allowed.has(k));
    if (unknown.length) throw fail('UNKNOWN_FEATURE', `feature view ${view.name} has no features ${unknown.join(', ')}`, unknown[0]);
    const key: Array<string | number> = [];
    for (const joinKey of joinKeys) {
      const k = row[joinKey];
      if (k === undefined || k === null) throw fail('MISSING_JOIN_KEY', `row ${i} lacks the join key ${joinKey}`, joinKey);
      if (!(keyType === 'int64' ? typeof k === 'number' && Number.isSafeInteger(k) : typeof k === 'string' && storableText(k))) throw fail('WRONG_KEY_TYPE', `join key ${joinKey} takes ${keyType} values`, joinKey);
      key.push(k as string | number);
    }
    const ts = row['event_timestamp'];
    const at = checkTimestamp(ts, `$.rows[${i}].event_timestamp`);
    const values: Record<string, unknown> = {};
    for (const f of view.features) {
      if (!(f.name in row)) throw fail('MISSING_FEATURE', `row ${i} lacks feature ${f.name} (push full rows; null is allowed)`, f.name);
      const v = row[f.name];
      if (v !== null && !TYPE_CHECK[f.type](v)) throw fail('WRONG_FEATURE_TYPE', `feature ${f.name} takes ${f.type} values${f.type === 'string' ? ' (without U+0000 or unpaired surrogates)' : ''}`, f.name);
      values[f.name] = v;
    }
    return { entityKey: encodeEntityKey(key), values, eventTimestamp: ts as string, at };
  });
}

/** Fresh values from a stream processor or the product: online, offline (kept for training sets) or both. */
@Injectable()
export class PushService {
  constructor(
    private readonly registry: FeatureRegistry,
    private readonly writer: OnlineWriter,
    private readonly db: Database,
  ) {}

  async push(req: PushRequest): Promise<{ view: string; version: number; online_written: number; offline_written: number }> {
    const resolved = await this.registry.resolve({ features: [`${req.feature_view}:${(await this.firstFeature(req.feature_view))}`] });
    const view = resolved.views[0];
    const rows = checkPushRows(view.spec, view.joinKeys, view.keyType, req.rows);
    const toOnline = req.to !== 'offline';
    const toOffline = req.to !== 'online';
    if (toOnline && !view.spec.online) throw PlatformError.badRequest(`feature view ${view.name} is not served online`, [], 'VIEW_NOT_ONLINE');
    // Every row draws its write sequence number (in row order), whether it is kept offline,
    // online or both: the tie rule (latest written wins) is the same in both stores.
    const s = this.db.schema;
    const seqs = await this.db.query<{ seq: string }>(
      `WITH u AS (
         SELECT ord, k, t, v, nextval('"${s}".write_seq') AS seq FROM unnest($3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY AS u(k, t, v, ord)
       ), stored AS (
         INSERT INTO "${s}".offline_pushes (view, version, entity_key, event_timestamp, "values", write_seq) SELECT $1, $2, k, t, v, seq FROM u WHERE $6::boolean
       ) SELECT seq::text FROM u ORDER BY ord`,
      [view.name, view.version, rows.map((r) => r.entityKey), rows.map((r) => r.eventTimestamp), rows.map((r) => JSON.stringify(r.values)), toOffline],
    );
    const online = toOnline ? await this.writer.write(view.viewKey, rows.map((r, i) => ({ ...r, seq: seqs[i].seq }))) : 0;
    return { view: view.name, version: view.version, online_written: online, offline_written: toOffline ? rows.length : 0 };
  }

  private async firstFeature(name: string): Promise<string> {
    const reg = (await this.registry.snapshot()).views.get(name);
    if (!reg || reg.removed) throw PlatformError.badRequest(`unknown feature view ${name}`, [{ code: 'UNKNOWN_FEATURE_VIEW', message: name }], 'UNKNOWN_FEATURE_VIEW');
    return reg.versions.get(reg.head)!.features[0].name;
  }
}
