import { PredictionLogRecordContract, ViolationCode, type PredictionLogRecord, type Violation } from '@mlp/contracts';
import { findTextProblem, JSON_MAX_DEPTH, scanJsonText } from '@mlp/service-kit';

export interface RejectedLine {
  /** Index of the line in its batch. */
  index: number;
  line: string;
  /** Paths relative to the record (`$.output`). */
  violations: Violation[];
}

export interface ParsedLines {
  /** The valid records with their line index, in order. */
  records: Array<{ index: number; record: PredictionLogRecord }>;
  rejected: RejectedLine[];
}

/**
 * A record's problems the contract does not see but the warehouse would fail on: U+0000 or a lone
 * surrogate in any string or key (text and jsonb cannot hold them), nesting beyond the kit's limit.
 */
export function recordTextViolations(value: unknown): Violation[] {
  const problem = findTextProblem(value, JSON_MAX_DEPTH);
  return problem ? [{ path: problem.path, code: problem.code as Violation['code'], message: problem.message }] : [];
}

/** Checks one line: JSON text of one PredictionLogRecord, nested within bounds, with storable text. */
export function checkPredictionLogLine(line: string): { ok: true; record: PredictionLogRecord } | { ok: false; violations: Violation[] } {
  // Bounded before parsing: the scan stops at the limit, so nothing downstream walks a deep value.
  if (scanJsonText(Buffer.from(line, 'utf8'), JSON_MAX_DEPTH).depth > JSON_MAX_DEPTH) {
    return { ok: false, violations: [{ path: '$', code: 'NESTING_TOO_DEEP' as Violation['code'], message: `objects and arrays may nest at most ${JSON_MAX_DEPTH} deep` }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { ok: false, violations: [{ path: '$', code: ViolationCode.SCHEMA_VIOLATION, message: `not JSON text: ${(err as Error).message}` }] };
  }
  const checked = PredictionLogRecordContract.validate(value);
  const violations = [...(checked.ok ? [] : checked.violations), ...recordTextViolations(value)];
  return violations.length || !checked.ok ? { ok: false, violations } : { ok: true, record: checked.value };
}

/**
 * Parses `dwh-ingest.prediction-log.v2` lines: each must be JSON text of one PredictionLogRecord.
 * Every line is checked on its own: the valid ones are returned to be stored, each bad one with
 * every violation (paths relative to its record, e.g. `$.output`) to be set aside alone.
 */
export function parsePredictionLogLines(lines: readonly string[]): ParsedLines {
  const out: ParsedLines = { records: [], rejected: [] };
  for (let i = 0; i < lines.length; i++) {
    const checked = checkPredictionLogLine(lines[i]);
    if (checked.ok) out.records.push({ index: i, record: checked.record });
    else out.rejected.push({ index: i, line: lines[i], violations: checked.violations });
  }
  return out;
}
