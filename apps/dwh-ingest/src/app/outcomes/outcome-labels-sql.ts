import type { OutcomeDefinition } from '@mlp/contracts';
import { durationSeconds } from '../warehouse/duration';
import { identifierProblems, quoteIdentifier as q } from '../warehouse/identifiers';
import { asSubquery } from '../warehouse/select-check';

/** The session-local table one refresh stages a model's labels in (written inside the READ ONLY transaction). */
export const STAGE_TABLE = 'pg_temp.outcome_labels';

export const CREATE_STAGE_SQL = `CREATE TEMP TABLE IF NOT EXISTS outcome_labels (
  prediction_id text NOT NULL, label double precision, labelled_at timestamptz, outcome_rows int NOT NULL)`;

/** How a model's outcome labels its predictions, as the refresh runs it. */
export interface OutcomeLabelQuery {
  /** `INSERT INTO pg_temp.outcome_labels ... SELECT ...` over the model's whole prediction log. */
  sql: string;
  params: unknown[];
  /** Without a time column a label exists as soon as an outcome row does: `labelled_at` is when a refresh first saw it. */
  static: boolean;
  /** Only the predictions whose label may still change were staged (the others keep theirs). */
  incremental: boolean;
}

/** Identifiers of a definition that reach SQL text (quoted); anything else is refused here, whatever validated it before. */
export function outcomeIdentifierProblems(def: Pick<OutcomeDefinition, 'keys' | 'label_column' | 'timestamp_column'>): string[] {
  const named: Array<readonly [string, unknown]> = [...def.keys.map((k, i) => [`keys[${i}]`, k] as const), ['label_column', def.label_column] as const];
  if (def.timestamp_column !== undefined) named.push(['timestamp_column', def.timestamp_column]);
  const problems = identifierProblems(named);
  if (new Set(def.keys).size !== def.keys.length) problems.push('keys repeat a column');
  if (def.keys.length === 0 || def.keys.length > 8) problems.push('1 to 8 keys');
  return problems;
}

/** A label value of any column type as a number: booleans are 1/0, numbers and numeric text as they are. */
const labelValue = (column: string) => `CASE o.${q(column)}::text WHEN 'true' THEN 1::float8 WHEN 'false' THEN 0::float8 ELSE o.${q(column)}::text::float8 END`;

/**
 * The labelling of one model's logged predictions by its outcome (framework-free; the caller runs
 * it in a READ ONLY transaction with a statement timeout, after checking the outcome SQL is one
 * SELECT). A prediction is matched to outcome rows whose `keys` equal its `entity` keys (compared
 * as text, so `17` and `'17'` meet); a prediction whose entity lacks a key stays unlabelled.
 *
 * With `timestamp_column` (and `horizon`): the rows in (predicted_at, predicted_at + horizon],
 * combined by `aggregate` (max by default; sum; count of rows; last by time), or `default` when no
 * row falls in the horizon (unlabelled without a default); the label exists only once
 * predicted_at + horizon <= now(), and `labelled_at` is that moment.
 * Without a time column: all of the entity's outcome rows combined by `aggregate` (`last` reads as
 * max, there being no order), labelled as soon as a row exists; `default` does not apply.
 *
 * With `lookbackSeconds` (time-based outcomes only) the refresh is incremental: it stages only the
 * predictions made after now() - horizon - lookback, and those without a row yet; older labels are
 * settled (a late outcome row no longer changes them until a full refresh).
 *
 * Everything from the definition that is a value (model, horizon, default, the entity's key names)
 * is a parameter; only checked identifiers and the checked SELECT are text.
 */
