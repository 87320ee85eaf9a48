import { Injectable } from '@nestjs/common';
import type {
  PredictionLogRecord,
  PredictionLogReplayRequest,
  PredictionLogReplayResult,
  RejectedPredictionLogLine,
  RejectedPredictionLogPage,
  RejectedPredictionLogQuery,
  Violation,
} from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { jsonbSafe } from '../warehouse/copy-text';
import { checkPredictionLogLine, parsePredictionLogLines, recordTextViolations, type RejectedLine } from './prediction-log-lines';

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/** `rejected` and `rejections` are there only when a line was set aside: an all-valid batch is answered as before. */
export interface AppendResult {
  accepted: number;
  duplicates: number;
  rejected?: number;
  rejections?: Array<{ line: number; id: string; violations: Violation[] }>;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A line as a text column can keep it: a raw U+0000 or lone surrogate becomes its JSON escape (six
 * characters), so the kept line still says what was sent and replays as invalid as it was.
 */
export const storableLine = (line: string): string =>
  line.replaceAll('\u0000', '\\u0000').replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16)}`);

interface RejectedRow {
  id: string;
  line: string;
  violations: Violation[];
  codes: string[];
  received_at: Date;
  replayed_at: Date | null;
  replay_status: RejectedPredictionLogLine['replayStatus'];
}

/**
 * Appends model-serving's prediction log: one unnest INSERT per message, idempotent by predictionId
 * (a redelivered message after a lost reply stores nothing twice). A bad record never takes the
 * others with it: it is set aside alone in `dwh.prediction_log_rejected` with its violations, in the
 * same transaction as the valid ones, to be listed and replayed.
 */
@Injectable()
export class PredictionLogService {
  constructor(private readonly db: Database) {}

  /** v1: records already checked against the contract; those whose text cannot be stored are set aside. */
  append(records: PredictionLogRecord[]): Promise<{ accepted: number; duplicates: number }> {
    const good: PredictionLogRecord[] = [];
    const bad: RejectedLine[] = [];
    records.forEach((r, index) => {
      const violations = recordTextViolations(r);
      if (violations.length) bad.push({ index, line: JSON.stringify(r), violations });
      else good.push(r);
    });
    // v1's answer keeps its shape: { accepted, duplicates }.
    return this.store(good, bad).then(({ accepted, duplicates }) => ({ accepted, duplicates }));
  }

  /** v2: JSON lines, each checked alone. */
  appendLines(lines: readonly string[]): Promise<AppendResult> {
    const parsed = parsePredictionLogLines(lines);
    return this.store(
      parsed.records.map((r) => r.record),
      parsed.rejected,
    );
  }

  private async store(records: PredictionLogRecord[], rejected: RejectedLine[]): Promise<AppendResult> {
    const work = async (query: Query) => {
      const stored = records.length ? ((await query(INSERT_RECORDS, recordParams(records))) as unknown[]).length : 0;
      const ids = rejected.length ? await setAside(query, rejected) : [];
      const result: AppendResult = { accepted: stored, duplicates: records.length - stored };
      if (rejected.length) {
        result.rejected = rejected.length;
        result.rejections = rejected.map((r, i) => ({ line: r.index, id: ids[i], violations: r.violations }));
      }
      return result;
    };
    if (!rejected.length) return work((sql, params) => this.db.query(sql, params));
    return this.db.transaction((m: EntityManager) => work((sql, params) => m.query(sql, params)));
  }

  async listRejected(q: RejectedPredictionLogQuery): Promise<RejectedPredictionLogPage> {
    const limit = Math.min(Math.max(Number(q.limit ?? 100), 1), 1000);
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.status === 'pending') where.push(`(replay_status IS NULL OR replay_status = 'still_invalid')`);
    if (q.status === 'replayed') where.push(`replay_status IN ('accepted', 'duplicate')`);
    if (q.cursor) where.push(`id < $${params.push(q.cursor)}`);
    const rows = await this.db.query<RejectedRow>(
      `SELECT * FROM "dwh".prediction_log_rejected ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit + 1}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { items: page.map(toApi), nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null };
  }

  /** Checks pending set-aside lines again (the contract may have changed) and stores those now valid. */
  async replay(req: PredictionLogReplayRequest): Promise<PredictionLogReplayResult> {
    return this.db.transaction(async (m) => {
      const params: unknown[] = [];
      const where = [`(replay_status IS NULL OR replay_status = 'still_invalid')`];
      if (req.ids) where.push(`id = ANY($${params.push(req.ids)}::bigint[])`);
      const rows: RejectedRow[] = await m.query(
        `SELECT * FROM "dwh".prediction_log_rejected WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${req.limit ?? 1000} FOR UPDATE SKIP LOCKED`,
        params,
      );
      const results: PredictionLogReplayResult['results'] = [];
      const valid: Array<{ id: string; record: PredictionLogRecord }> = [];
      for (const row of rows) {
        const checked = checkPredictionLogLine(row.line);
        if (checked.ok) valid.push({ id: String(row.id), record: checked.record });
        else results.push({ id: String(row.id), status: 'still_invalid', errors: checked.violations });
      }
      const inserted = new Set<string>();
      if (valid.length) {
        const out: Array<{ prediction_id: string }> = await m.query(INSERT_RECORDS, recordParams(valid.map((v) => v.record)));
        for (const r of out) inserted.add(r.prediction_id);
      }
      for (const v of valid) results.push({ id: v.id, status: inserted.delete(v.record.predictionId) ? 'accepted' : 'duplicate', errors: [] });
      if (results.length) {
        await m.query(
          `UPDATE "dwh".prediction_log_rejected r SET replayed_at = now(), replay_status = u.status,
                  violations = CASE WHEN u.status = 'still_invalid' THEN u.violations ELSE r.violations END
             FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) AS u(id, status, violations) WHERE r.id = u.id`,
          [results.map((r) => r.id), results.map((r) => r.status), results.map((r) => jsonbSafe(r.errors))],
        );
      }
      results.sort((a, b) => Number(a.id) - Number(b.id));
      return {
        replayed: rows.length,
        accepted: results.filter((r) => r.status === 'accepted').length,
        duplicates: results.filter((r) => r.status === 'duplicate').length,
        stillInvalid: results.filter((r) => r.status === 'still_invalid').length,
        results,
      };
    });
  }
}

