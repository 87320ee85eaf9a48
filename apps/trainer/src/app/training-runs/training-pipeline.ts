import type { EpochPoint, ModelArtifact, ModelSpec, Preprocessing, TensorSpec } from '@mlp/contracts';
import { decodeArtifact } from '../artifacts/artifact-codec';
import { randomSplit } from '../datasets/random-split';
import { timeSplit } from '../datasets/time-split';
import { calibration, evaluate, type CalibrationBin } from '../evaluation/metrics';
import { predictWithArtifact } from '../models/artifact-predictor';
import { applyToRows, coerceNumericColumns, fitPreprocessing, kindForAlgorithm, ModelSpecError, rawInputSignature, type FeatureType, type ModelKind, type RawRecord, type TrainedModel, type TrainInput } from '@mlp/model-runtime';
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
}

export type ArtifactDraft = Omit<ModelArtifact, 'version'>;

export interface TrainingOutcome {
  artifact: ArtifactDraft;
  /** Held-out metrics by subject: candidate, baseline, champion (re-scored now), reference, plus training fit. */
  metrics: Record<string, Record<string, number>>;
  curves: EpochPoint[];
  /** Reliability diagram of the candidate on the held-out window (classification). */
  calibration: CalibrationBin[] | null;
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
  };
  featureServiceVersion: string | null;
  championError: string | null;
  /** The candidate's score of each held-out row with the raw features it was given: what serving must answer for them. */
  holdout: HoldoutPrediction[];
}

/** One held-out row as the trainer scored it. */
export interface HoldoutPrediction {
  keys: Record<string, string | number>;
  event_timestamp: string;
  label: number;
  score: number;
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

/** The model takes its raw features (typed as the feature store declares them) and answers one value per row. */
function signatureOf(spec: ModelSpec, preprocessing: Preprocessing, types: Readonly<Record<string, FeatureType>>) {
  const outputs: TensorSpec[] = [{ name: spec.task === 'binary_classification' ? 'probability' : 'prediction', datatype: 'FP32', shape: [-1] }];
  return { inputs: rawInputSignature(preprocessing, types), outputs };
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
    examples.push({ ts: Date.parse(timestamp), timestamp, keys, label, record, reference: Number.isFinite(ref) ? ref : null });
  }
  if (examples.length === 0) {
    throw new TrainingSpecError(`the training set between ${start.toISOString()} and ${end.toISOString()} has no labelled rows (${unlabeled} without a label)`, 'EMPTY_TRAINING_SET');
  }
  const algorithm = spec.algorithm;
  const validationFraction = 'earlyStopping' in algorithm && algorithm.earlyStopping ? (plan.validationFraction ?? 0.1) : (plan.validationFraction ?? 0);
  const split =
    plan.kind === 'random'
      ? {
          ...randomSplit(examples, (e) => `${JSON.stringify(e.keys)}@${e.timestamp}`, (e) => e.label, {
            testFraction: plan.testFraction,
            validationFraction,
            stratify: plan.stratify ?? spec.task === 'binary_classification',
            // The model's own seed for its split, not the run's: a new training seed must not move
            // rows the champion trained on into the rows it is judged on.
            seed: splitSeedOf(spec.name),
          }),
          holdoutStart: start,
        }
      : timeSplit(examples, (e) => e.ts, { end, holdoutDays: plan.holdoutDays, validationFraction });
  if (split.train.length === 0) throw new TrainingSpecError(plan.kind === 'random' ? 'no rows left to train on' : 'no rows before the held-out window: widen lookbackDays or shorten holdoutDays', 'EMPTY_TRAINING_SPLIT');
  if (split.holdout.length === 0) throw new TrainingSpecError('no held-out rows: the gate would have nothing to judge', 'EMPTY_HOLDOUT');

