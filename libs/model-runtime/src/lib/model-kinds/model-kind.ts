import type { Algorithm, EpochPoint, ModelArtifact, ModelTask, Preprocessing } from '@mlp/contracts';

/** The model part of an `mlp-model/v1` artifact: what a kind writes and reads back. */
export type ArtifactModel = ModelArtifact['model'];

/** Outputs per row of a model of `task`: one probability per class for multiclass, else one value. */
export function outputWidthOf(task: ModelTask, classCount?: number): number {
  if (task !== 'multiclass_classification') return 1;
  if (!classCount || classCount < 2) throw new Error(`a multiclass model needs at least 2 classes, not ${classCount ?? 'none'}`);
  return classCount;
}

/**
 * A loaded model: row-major inputs (the preprocessing's width per row) to `outWidth` outputs per
 * row, row-major (1 for binary classification and regression, one probability per class for
 * multiclass).
 */
export interface Predictor {
  predict(matrix: Float32Array, rows: number): Float32Array;
  /** Outputs per row. */
  readonly outWidth: number;
  /** How it computes, for logs and metrics: e.g. `linear`, `dense-js`, `tfjs`. */
  readonly engine: string;
  dispose(): void;
}

export interface TrainInput {
  task: ModelTask;
  algorithm: Algorithm;
  seed: number;
  /** Width of the model vector (the preprocessing's output width). */
  width: number;
  /** The transforms that made `x`: for kinds that read features by name (a rule). */
  preprocessing?: Preprocessing;
  x: Float32Array;
  /** Labels, one per row; multiclass: the class index, 0 .. classCount - 1. */
  y: Float32Array;
  /** Multiclass: how many classes (the outputs per row). */
  classCount?: number;
  xValidation?: Float32Array;
  yValidation?: Float32Array;
  /** The primary metric on validation predictions (`rows x outWidth`), for the curve. */
  validationMetric?: (labels: Float32Array, predictions: Float32Array) => number;
  onEpoch?: (point: EpochPoint, epochsPlanned: number) => void | Promise<void>;
  /** Checked between epochs: a cancelled run stops promptly. */
  shouldStop?: () => boolean;
}

export interface TrainedModel {
  /** What goes into the artifact. */
  model: ArtifactModel;
  curves: EpochPoint[];
  /** The trained model, ready to score (the held-out window, the champion's rows). */
  predictor: Predictor;
}

/**
 * One kind of model, in one file: how it trains, what it writes into the artifact, and how the
 * artifact becomes a predictor again. The trainer and model-serving both go through this, so a
 * model is served by the code that defines it. A new kind is a new file implementing this, added
 * to the registry (`model-kinds.ts`), plus its entries in the spec and artifact contracts.
 */
export interface ModelKind {
  /** Spec algorithms (`algorithm.kind`) this kind trains. */
  readonly algorithms: ReadonlyArray<Algorithm['kind']>;
  /** Tasks it trains; every task when absent. A spec pairing it with another task is refused when saved. */
  readonly tasks?: ReadonlyArray<ModelTask>;
  /** The artifact `model.kind` it writes and loads. */
  readonly artifactKind: ArtifactModel['kind'];
  /** The Open Inference Protocol `platform` of models of this kind. */
  readonly platform: string;
  /**
   * The kind reads numeric features as they are, not standardised: training fits the preprocessing
   * without scaling (mean 0, std 1, no clip/log1p), and since the artifact records that
   * preprocessing, every serving route gives the model the same raw values. Default: standardised.
   */
  readonly rawNumericInputs?: boolean;
  train(input: TrainInput): Promise<TrainedModel>;
  /** Loads an artifact's model; throws (with a reason) when it is not a usable model of `inWidth` inputs. */
  load(model: ArtifactModel, inWidth: number): Promise<Predictor>;
}

/**
 * A model that cannot be trained as specified (a rule naming a feature the model does not have, a
 * forest too large to serve): retrying will not help. `code` is machine-readable.
 */
export class ModelSpecError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ModelSpecError';
  }
}
