import type { FeatureTransform, ModelArtifact, TensorSpec } from '@mlp/contracts';
import { preprocessColumns, widthOf, type RawColumn } from '@mlp/model-runtime';
import { PlatformError } from '@mlp/runtime';
import { badInfer, InferErrorCode } from '../errors/inference-error';

/** A feature value as the feature store and the prediction log carry it. */
export type FeatureValue = number | string | boolean | null;

/**
 * A batch on its way into a model, the same for every route (V2, TF-Serving, by entity, batch
 * scoring): the raw values, one column per model input, and the matrix the artifact's
 * preprocessing made of them. Each protocol makes its raw columns its own way; `modelRows` is the
 * one way from raw columns to the model.
 */
export interface ModelRows {
  rows: number;
  matrix: Float32Array;
  /** The raw inputs in the artifact's feature order (`preprocessing.features`): what drift watches and the log keeps. */
  columns: readonly RawColumn[];
  /** The entity of each row, for rows of entity-keyed requests (logged with the prediction). */
  entities?: ReadonlyArray<Record<string, string | number>>;
}

/** What a model takes, by name: computed once per artifact. */
export interface InputLayout {
  index: Map<string, number>;
  transforms: readonly FeatureTransform[];
  specs: readonly TensorSpec[];
  names: readonly string[];
}

// Artifacts never change once loaded: their layout is computed once, not per request.
const layouts = new WeakMap<ModelArtifact, InputLayout>();
export function inputLayout(artifact: ModelArtifact): InputLayout {
  let layout = layouts.get(artifact);
  if (!layout) {
    const transforms = artifact.preprocessing.features;
    const names = transforms.map((t) => t.name);
    layout = { index: new Map(names.map((n, i) => [n, i])), transforms, specs: artifact.signature.inputs, names };
    layouts.set(artifact, layout);
  }
  return layout;
}

/**
 * Model rows from raw columns in the artifact's feature order: the preprocessing recorded in the
 * artifact, then a check that every model input is finite (a raw value can be finite and still
 * overflow float32 once standardised), which would otherwise come back as a non-finite answer.
 */
export function modelRows(artifact: ModelArtifact, columns: readonly RawColumn[], rows: number): ModelRows {
  const matrix = preprocessColumns(artifact.preprocessing, columns, rows);
  for (let at = 0; at < matrix.length; at++) {
    if (!Number.isFinite(matrix[at])) throw outOfRange(artifact, columns, at);
  }
  return { rows, matrix, columns };
}

function outOfRange(artifact: ModelArtifact, columns: readonly RawColumn[], at: number): PlatformError {
  const width = artifact.preprocessing.outputWidth;
  const row = Math.floor(at / width);
  let col = at % width;
  const features = artifact.preprocessing.features;
  let i = 0;
  for (; i < features.length; i++) {
    const w = widthOf(features[i]);
    if (col < w) break;
    col -= w;
  }
  const name = features[i]?.name ?? '?';
  return badInfer(InferErrorCode.INPUT_OUT_OF_RANGE, `input ${name} row ${row}: ${String(columns[i]?.[row])} is outside the range the model can take`, name);
}
