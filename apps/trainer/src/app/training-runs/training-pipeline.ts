import type { CrossValidation, EpochPoint, ModelArtifact, ModelSpec, Preprocessing, TensorSpec } from '@mlp/contracts';
import { decodeArtifact } from '../artifacts/artifact-codec';
import { kFoldAssignment } from '../datasets/k-fold';
import { randomSplit } from '../datasets/random-split';
import { timeSplit } from '../datasets/time-split';
import { validationFractionOf } from '../datasets/validation-share';
import { calibration, evaluate, type CalibrationBin } from '../evaluation/metrics';
import { predictWithArtifact } from '../models/artifact-predictor';
import {
  applyToRows,
  argmaxOf,
  classNameOf,
  coerceNumericColumns,
  fitPreprocessing,
  kindForAlgorithm,
  ModelSpecError,
  orderClasses,
  rawInputSignature,
  type FeatureType,
  type ModelKind,
  type RawRecord,
  type TrainedModel,
  type TrainInput,
} from '@mlp/model-runtime';
import { trainingBaseline } from '../preprocessing/training-baseline';
import { parseVersionedRef, type TrainingRow, type TrainingSetSource } from './training-set-source';

const DAY_MS = 86_400_000;

export interface TrainingJob {
  /** The spec with the run's overrides applied. */
  spec: ModelSpec;
  seed: number;
  /** End of the training set (ISO), fixed when the run was queued so retries see the same window. */
  end: string;
  champion: { version: number; artifactJson: string; sha256: string } | null;
  /** A trial: judged on the validation rows (or folds) only; the test rows are never scored and no artifact is built. */
  trial?: boolean;
}

export type ArtifactDraft = Omit<ModelArtifact, 'version'>;

export interface TrainingOutcome {
  /** The model to register (null for a trial, which is never registered). */
  artifact: ArtifactDraft | null;
  /** Held-out metrics by subject: candidate, baseline, champion (re-scored now), reference, plus training fit. */
  metrics: Record<string, Record<string, number>>;
  curves: EpochPoint[];
  /** Reliability diagram of the candidate on the held-out window (classification). */
  calibration: CalibrationBin[] | null;
  /** k-fold cross-validation: the primary metric per fold, its mean and spread (null without folds). */
  crossValidation: CrossValidation | null;
  dataset: {
    fingerprint: string;
    rows: number;
    trainRows: number;
    validationRows: number;
    holdoutRows: number;
    start: string;
    end: string;
    holdoutStart: string;
    split: 'time' | 'random';
    splitSeed?: number;
    folds?: number;
    /** `test` for a run to register; `validation` for a trial (its metrics and rows are validation rows only). */
    evaluatedOn: 'test' | 'validation';
  };
  featureServiceVersion: string | null;
  championError: string | null;
  /**
   * The candidate's score of each evaluated row with the raw features it was given: the held-out
   * (test) rows of a run to register (what serving must answer for them); a trial's validation rows
   * (out-of-fold scores under k-fold).
   */
  holdout: HoldoutPrediction[];
}

/** One held-out row as the trainer scored it. */
export interface HoldoutPrediction {
  keys: Record<string, string | number>;
  event_timestamp: string;
  label: number;
  score: number;
  /** Multiclass: the probability of each class, in the artifact's class order. */
  probabilities?: number[];
  features: RawRecord;
}

export interface PipelineHooks {
  onProgress?: (progress: number, point?: EpochPoint) => void | Promise<void>;
  shouldStop?: () => boolean;
}

/** A training run that cannot succeed as specified (retrying will not help). */
export class TrainingSpecError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'TrainingSpecError';
  }
}

