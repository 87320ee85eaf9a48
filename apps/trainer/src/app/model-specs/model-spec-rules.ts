import type { ModelSpec } from '@mlp/contracts';
import { ruleSyntaxProblem } from '@mlp/model-runtime';
import { cronProblem } from '../schedules/cron-schedule';

export interface SpecProblem {
  path: string;
  code: string;
  message: string;
}

const CLASSIFICATION_METRICS = new Set(['auc', 'log_loss', 'f1']);
const WAREHOUSE = /^dwh\.[a-z0-9_]+$/;

/**
 * Checks a schema-valid spec for what the schema cannot express: a metric that fits the task, a
 * split that leaves training data, a valid cron, a single read-only SELECT over the warehouse as
 * the label source (reading at least one relation of the warehouse schema `dwh`: a mart, an
 * imported source `dwh.src_*`, a model; nothing in another schema), a rule that parses and stays
 * within the rule grammar. Each problem carries a machine-readable code.
 */
export function specProblems(spec: ModelSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const classification = spec.task === 'binary_classification';
  if (classification !== CLASSIFICATION_METRICS.has(spec.primaryMetric)) {
    problems.push({ path: '$.primaryMetric', code: 'METRIC_TASK_MISMATCH', message: `${spec.primaryMetric} does not apply to ${spec.task}` });
  }
  if (spec.split.kind !== 'random' && spec.split.holdoutDays >= spec.split.lookbackDays) {
    problems.push({ path: '$.split.holdoutDays', code: 'INVALID_SPLIT', message: 'the held-out window must be shorter than the lookback, or nothing is left to train on' });
  }
  const { labelSource } = spec;
  if (labelSource.joinKeys.includes(labelSource.labelColumn)) {
    problems.push({ path: '$.labelSource.labelColumn', code: 'LABEL_IS_JOIN_KEY', message: 'the label column cannot also be a join key' });
  }
  if (labelSource.referenceScoreColumn && [...labelSource.joinKeys, labelSource.labelColumn].includes(labelSource.referenceScoreColumn)) {
    problems.push({ path: '$.labelSource.referenceScoreColumn', code: 'REFERENCE_COLUMN_CLASH', message: 'the reference score column must differ from the label and join keys' });
  }
  const sql = labelSource.sql.trim().replace(/;\s*$/, '');
  if (!/^(select|with)\b/i.test(sql) || sql.includes(';')) {
    problems.push({ path: '$.labelSource.sql', code: 'INVALID_LABEL_SQL', message: 'the label source must be one SELECT (or WITH ... SELECT) statement' });
  } else {
    const tables = [...sql.matchAll(/\b(?:from|join)\s+([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)/gi)].map((m) => m[1].toLowerCase());
    // The warehouse schema is the published DWH-to-DS interface (marts, imported sources, a project's
    // models); other services' schemas are not. Unqualified names are CTEs or fail at run time.
    const foreign = tables.filter((t) => !WAREHOUSE.test(t));
    if (foreign.length) {
      problems.push({ path: '$.labelSource.sql', code: 'LABEL_SQL_OUTSIDE_WAREHOUSE', message: `the label source may read only the warehouse schema dwh, not ${foreign.join(', ')}` });
    }
    if (!tables.some((t) => WAREHOUSE.test(t))) {
      problems.push({ path: '$.labelSource.sql', code: 'INVALID_LABEL_SQL', message: 'the label source must read at least one published warehouse relation (dwh.<name>)' });
    }
  }
  if (spec.schedule) {
    const problem = cronProblem(spec.schedule.cron, spec.schedule.timezone);
    if (problem) problems.push({ path: '$.schedule.cron', code: 'INVALID_CRON', message: problem });
  }
  const algorithm = spec.algorithm;
  if ('earlyStopping' in algorithm && algorithm.earlyStopping && spec.split.validationFraction === 0) {
    problems.push({ path: '$.split.validationFraction', code: 'EARLY_STOPPING_WITHOUT_VALIDATION', message: 'early stopping needs a validation share above 0' });
  }
  // The rule's grammar now; its feature names when a run knows the model's inputs.
  const ruleProblem = algorithm.kind === 'rule' ? ruleSyntaxProblem(algorithm.expression) : undefined;
  if (ruleProblem) problems.push({ path: '$.algorithm.expression', ...ruleProblem });
  return problems;
}
