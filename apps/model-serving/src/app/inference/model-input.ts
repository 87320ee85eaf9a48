import type { FeatureTransform, ModelArtifact, TensorSpec } from '@mlp/contracts';
import { acceptsDatatype, numericValue, preprocessColumns, widthOf, type RawColumn } from '@mlp/model-runtime';
import { PlatformError } from '@mlp/runtime';
import { badInfer, InferErrorCode, tooLarge } from '../errors/inference-error';
import type { OutputTensor, ParsedTensor } from './v2-protocol';

/** A feature value as the feature store and the prediction log carry it. */
export type FeatureValue = number | string | boolean | null;

/**
 * A batch on its way into a model, the same for every route (V2, TF-Serving, by entity, batch
 * scoring): the raw values, one column per model input, and the matrix the artifact's
 * preprocessing made of them.
 */
export interface ModelRows {
  rows: number;
  matrix: Float32Array;
  /** The raw inputs in the artifact's feature order (`preprocessing.features`): what drift watches. */
  columns: readonly RawColumn[];
  /**
   * The raw inputs as logged to the warehouse: for a model whose inputs are all numeric, one
   * row-major array of numbers (NaN for a missing value) under the feature names, with no object per
   * row; otherwise one object per row.
   */
  logged: Array<Record<string, FeatureValue>> | { keys: readonly string[]; values: Float64Array };
}

interface InputLayout {
  index: Map<string, number>;
  transforms: readonly FeatureTransform[];
  specs: readonly TensorSpec[];
  names: readonly string[];
  allNumeric: boolean;
}

// Artifacts never change once loaded: their layout is computed once, not per request.
const layouts = new WeakMap<ModelArtifact, InputLayout>();
function layoutOf(artifact: ModelArtifact): InputLayout {
  let layout = layouts.get(artifact);
  if (!layout) {
    const transforms = artifact.preprocessing.features;
    const names = transforms.map((t) => t.name);
    layout = { index: new Map(names.map((n, i) => [n, i])), transforms, specs: artifact.signature.inputs, names, allNumeric: transforms.every((t) => t.kind === 'numeric') };
    layouts.set(artifact, layout);
  }
  return layout;
}

/**
 * Turns parsed V2 tensors into model rows. Every input of the model is one raw feature (the
 * signature is checked to say so when the version loads): one tensor each, shape [n] or [n, 1],
 * any numeric datatype for a numeric feature and BYTES for a categorical one, JSON null for a
 * missing value (filled as in training). There is no other reading of a request.
 */
export function assembleRows(artifact: ModelArtifact, tensors: ParsedTensor[], maxRows: number): ModelRows {
  const { index, transforms, specs, names } = layoutOf(artifact);
  const columns: RawColumn[] = new Array(names.length);
  let rows = -1;
  for (const t of tensors) {
    const i = index.get(t.name);
    if (i === undefined) throw badInfer(InferErrorCode.UNKNOWN_INPUT, `the model has no input ${t.name} (inputs: ${names.join(', ')})`);
    if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) {
      throw badInfer(InferErrorCode.SHAPE_MISMATCH, `input ${t.name} has shape ${JSON.stringify(t.shape)}; a raw feature is [n] or [n, 1]`);
    }
    if (rows >= 0 && t.shape[0] !== rows) throw badInfer(InferErrorCode.SHAPE_MISMATCH, 'all inputs must have the same batch size');
    rows = t.shape[0];
    if (!acceptsDatatype(transforms[i], t.datatype)) {
      const takes = transforms[i].kind === 'numeric' ? `${specs[i].datatype} (or another numeric datatype)` : 'BYTES';
      throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `input ${t.name} takes ${takes}, got ${t.datatype}`);
    }
    columns[i] = t.data;
  }
  const missing = names.filter((_, i) => columns[i] === undefined);
  if (missing.length) throw badInfer(InferErrorCode.MISSING_INPUT, `inputs ${missing.join(', ')} are required (send null for a missing value)`);
  if (rows === 0) throw badInfer(InferErrorCode.SHAPE_MISMATCH, 'the batch is empty');
  if (rows > maxRows) throw tooLarge(`${rows} rows exceed the limit of ${maxRows} per request`);
  return modelRows(artifact, columns, rows);
}

/**
 * Model rows from raw columns in the artifact's feature order: the preprocessing recorded in the
 * artifact, then a check that every model input is finite (a raw value can be finite and still
 * overflow float32 once standardised), which would otherwise come back as a non-finite answer.
 */
export function modelRows(artifact: ModelArtifact, columns: readonly RawColumn[], rows: number): ModelRows {
  const layout = layoutOf(artifact);
  const matrix = preprocessColumns(artifact.preprocessing, columns, rows);
  for (let at = 0; at < matrix.length; at++) {
    if (!Number.isFinite(matrix[at])) throw outOfRange(artifact, columns, at);
  }
  return { rows, matrix, columns, logged: layout.allNumeric ? numericLog(layout, columns, rows) : recordLog(layout, columns, rows) };
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

function numericLog(layout: InputLayout, columns: readonly RawColumn[], rows: number) {
  const n = layout.names.length;
  const values = new Float64Array(rows * n);
  for (let j = 0; j < n; j++) {
    const column = columns[j];
    for (let r = 0; r < rows; r++) values[r * n + j] = numericValue(column[r]) ?? Number.NaN;
  }
  return { keys: layout.names, values };
}

function recordLog(layout: InputLayout, columns: readonly RawColumn[], rows: number) {
  const out: Array<Record<string, FeatureValue>> = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const record: Record<string, FeatureValue> = {};
    for (let j = 0; j < layout.names.length; j++) record[layout.names[j]] = (columns[j][r] ?? null) as FeatureValue;
    out[r] = record;
  }
  return out;
}

/** Row r of the logged inputs as an object (what the prediction log record carries). */
export function loggedRow(logged: ModelRows['logged'], r: number): Record<string, FeatureValue> {
  if (Array.isArray(logged)) return logged[r];
  const { keys, values } = logged;
  const row: Record<string, FeatureValue> = {};
  for (let j = 0; j < keys.length; j++) {
    const v = values[r * keys.length + j];
    row[keys[j]] = Number.isNaN(v) ? null : v;
  }
  return row;
}

/** Splits the model's per-row output into the signature's output tensors. */
export function outputTensors(artifact: ModelArtifact, out: Float32Array, rows: number): OutputTensor[] {
  const total = out.length / rows;
  let offset = 0;
  return artifact.signature.outputs.map((spec) => {
    const width = spec.shape.slice(1).reduce((a, b) => a * b, 1);
    const data: number[] = new Array(rows * width);
    for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) data[r * width + j] = out[r * total + offset + j];
    offset += width;
    return { name: spec.name, datatype: spec.datatype, shape: [rows, ...spec.shape.slice(1)], data };
  });
}