const INSERT_RECORDS = `INSERT INTO "dwh".prediction_log (prediction_id, request_id, model, version, arm, entity, inputs, output, latency_ms, predicted_at)
       SELECT u.prediction_id, u.request_id, u.model, u.version, u.arm, u.entity, u.inputs, u.output, u.latency_ms, u.predicted_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $7::jsonb[], $8::float8[], $9::float8[], $10::timestamptz[])
              AS u(prediction_id, request_id, model, version, arm, entity, inputs, output, latency_ms, predicted_at)
       ON CONFLICT (prediction_id) DO NOTHING
       RETURNING prediction_id`;

function recordParams(records: PredictionLogRecord[]): unknown[] {
  return [
    records.map((r) => r.predictionId),
    records.map((r) => r.requestId),
    records.map((r) => r.model),
    records.map((r) => r.version),
    records.map((r) => r.arm),
    records.map((r) => (r.entity ? JSON.stringify(r.entity) : null)),
    records.map((r) => JSON.stringify(r.inputs)),
    records.map((r) => r.output),
    records.map((r) => r.latencyMs),
    records.map((r) => r.predictedAt),
  ];
}

/** Keeps each bad line once (by its digest: a resent batch adds nothing); the ids, in order. */
async function setAside(query: Query, rejected: RejectedLine[]): Promise<string[]> {
  const lines = rejected.map((r) => storableLine(r.line));
  const digests = lines.map((l) => createHash('sha256').update(l).digest('hex'));
  const rows = (await query(
    `WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(line, sha, violations)),
          added AS (
            INSERT INTO "dwh".prediction_log_rejected (line, line_sha256, violations, codes)
            SELECT DISTINCT ON (sha) line, sha, violations, ARRAY(SELECT DISTINCT v->>'code' FROM jsonb_array_elements(violations) v ORDER BY 1) FROM input
            ON CONFLICT (line_sha256) DO NOTHING
            RETURNING id, line_sha256)
     SELECT id::text, line_sha256 AS sha FROM added
     UNION ALL
     SELECT id::text, line_sha256 FROM "dwh".prediction_log_rejected WHERE line_sha256 = ANY($2::text[])`,
    [lines, digests, rejected.map((r) => jsonbSafe(r.violations))],
  )) as Array<{ id: string; sha: string }>;
  const idOf = new Map(rows.map((r) => [r.sha, r.id]));
  return digests.map((d) => idOf.get(d) as string);
}

function toApi(r: RejectedRow): RejectedPredictionLogLine {
  return {
    id: String(r.id),
    line: r.line,
    violations: r.violations,
    codes: r.codes,
    receivedAt: new Date(r.received_at).toISOString(),
    replayedAt: r.replayed_at ? new Date(r.replayed_at).toISOString() : null,
    replayStatus: r.replay_status,
  };
}