/** The seed of a model's random split: fixed by its name, the same for every run of the model. */
function splitSeedOf(model: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < model.length; i++) h = Math.imul(h ^ model.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The epoch whose weights early stopping keeps (lowest validation loss); the last epoch without a validation curve. */
export function bestEpochOf(curves: readonly EpochPoint[]): number {
  let best = curves.length;
  let lowest = Number.POSITIVE_INFINITY;
  for (const p of curves) if (p.valLoss !== undefined && p.valLoss < lowest) [lowest, best] = [p.valLoss, p.epoch];
  return Math.max(1, best);
}

/** Mean and sample standard deviation (0 for a single value). */
export function meanAndSpread(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/** The folds' curves averaged epoch by epoch, over the epochs every fold reached. */
function meanCurve(curves: readonly EpochPoint[][]): EpochPoint[] {
  const epochs = Math.min(...curves.map((c) => c.length));
  const out: EpochPoint[] = [];
  for (let i = 0; i < epochs; i++) {
    const points = curves.map((c) => c[i]);
    const avg = (pick: (p: EpochPoint) => number | undefined) => {
      const xs = points.map(pick);
      return xs.every((x) => x !== undefined) ? (xs as number[]).reduce((a, b) => a + b, 0) / xs.length : undefined;
    };
    const point: EpochPoint = { epoch: i + 1, loss: avg((p) => p.loss) as number };
    const valLoss = avg((p) => p.valLoss);
    const valMetric = avg((p) => p.valMetric);
    if (valLoss !== undefined) point.valLoss = valLoss;
    if (valMetric !== undefined) point.valMetric = valMetric;
    out.push(point);
  }
  return out;
}

/** `view__feature` columns of a training set become `view:feature` references. */
export const featureRefOf = (column: string): string => {
  const at = column.indexOf('__');
  return `${column.slice(0, at)}:${column.slice(at + 2)}`;
};

export interface FeatureInputs {
  /** Training-set columns holding features, in model input order. */
  columns: string[];
  /** The model's input names, `view:feature` (also its V2 input names), in the same order. */
  features: string[];
  /** The exact version of each view, where the feature store said which (else undefined). */
  viewVersions?: Record<string, number>;
}

/**
 * The model's inputs from a training set's feature columns. With the exact refs the feature store
 * reported (column -> `view@vN:feature`), every input is named `view:feature` whatever the column
 * is called (a pinned column is `view__vN__feature`) and the view versions are recorded; a model
 * takes one version of each view, so two versions of one view (or of one feature) are refused.
 * Without them, `view__feature` columns are read as before and no version is known.
 */
export function featureInputsOf(columns: string[], refs: Record<string, string> | undefined): FeatureInputs {
  if (!refs) {
    const sorted = [...columns].sort();
    return { columns: sorted, features: sorted.map(featureRefOf) };
  }
  const viewVersions: Record<string, number> = {};
  const inputs = Object.keys(refs).map((column) => {
    const p = parseVersionedRef(refs[column])!;
    const known = viewVersions[p.view];
    if (known !== undefined && known !== p.version) {
      throw new TrainingSpecError(`the feature service gives view ${p.view} in two versions (v${known} and v${p.version}); a model takes one version of each view`, 'MIXED_FEATURE_VIEW_VERSIONS');
    }
    viewVersions[p.view] = p.version;
    return { column, feature: `${p.view}:${p.feature}` };
  });
  // In the order of the input names, as without versions (where column and name sort alike).
  inputs.sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
  const dup = inputs.find((x, i) => i > 0 && inputs[i - 1].feature === x.feature);
  if (dup) throw new TrainingSpecError(`the feature service gives ${dup.feature} twice`, 'DUPLICATE_FEATURE');
  return { columns: inputs.map((x) => x.column), features: inputs.map((x) => x.feature), viewVersions };
}

function labelValue(raw: unknown, task: ModelSpec['task']): number | null {
  if (raw === null || raw === undefined) return null;
  // A class's index is known only once the training split's classes are (see classIndexes).
  if (task === 'multiclass_classification') return classNameOf(raw) === undefined ? null : -1;
  const n = typeof raw === 'boolean' ? (raw ? 1 : 0) : Number(raw);
  if (!Number.isFinite(n)) return null;
  return task === 'binary_classification' ? (n >= 0.5 ? 1 : 0) : n;
}

/** A kind's training, its spec problems (a rule naming no input, a forest too large) as the run's failure code. */
async function trainKind(kind: ModelKind, input: TrainInput): Promise<TrainedModel> {
  try {
    return await kind.train(input);
  } catch (e) {
    if (e instanceof ModelSpecError) throw new TrainingSpecError(e.message, e.code);
    throw e;
  }
}

/**
 * The model takes its raw features (typed as the feature store declares them) and answers one
 * value per row, or for multiclass the probability of each class (`[-1, K]`) and the most probable
 * class's name (`label`, BYTES: serving derives it from the probabilities and the artifact's classes).
 */
function signatureOf(spec: ModelSpec, preprocessing: Preprocessing, types: Readonly<Record<string, FeatureType>>, classCount: number) {
  const outputs: TensorSpec[] =
    spec.task === 'multiclass_classification'
      ? [
          { name: 'probabilities', datatype: 'FP32', shape: [-1, classCount] },
          { name: 'label', datatype: 'BYTES', shape: [-1] },
        ]
      : [{ name: spec.task === 'binary_classification' ? 'probability' : 'prediction', datatype: 'FP32', shape: [-1] }];
  return { inputs: rawInputSignature(preprocessing, types), outputs };
}

/**
 * Multiclass: the classes of the training split in their one order, and each example's class
 * index. A class that occurs only outside the training split (validation, held-out) gets an index
 * past them (in the same order), so it counts as a mistake the model could not avoid, never as a
 * missing row. Fewer than two classes to train on is a spec error.
 */
function classIndexes(train: ReadonlyArray<{ className?: string }>, all: ReadonlyArray<{ className?: string; label: number }>): string[] {
  const classes = orderClasses(train.map((e) => e.className as string));
  if (classes.length < 2) {
    throw new TrainingSpecError(`the training split holds ${classes.length} class${classes.length === 1 ? '' : 'es'}; a multiclass model needs at least 2`, 'TOO_FEW_CLASSES');
  }
  const unseen = orderClasses(all.map((e) => e.className as string).filter((c) => !classes.includes(c)));
  const index = new Map([...classes, ...unseen].map((c, i) => [c, i]));
  for (const e of all) e.label = index.get(e.className as string) as number;
  return classes;
}

/** Probabilities over `from` classes re-ordered as `to` (a class `from` lacks gets 0): a champion trained on other classes judged on the candidate's. */
function alignClasses(probabilities: Float32Array, from: readonly string[], to: readonly string[]): Float32Array {
  if (from.length === to.length && from.every((c, i) => c === to[i])) return probabilities;
  const rows = probabilities.length / from.length;
  const at = to.map((c) => from.indexOf(c));
  const out = new Float32Array(rows * to.length);
  for (let r = 0; r < rows; r++) at.forEach((j, k) => (out[r * to.length + k] = j < 0 ? 0 : probabilities[r * from.length + j]));
  return out;
}

/**
 * One training run, framework-free: load the training set, split by time, fit preprocessing on the
 * training split only, fit the baseline and the model, score candidate, baseline, the current
 * champion and the reference score on the same held-out window, and build the artifact.
 */
export async function runTrainingPipeline(job: TrainingJob, source: TrainingSetSource, hooks: PipelineHooks = {}): Promise<TrainingOutcome> {
  const { spec } = job;
  const end = new Date(job.end);
  const plan = spec.split;
  // A random split reads every label row up to the end unless it says how far back.
  const start = new Date(plan.lookbackDays === undefined ? 0 : end.getTime() - plan.lookbackDays * DAY_MS);
  const set = await source.load({ featureService: spec.featureService, labelSql: spec.labelSource.sql, start, end });
  await hooks.onProgress?.(0.05);

  const { labelColumn, joinKeys, referenceScoreColumn } = spec.labelSource;
  const reserved = new Set<string>([...joinKeys, 'event_timestamp', labelColumn, ...(referenceScoreColumn ? [referenceScoreColumn] : [])]);
  const columns = new Set<string>();
  for (const row of set.rows.slice(0, 1000)) for (const k of Object.keys(row)) if (!reserved.has(k) && k.includes('__')) columns.add(k);
  const { columns: featureColumns, features, viewVersions } = featureInputsOf([...columns], set.featureRefs);
  if (set.rows.length > 0 && features.length === 0) {
    throw new TrainingSpecError(`feature service ${spec.featureService} returned no \`view__feature\` columns`, 'NO_FEATURES');
  }

  interface Example {
    ts: number;
    timestamp: string;
    keys: Record<string, string | number>;
    label: number;
    /** Multiclass: the row's class. */
    className?: string;
    record: RawRecord;
    reference: number | null;
  }
  const examples: Example[] = [];
  let unlabeled = 0;
  for (const row of set.rows as TrainingRow[]) {
    const label = labelValue(row[labelColumn], spec.task);
    if (label === null) {
      unlabeled++;
      continue;
    }
    const record: RawRecord = {};
    featureColumns.forEach((c, i) => (record[features[i]] = row[c]));
    // A missing reference (null) must stay missing: Number(null) would read as a score of 0.
    const rawRef = referenceScoreColumn ? row[referenceScoreColumn] : null;
    const ref = rawRef === null || rawRef === undefined || rawRef === '' ? Number.NaN : Number(rawRef);
    const keys: Record<string, string | number> = {};
    for (const k of joinKeys) keys[k] = row[k] as string | number;
    const timestamp = String(row['event_timestamp']);
    const className = spec.task === 'multiclass_classification' ? classNameOf(row[labelColumn]) : undefined;
    examples.push({ ts: Date.parse(timestamp), timestamp, keys, label, className, record, reference: Number.isFinite(ref) ? ref : null });
  }
  if (examples.length === 0) {
    throw new TrainingSpecError(`the training set between ${start.toISOString()} and ${end.toISOString()} has no labelled rows (${unlabeled} without a label)`, 'EMPTY_TRAINING_SET');
  }
  const algorithm = spec.algorithm;
  const folds = plan.kind === 'random' ? plan.folds : undefined;
  const splitSeed = splitSeedOf(spec.name);
  const identityOf = (e: Example) => `${JSON.stringify(e.keys)}@${e.timestamp}`;
  const stratify = plan.kind === 'random' ? (plan.stratify ?? spec.task !== 'regression') : false;
  /** What stratification keeps the share of: the class (a multiclass row's name, a binary row's 0/1). */
  const classOf = (e: Example) => e.className ?? e.label;
  // Under k-fold cross-validation the folds are the validation rows; otherwise a validation share (early stopping needs one).
  const validationFraction = folds ? 0 : validationFractionOf(spec);
  const split =
    plan.kind === 'random'
      ? {
          ...randomSplit(examples, identityOf, classOf, {
            testFraction: plan.testFraction,
            validationFraction,
            stratify,
            // The model's own seed for its split, not the run's: a new training seed must not move
            // rows the champion trained on into the rows it is judged on.
            seed: splitSeed,
          }),
          holdoutStart: start,
        }
      : timeSplit(examples, (e) => e.ts, { end, holdoutDays: plan.holdoutDays, validationFraction });
  if (split.train.length === 0) throw new TrainingSpecError(plan.kind === 'random' ? 'no rows left to train on' : 'no rows before the held-out window: widen lookbackDays or shorten holdoutDays', 'EMPTY_TRAINING_SPLIT');
  if (split.holdout.length === 0) throw new TrainingSpecError('no held-out rows: the gate would have nothing to judge', 'EMPTY_HOLDOUT');
  if (job.trial && !folds && split.validation.length === 0) {
    throw new TrainingSpecError('a trial is judged on validation rows, and this split has none: set split.validationFraction or split.folds', 'TRIAL_WITHOUT_VALIDATION');
  }
  const multiclass = spec.task === 'multiclass_classification';
  const classes = multiclass ? classIndexes(split.train, examples) : undefined;
  const classCount = classes?.length;
  /** Outputs per row: each class's probability for multiclass, else one. */
  const outWidth = classCount ?? 1;

  const primary = spec.primaryMetric;
  const labelsOf = (list: Example[]) => Float32Array.from(list, (e) => e.label);

  /**
   * Fits preprocessing on `train` only, then the model (early stopping on `validation` when given);
   * `score` transforms any other rows with that preprocessing and scores them.
   */
  const fit = async (train: Example[], validation: Example[], kindAlgorithm: typeof algorithm, progress: { from: number; to: number; curve: boolean }) => {
    // A kind that reads raw numeric values (a rule) gets them unscaled, recorded so in the artifact.
    const preprocessing = fitPreprocessing(train.map((e) => e.record), features, { standardise: !kindForAlgorithm(kindAlgorithm.kind).rawNumericInputs });
    const coerce = (list: Example[]) => coerceNumericColumns(list.map((e) => e.record), preprocessing);
    const trainX = coerce(train);
    const validationX = coerce(validation);
    const xTrain = applyToRows(preprocessing, trainX);
    const yTrain = labelsOf(train);
    const trained = await trainKind(kindForAlgorithm(kindAlgorithm.kind), {
      task: spec.task,
      algorithm: kindAlgorithm,
      seed: job.seed,
      width: preprocessing.outputWidth,
      preprocessing,
      x: xTrain,
      y: yTrain,
      classCount,
      xValidation: validationX.length ? applyToRows(preprocessing, validationX) : undefined,
      yValidation: validationX.length ? labelsOf(validation) : undefined,
      validationMetric: (labels, predictions) => evaluate(spec.task, labels, predictions)[primary] ?? Number.NaN,
      onEpoch: (point, planned) => hooks.onProgress?.(progress.from + (progress.to - progress.from) * (point.epoch / planned), progress.curve ? point : undefined),
      shouldStop: hooks.shouldStop,
    });
    const score = (list: Example[]) => trained.predictor.predict(applyToRows(preprocessing, coerce(list)), list.length);
    return { preprocessing, trainX, xTrain, yTrain, trained, score };
  };

  const metrics: TrainingOutcome['metrics'] = {};
  let crossValidation: CrossValidation | null = null;
  let finalAlgorithm = algorithm;
  let foldCurves: EpochPoint[] = [];
  if (folds) {
    // k-fold cross-validation of the non-test rows: each fold validates a model trained on the others.
    const assignment = kFoldAssignment(split.train, identityOf, classOf, { folds, stratify, seed: splitSeed });
    const outOfFold = new Float32Array(split.train.length * outWidth);
    const values: number[] = [];
    const foldRows: number[] = [];
    const bestEpochs: number[] = [];
    const curvesByFold: EpochPoint[][] = [];
    const share = 0.85 / (job.trial ? folds : folds + 1);
    for (let f = 0; f < folds; f++) {
      const inFold = split.train.filter((_, i) => assignment[i] === f);
      const rest = split.train.filter((_, i) => assignment[i] !== f);
      if (inFold.length === 0 || rest.length === 0) throw new TrainingSpecError(`${split.train.length} rows cannot make ${folds} folds`, 'TOO_FEW_ROWS_FOR_FOLDS');
      const model = await fit(rest, inFold, algorithm, { from: 0.05 + f * share, to: 0.05 + (f + 1) * share, curve: false });
      try {
        const predictions = model.score(inFold);
        values.push(evaluate(spec.task, labelsOf(inFold), predictions)[primary] ?? Number.NaN);
        let k = 0;
        split.train.forEach((_, i) => assignment[i] === f && outOfFold.set(predictions.subarray(outWidth * k, outWidth * ++k), outWidth * i));
      } finally {
        model.trained.predictor.dispose();
      }
      foldRows.push(inFold.length);
      curvesByFold.push(model.trained.curves);
      bestEpochs.push(bestEpochOf(model.trained.curves));
    }
    crossValidation = { metric: primary, folds, values, ...meanAndSpread(values), foldRows };
    metrics['validation'] = evaluate(spec.task, labelsOf(split.train), outOfFold);
    foldCurves = meanCurve(curvesByFold);
    // The final model trains on every fold; with no rows left to stop on, it trains as long as the folds' models did at their best.
    if (algorithm.kind !== 'baseline' && 'earlyStopping' in algorithm && algorithm.earlyStopping) {
      const { earlyStopping: _stopping, ...rest } = algorithm;
      finalAlgorithm = { ...rest, epochs: Math.max(1, Math.round(bestEpochs.reduce((a, b) => a + b, 0) / bestEpochs.length)) } as typeof algorithm;
    }
    if (job.trial) {
      return trialOutcome(split.train, outOfFold, foldCurves);
    }
  }

  const from = folds ? 0.05 + (0.85 * folds) / (folds + 1) : 0.05;
  const final = await fit(split.train, split.validation, finalAlgorithm, { from, to: 0.9, curve: true });
  const { preprocessing, trainX, xTrain, yTrain, trained } = final;
  const curves: EpochPoint[] = folds ? foldCurves : trained.curves;
  if (job.trial) {
    try {
      metrics['train'] = evaluate(spec.task, yTrain, trained.predictor.predict(xTrain, yTrain.length));
      const scores = final.score(split.validation);
      metrics['validation'] = evaluate(spec.task, labelsOf(split.validation), scores);
      return trialOutcome(split.validation, scores, curves);
    } finally {
      trained.predictor.dispose();
    }
  }

  /** A trial's outcome: judged on its validation rows (or folds) only; the test rows were never scored. */
  function trialOutcome(rows: Example[], scores: Float32Array, trialCurves: EpochPoint[]): TrainingOutcome {
    return {
      artifact: null,
      metrics,
      curves: trialCurves,
      calibration: null,
      crossValidation,
      dataset: datasetOf('validation'),
      featureServiceVersion: set.featureServiceVersion,
      championError: null,
      holdout: rows.map((e, i) => keptRow(e, scores, i)),
    };
  }
  /** A judged row as the run keeps it: its score, and for multiclass each class's probability (the score is the predicted class's). */
  function keptRow(e: Example, scores: Float32Array, i: number): HoldoutPrediction {
    if (!classCount) return { keys: e.keys, event_timestamp: e.timestamp, label: e.label, score: scores[i], features: { ...e.record } };
    const probabilities = Array.from(scores.subarray(i * classCount, (i + 1) * classCount));
    return { keys: e.keys, event_timestamp: e.timestamp, label: e.label, score: probabilities[argmaxOf(probabilities, 0, classCount)], probabilities, features: { ...e.record } };
  }
  function datasetOf(evaluatedOn: 'test' | 'validation'): TrainingOutcome['dataset'] {
    return {
      fingerprint: set.fingerprint,
      rows: examples.length,
      trainRows: split.train.length,
      validationRows: split.validation.length,
      holdoutRows: split.holdout.length,
      start: start.toISOString(),
      end: end.toISOString(),
      holdoutStart: split.holdoutStart.toISOString(),
      split: plan.kind ?? 'time',
      ...(plan.kind === 'random' ? { splitSeed } : {}),
      ...(folds ? { folds } : {}),
      evaluatedOn,
    };
  }

  const width = preprocessing.outputWidth;
  const holdoutRecords = coerceNumericColumns(split.holdout.map((e) => e.record), preprocessing);
  const yHoldout = labelsOf(split.holdout);
  const xHoldout = applyToRows(preprocessing, holdoutRecords);

  // The baseline every candidate must beat, scored on the same window.
  const baseline = await kindForAlgorithm('baseline').train({ task: spec.task, algorithm: { kind: 'baseline' }, seed: job.seed, width, x: xTrain, y: yTrain, classCount });
  metrics['baseline'] = evaluate(spec.task, yHoldout, baseline.predictor.predict(xHoldout, yHoldout.length));
  const model: ArtifactDraft['model'] = trained.model;
  let holdoutPredictions: Float32Array;
  try {
    holdoutPredictions = trained.predictor.predict(xHoldout, yHoldout.length);
    metrics['candidate'] = evaluate(spec.task, yHoldout, holdoutPredictions);
    metrics['train'] = evaluate(spec.task, yTrain, trained.predictor.predict(xTrain, yTrain.length));
    if (split.validation.length) metrics['validation'] = evaluate(spec.task, labelsOf(split.validation), final.score(split.validation));
  } finally {
    trained.predictor.dispose();
    baseline.predictor.dispose();
  }

  const references = split.holdout.map((e) => e.reference);
  if (referenceScoreColumn && references.every((r) => r !== null)) {
    metrics['reference'] = evaluate(spec.task, yHoldout, Float32Array.from(references as number[]));
  }

  // The champion is judged now, on this run's held-out window, with its own preprocessing.
  let championError: string | null = null;
  if (job.champion) {
    try {
      const champion = decodeArtifact(job.champion.artifactJson, job.champion.sha256);
      if (champion.task !== spec.task) throw new Error(`the champion is a ${champion.task} model, the candidate a ${spec.task} one`);
      const scored = await predictWithArtifact(champion, holdoutRecords);
      metrics['champion'] = evaluate(spec.task, yHoldout, classes ? alignClasses(scored, champion.classes ?? [], classes) : scored);
    } catch (e) {
      championError = e instanceof Error ? e.message : String(e);
    }
  }
  await hooks.onProgress?.(0.98);

  const artifact: ArtifactDraft = {
    format: 'mlp-model/v1',
    name: spec.name,
    task: spec.task,
    ...(classes ? { classes } : {}),
    algorithm: algorithm.kind,
    features,
    featureService: spec.featureService,
    ...(viewVersions ? { featureViewVersions: viewVersions } : {}),
    preprocessing,
    signature: signatureOf(spec, preprocessing, set.featureTypes ?? {}, classCount ?? 1),
    trainingBaseline: trainingBaseline(trainX, preprocessing),
    model,
  };
  return {
    artifact,
    metrics,
    curves,
    calibration: spec.task === 'binary_classification' ? calibration(yHoldout, holdoutPredictions).bins : null,
    crossValidation,
    dataset: datasetOf('test'),
    featureServiceVersion: set.featureServiceVersion,
    championError,
    holdout: split.holdout.map((e, i) => keptRow(e, holdoutPredictions, i)),
  };
}
