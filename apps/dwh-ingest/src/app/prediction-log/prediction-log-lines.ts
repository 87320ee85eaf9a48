import { PredictionLogRecordContract, ViolationCode, type PredictionLogRecord, type Violation } from '@mlp/contracts';

export type ParsedLines = { ok: true; records: PredictionLogRecord[] } | { ok: false; violations: Violation[] };

/**
 * Parses `dwh-ingest.prediction-log.v2` lines: each must be JSON text of one PredictionLogRecord.
 * Every line is checked (not only up to the first bad one), and each violation names its line,
 * e.g. `$.lines[3].output`, so a sender that is refused knows exactly what it sent wrong.
 */
export function parsePredictionLogLines(lines: readonly string[]): ParsedLines {
  const records: PredictionLogRecord[] = new Array(lines.length);
  const violations: Violation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const at = `$.lines[${i}]`;
    let value: unknown;
    try {
      value = JSON.parse(lines[i]);
    } catch (err) {
      violations.push({ path: at, code: ViolationCode.SCHEMA_VIOLATION, message: `not JSON text: ${(err as Error).message}` });
      continue;
    }
    const checked = PredictionLogRecordContract.validate(value);
    if (checked.ok) records[i] = checked.value;
    else for (const v of checked.violations) violations.push({ ...v, path: at + v.path.slice(1) });
  }
  return violations.length ? { ok: false, violations } : { ok: true, records };
}