  // Fitted on the training split only; validation and held-out rows are transformed with it. A kind
  // that reads raw numeric values (a rule) gets them unscaled, recorded so in the artifact.
  const kind = kindForAlgorithm(algorithm.kind);
  const trainRecords = split.train.map((e) => e.record);
  const preprocessing = fitPreprocessing(trainRecords, features, { standardise: !kind.rawNumericInputs });
  const coerce = (list: Example[]) => coerceNumericColumns(list.map((e) => e.record), preprocessing);
  const [trainX, validationX, holdoutRecords] = [coerce(split.train), coerce(split.validation), coerce(split.holdout)];
  const width = preprocessing.outputWidth;
  const labelsOf = (list: Example[]) => Float32Array.from(list, (e) => e.label);
  const yTrain = labelsOf(split.train);
  const yHoldout = labelsOf(split.holdout);
  const xTrain = applyToRows(preprocessing, trainX);
  const xHoldout = applyToRows(preprocessing, holdoutRecords);

  // The baseline every candidate must beat, scored on the same window.
  const baseline = await kindForAlgorithm('baseline').train({ task: spec.task, algorithm: { kind: 'baseline' }, seed: job.seed, width, x: xTrain, y: yTrain });
  const metrics: TrainingOutcome['metrics'] = { baseline: evaluate(spec.task, yHoldout, baseline.predictor.predict(xHoldout, yHoldout.length)) };
  const primary = spec.primaryMetric;
  const trained =
    algorithm.kind === 'baseline'
      ? baseline
      : await trainKind(kind, {
          task: spec.task,
          algorithm,
          seed: job.seed,
          width,
          preprocessing,
          x: xTrain,
          y: yTrain,
          xValidation: validationX.length ? applyToRows(preprocessing, validationX) : undefined,
          yValidation: validationX.length ? labelsOf(split.validation) : undefined,
          validationMetric: (labels, predictions) => evaluate(spec.task, labels, predictions)[primary] ?? Number.NaN,
          onEpoch: (point, planned) => hooks.onProgress?.(0.05 + 0.85 * (point.epoch / planned), point),
          shouldStop: hooks.shouldStop,
        });
  const curves: EpochPoint[] = trained.curves;
  const model: ArtifactDraft['model'] = trained.model;
  let holdoutPredictions: Float32Array;
  try {
    holdoutPredictions = trained.predictor.predict(xHoldout, yHoldout.length);
    metrics['candidate'] = evaluate(spec.task, yHoldout, holdoutPredictions);
    metrics['train'] = evaluate(spec.task, yTrain, trained.predictor.predict(xTrain, yTrain.length));
  } finally {
    trained.predictor.dispose();
    if (trained !== baseline) baseline.predictor.dispose();
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
      metrics['champion'] = evaluate(spec.task, yHoldout, await predictWithArtifact(champion, holdoutRecords));
    } catch (e) {
      championError = e instanceof Error ? e.message : String(e);
    }
  }
  await hooks.onProgress?.(0.98);

  const artifact: ArtifactDraft = {
    format: 'mlp-model/v1',
    name: spec.name,
    task: spec.task,
    algorithm: algorithm.kind,
    features,
    featureService: spec.featureService,
    ...(viewVersions ? { featureViewVersions: viewVersions } : {}),
    preprocessing,
    signature: signatureOf(spec, preprocessing, set.featureTypes ?? {}),
    trainingBaseline: trainingBaseline(trainX, preprocessing),
    model,
  };
  return {
    artifact,
    metrics,
    curves,
    calibration: spec.task === 'binary_classification' ? calibration(yHoldout, holdoutPredictions).bins : null,
    dataset: {
      fingerprint: set.fingerprint,
      rows: examples.length,
      trainRows: split.train.length,
      validationRows: split.validation.length,
      holdoutRows: split.holdout.length,
      start: start.toISOString(),
      end: end.toISOString(),
      holdoutStart: split.holdoutStart.toISOString(),
      split: plan.kind ?? 'time',
    },
    featureServiceVersion: set.featureServiceVersion,
    championError,
    holdout: split.holdout.map((e, i) => ({ keys: e.keys, event_timestamp: e.timestamp, label: e.label, score: holdoutPredictions[i], features: { ...e.record } })),
  };
}