export function outcomeLabelQuery(model: string, def: OutcomeDefinition, options: { lookbackSeconds?: number } = {}): OutcomeLabelQuery {
  const problems = outcomeIdentifierProblems(def);
  if (problems.length) throw new Error(`outcome of ${model}: ${problems.join('; ')}`);
  const timed = def.timestamp_column !== undefined;
  if (timed && def.horizon === undefined) throw new Error(`outcome of ${model}: a timestamp_column needs a horizon`);
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const modelParam = param(model, 'text');
  const horizon = timed ? `${param(durationSeconds(def.horizon as string), 'float8')} * interval '1 second'` : '';
  const aggregate = def.aggregate ?? 'max';
  const keys = def.keys.map((k, i) => ({ column: k, alias: `k${i}`, name: param(k, 'text') }));

  const outcomeColumns = [
    ...keys.map((k) => `o.${q(k.column)}::text AS ${k.alias}`),
    timed ? `o.${q(def.timestamp_column as string)}::timestamptz AS at` : 'NULL::timestamptz AS at',
    `${labelValue(def.label_column)} AS label`,
    'true AS hit',
  ];
  const predictionKeys = keys.map((k) => `p.entity ->> ${k.name} AS ${k.alias}`);
  const join = [...keys.map((k) => `o.${k.alias} = p.${k.alias}`), ...(timed ? ['o.at > p.predicted_at', `o.at <= p.predicted_at + ${horizon}`] : [])];
  const combined = {
    max: 'max(o.label)',
    sum: 'sum(o.label)',
    count: 'count(o.hit)::float8',
    last: timed ? '(array_agg(o.label ORDER BY o.at DESC, o.label DESC))[1]' : 'max(o.label)',
  }[aggregate];
  const hasKeys = keys.map((k) => `p.${k.alias} IS NOT NULL`).join(' AND ');
  const value = `CASE WHEN count(o.hit) > 0 THEN ${combined} END`;
  const fallback = timed && def.default !== undefined ? `coalesce(${value}, ${param(def.default, 'float8')})` : value;
  const label = timed ? `CASE WHEN ${hasKeys} AND p.predicted_at + ${horizon} <= now() THEN ${fallback} END` : `CASE WHEN ${hasKeys} THEN ${value} END`;
  const labelledAt = timed ? `p.predicted_at + ${horizon}` : 'NULL::timestamptz';
  // Incremental (time-based only): predictions whose label may still change, and those not labelled yet.
  const incremental = timed && options.lookbackSeconds !== undefined;
  const window = incremental
    ? `
     AND (p.predicted_at > now() - ${horizon} - ${param(options.lookbackSeconds, 'float8')} * interval '1 second'
          OR NOT EXISTS (SELECT 1 FROM "dwh".prediction_outcomes t WHERE t.prediction_id = p.prediction_id))`
    : '';

  const sql = `INSERT INTO ${STAGE_TABLE} (prediction_id, label, labelled_at, outcome_rows)
WITH outcome AS MATERIALIZED (
  SELECT ${outcomeColumns.join(', ')}
    FROM ${asSubquery(def.sql)} o
), predictions AS (
  SELECT p.prediction_id, p.predicted_at, ${predictionKeys.join(', ')}
    FROM "dwh".prediction_log p
   WHERE p.model = ${modelParam}${window}
)
SELECT l.prediction_id, l.label, CASE WHEN l.label IS NOT NULL THEN l.labelled_at END, l.outcome_rows
  FROM (SELECT p.prediction_id, ${label} AS label, ${labelledAt} AS labelled_at, count(o.hit)::int AS outcome_rows
          FROM predictions p
          LEFT JOIN outcome o ON ${join.join(' AND ')}
         GROUP BY p.prediction_id, p.predicted_at, ${keys.map((k) => `p.${k.alias}`).join(', ')}) l`;
  return { sql, params, static: !timed, incremental };
}

/**
 * Moves the staged labels of one model into `dwh.prediction_outcomes`: new predictions are
 * inserted, changed labels updated (rows whose label did not change are not touched).
 * `labelled_at` of a static outcome keeps the refresh that first saw the label. $1 model, $2 static.
 */
export const APPLY_STAGED_SQL = `
INSERT INTO "dwh".prediction_outcomes AS t
       (prediction_id, model, version, arm, entity, output, predicted_at, label, label_available, labelled_at, outcome_rows, updated_at)
SELECT p.prediction_id, p.model, p.version, p.arm, p.entity, p.output, p.predicted_at, l.label, l.label IS NOT NULL,
       CASE WHEN l.label IS NOT NULL THEN coalesce(l.labelled_at, now()) END, l.outcome_rows, now()
  FROM ${STAGE_TABLE} l JOIN "dwh".prediction_log p USING (prediction_id)
 WHERE p.model = $1::text
ON CONFLICT (prediction_id) DO UPDATE SET
       label = EXCLUDED.label,
       label_available = EXCLUDED.label_available,
       labelled_at = CASE WHEN EXCLUDED.label IS NULL THEN NULL
                          WHEN $2::boolean AND t.labelled_at IS NOT NULL THEN t.labelled_at
                          ELSE EXCLUDED.labelled_at END,
       outcome_rows = EXCLUDED.outcome_rows,
       updated_at = EXCLUDED.updated_at
 WHERE (t.label, t.label_available, t.outcome_rows) IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.label_available, EXCLUDED.outcome_rows)
    OR (NOT $2::boolean AND t.labelled_at IS DISTINCT FROM EXCLUDED.labelled_at)`;

/** Rows of the model whose prediction is no longer in the log (or now belongs to no row of the model). $1 model. */
export const DELETE_UNLOGGED_SQL = `
DELETE FROM "dwh".prediction_outcomes t
 WHERE t.model = $1::text AND NOT EXISTS (SELECT 1 FROM "dwh".prediction_log p WHERE p.prediction_id = t.prediction_id AND p.model = t.model)`;
