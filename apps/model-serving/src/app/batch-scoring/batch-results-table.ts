import { BATCH_RESULTS_TABLE_PATTERN, type BatchResultsTarget } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';

/**
 * The warehouse table a batch job's results land in, `dwh.scores_<name>`: the prefix is reserved
 * for batch results in the warehouse (dwh-ingest refuses models and sources named so, and lets
 * warehouse models read these tables as platform inputs). One row per entity per run:
 *
 *   job_id, run, model, version, <entity key column>, as_of, score, outputs, scored_at, loaded_at
 *
 * `loaded_at` is when the row reached the warehouse (the run's publication), the column dwh-ingest
 * watches on every raw input to know that a model reading it must rebuild.
 * Framework-free: names, the table's shape and the statements that write it.
 */

export const RESULTS_SCHEMA = 'dwh';
export const RESULTS_TABLE = new RegExp(BATCH_RESULTS_TABLE_PATTERN);
/** The columns every results table has besides the entity key, in order. */
export const RESULT_COLUMNS = ['job_id', 'run', 'model', 'version', 'as_of', 'score', 'outputs', 'scored_at', 'loaded_at'] as const;

/** Where a job's results go when it does not say: `scores_<model>` (a hyphen becomes `_`), replaced by each run. */
export function defaultResultsTarget(model: string): BatchResultsTarget {
  return { table: `scores_${model.replace(/-/g, '_')}`.slice(0, 63), mode: 'replace' };
}

/** The table name must be a `scores_` identifier, and the entity key may not take a column's name: 400 otherwise. */
export function checkResultsTarget(target: BatchResultsTarget, key: string): void {
  if (!RESULTS_TABLE.test(target.table)) {
    throw PlatformError.badRequest(
      `results.table must match ${RESULTS_TABLE.source} (the warehouse's prefix for batch results)`,
      [{ path: '$.results.table', code: 'INVALID_RESULTS_TABLE', message: target.table }],
      'INVALID_RESULTS_TABLE',
    );
  }
  if ((RESULT_COLUMNS as readonly string[]).includes(key)) {
    throw PlatformError.badRequest(
      `the entity key ${key} is also a column of every results table (${RESULT_COLUMNS.join(', ')})`,
      [{ path: '$.source.key', code: 'RESULTS_KEY_CLASH', message: key }],
      'RESULTS_KEY_CLASH',
    );
  }
}

const table = (name: string) => {
  if (!RESULTS_TABLE.test(name)) throw new Error(`not a results table: ${name}`);
  return `"${RESULTS_SCHEMA}"."${name}"`;
};
const column = (key: string) => {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(key)) throw new Error(`not a key column: ${key}`);
  return `"${key}"`;
};

/** The columns an existing table lacks to take this job's rows (empty when it fits). */
export function missingColumns(existing: readonly string[], key: string): string[] {
  return [...RESULT_COLUMNS.slice(0, 4), key, ...RESULT_COLUMNS.slice(4)].filter((c) => !existing.includes(c));
}

/**
 * The statements that publish one finished run of a job from `serving.batch_predictions` into its
 * table, run in one transaction with the job's finish: readers see the previous state until the
 * run is complete, then all of it. `replace` empties the table first (DELETE, so readers are not
 * blocked); `create` and `append` add the run's rows.
 */
export function publishStatements(target: BatchResultsTarget, key: string): string[] {
  const t = table(target.table);
  const k = column(key);
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
       job_id bigint NOT NULL, run integer NOT NULL, model text NOT NULL, version integer NOT NULL, ${k} text NOT NULL,
       as_of timestamptz NOT NULL, score double precision NOT NULL, outputs double precision[] NOT NULL, scored_at timestamptz NOT NULL,
       loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job_id, run, ${k}))`,
    ...(target.mode === 'replace' ? [`DELETE FROM ${t}`] : []),
    `INSERT INTO ${t} (job_id, run, model, version, ${k}, as_of, score, outputs, scored_at)
     SELECT job_id, run, model, version, entity_key, as_of, score, outputs, predicted_at FROM "serving".batch_predictions
      WHERE job_id = $1 AND run = $2
     ON CONFLICT (job_id, run, ${k}) DO UPDATE SET model = EXCLUDED.model, version = EXCLUDED.version, as_of = EXCLUDED.as_of,
       score = EXCLUDED.score, outputs = EXCLUDED.outputs, scored_at = EXCLUDED.scored_at, loaded_at = now()`,
  ];
}
