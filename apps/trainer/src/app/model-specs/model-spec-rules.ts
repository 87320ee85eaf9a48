import type { ModelSpec } from '@mlp/contracts';
import { kindForAlgorithm, ruleSyntaxProblem } from '@mlp/model-runtime';
import { hasSelectionRows } from '../datasets/validation-share';
import { expandSearch } from '../experiments/search-space';
import { cronProblem } from '../schedules/cron-schedule';

export interface SpecProblem {
  path: string;
  code: string;
  message: string;
}

/** The primary metrics that apply to each task. */
const METRICS_OF_TASK: Record<ModelSpec['task'], ReadonlySet<string>> = {
  binary_classification: new Set(['auc', 'log_loss', 'f1']),
  multiclass_classification: new Set(['accuracy', 'macro_f1', 'log_loss']),
  regression: new Set(['rmse', 'mae']),
};
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
  const metrics = METRICS_OF_TASK[spec.task];
  if (!metrics.has(spec.primaryMetric)) {
    problems.push({ path: '$.primaryMetric', code: 'METRIC_TASK_MISMATCH', message: `${spec.primaryMetric} does not apply to ${spec.task} (use ${[...metrics].join(', ')})` });
  }
  if (spec.split.kind !== 'random' && spec.split.holdoutDays >= spec.split.lookbackDays) {
    problems.push({ path: '$.split.holdoutDays', code: 'INVALID_SPLIT', message: 'the held-out window must be shorter than the lookback, or nothing is left to train on' });
  }
  const { labelSource } = spec;
  if (labelSource.joinKeys.includes(labelSource.labelColumn)) {
    problems.push({ path: '$.labelSource.labelColumn', code: 'LABEL_IS_JOIN_KEY', message: 'the label column cannot also be a join key' });
  }
  if (labelSource.referenceScoreColumn && spec.task === 'multiclass_classification') {
    problems.push({ path: '$.labelSource.referenceScoreColumn', code: 'REFERENCE_SCORE_UNSUPPORTED', message: 'a reference score is one number per row; a multiclass model is compared with per-class probabilities, so it has none' });
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
  const folds = spec.split.kind === 'random' ? spec.split.folds : undefined;
  if (folds !== undefined && (spec.split.validationFraction ?? 0) > 0) {
    problems.push({ path: '$.split.folds', code: 'INVALID_SPLIT', message: 'under k-fold cross-validation the folds are the validation rows: give split.folds or split.validationFraction, not both' });
  }
  const algorithm = spec.algorithm;
  const kind = kindForAlgorithm(algorithm.kind);
  if (kind.tasks && !kind.tasks.includes(spec.task)) {
    problems.push({ path: '$.algorithm.kind', code: 'ALGORITHM_TASK_MISMATCH', message: `${algorithm.kind} does not train ${spec.task} models (it trains ${kind.tasks.join(', ')})` });
  }
  if ('earlyStopping' in algorithm && algorithm.earlyStopping && spec.split.validationFraction === 0 && folds === undefined) {
    problems.push({ path: '$.split.validationFraction', code: 'EARLY_STOPPING_WITHOUT_VALIDATION', message: 'early stopping needs a validation share above 0' });
  }
  if (spec.search) {
    // A declared search is checked when the spec is declared, not first when someone runs it.
    if (!hasSelectionRows(spec)) problems.push({ path: '$.search', code: 'TRIAL_WITHOUT_VALIDATION', message: 'a search selects on validation rows: set split.validationFraction above 0 or split.folds' });
    const expansion = expandSearch(spec.search, spec, spec.search.seed ?? spec.seed ?? 0);
    if (!expansion.ok) problems.push(...expansion.problems.map((p) => ({ ...p, path: p.path.replace(/^\$\.plan/, '$.search') })));
  }
  // The rule's grammar now; its feature names when a run knows the model's inputs.
  const ruleProblem = algorithm.kind === 'rule' ? ruleSyntaxProblem(algorithm.expression) : undefined;
  if (ruleProblem) problems.push({ path: '$.algorithm.expression', ...ruleProblem });
  return problems;
}
