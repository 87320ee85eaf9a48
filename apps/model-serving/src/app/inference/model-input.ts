import type { ModelArtifact, TensorSpec } from '@mlp/contracts';
import { applyPreprocessing, type RawValue, type RowReport } from '../preprocessing/apply-preprocessing';
import { badInfer, InferErrorCode, tooLarge } from './inference-error';
import type { OutputTensor, ParsedTensor } from './v2-protocol';

/** A feature value as the feature store and the prediction log carry it. */
export type FeatureValue = number | string | boolean | null;

/** Rows ready for the model plus what gets logged and watched for drift. */
export interface ModelRows {
  rows: number;
  matrix: Float32Array;
  /**
   * The inputs as logged to the warehouse: per row, raw feature values by name (raw features and
   * entity rows); or, for tensors in the model's signature, which are all numbers, the vector's
   * columns as one row-major array under stable names (`numbers`), with no object per row.
   */
  logged: Array<Record<string, FeatureValue>> | { keys: readonly string[]; values: Float64Array };
  /** Per row: raw feature values for drift monitoring. */
  raw: Array<Record<string, RawValue>>;
  reports?: RowReport[];
}

const NUMERIC = new Set(['BOOL', 'UINT8', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64']);

// Artifacts never change once loaded: their name sets are computed once, not per request.
const nameSets = new WeakMap<ModelArtifact, { signature: Set<string>; features: Set<string> }>();
function namesOf(artifact: ModelArtifact) {
  let sets = nameSets.get(artifact);
  if (!sets) {
    sets = { signature: new Set(artifact.signature.inputs.map((i) => i.name)), features: new Set(artifact.preprocessing.features.map((f) => f.name)) };
    nameSets.set(artifact, sets);
  }
  return sets;
}

/** Raw-feature inputs: the request names the preprocessing's features instead of the signature's tensors. */
export function isRawFeatureRequest(artifact: ModelArtifact, names: string[]): boolean {
  const { signature, features } = namesOf(artifact);
  return names.every((n) => features.has(n)) && !names.every((n) => signature.has(n));
}

/**
 * Turns parsed V2 tensors into the model's input matrix. Signature mode: tensors named by the
 * signature, batched along dimension 0, concatenated per row in signature order (the preprocessed
 * vector). Raw mode: one tensor per raw feature ([n] or [n, 1]), nulls allowed, run through the
 * artifact's preprocessing (missing features are filled and reported).
 */
export function assembleRows(artifact: ModelArtifact, tensors: ParsedTensor[], maxRows: number): ModelRows {
  const names = tensors.map((t) => t.name);
  if (isRawFeatureRequest(artifact, names)) return assembleRaw(artifact, tensors, maxRows);
  const { signature } = namesOf(artifact);
  for (const t of tensors) {
    if (!signature.has(t.name)) {
      throw badInfer(InferErrorCode.UNKNOWN_INPUT, `the model has no input ${t.name} (inputs: ${artifact.signature.inputs.map((s) => s.name).join(', ')})`);
    }
  }
  let rows = -1;
  const specs: Array<{ spec: TensorSpec; tensor: ParsedTensor; width: number; keys: string[] }> = [];
  for (const spec of artifact.signature.inputs) {
    const tensor = tensors.find((t) => t.name === spec.name);
    if (!tensor) throw badInfer(InferErrorCode.MISSING_INPUT, `input ${spec.name} is required`);
    if (tensor.datatype !== spec.datatype) throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `input ${spec.name} takes ${spec.datatype}, got ${tensor.datatype}`);
    if (tensor.shape.length !== spec.shape.length || spec.shape.some((d, i) => d !== -1 && d !== tensor.shape[i] && i > 0)) {
      throw badInfer(InferErrorCode.SHAPE_MISMATCH, `input ${spec.name} has shape ${JSON.stringify(tensor.shape)}, the model takes ${JSON.stringify(spec.shape)}`);
    }
    if (spec.shape[0] !== -1 && spec.shape[0] !== tensor.shape[0]) {
      throw badInfer(InferErrorCode.SHAPE_MISMATCH, `input ${spec.name} has batch ${tensor.shape[0]}, the model takes ${spec.shape[0]}`);
    }
    if (rows >= 0 && tensor.shape[0] !== rows) throw badInfer(InferErrorCode.SHAPE_MISMATCH, 'all inputs must have the same batch size');
    rows = tensor.shape[0];
    const width = tensor.data.length / Math.max(rows, 1);
    specs.push({ spec, tensor, width, keys: loggedKeys(spec.name, width) });
  }
  if (rows === 0) throw badInfer(InferErrorCode.SHAPE_MISMATCH, 'the batch is empty');
  if (rows > maxRows) throw tooLarge(`${rows} rows exceed the limit of ${maxRows} per request`);
  const width = artifact.preprocessing.outputWidth;
  const matrix = new Float32Array(rows * width);
  const keys = specs.length === 1 ? specs[0].keys : joinedKeys(specs.map((s) => s.keys));
  const values = new Float64Array(rows * keys.length);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    let col = r * width;
    for (const { tensor, width: w } of specs) {
      for (let j = 0; j < w; j++) {
        const v = tensor.data[r * w + j];
        const x = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
        matrix[col++] = x;
        values[at++] = x;
      }
    }
  }
  return { rows, matrix, logged: { keys, values }, raw: unstandardise(artifact, matrix, rows) };
}

/** Row r of the logged inputs as an object (what the prediction log record carries). */
export function loggedRow(logged: ModelRows['logged'], r: number): Record<string, FeatureValue> {
  if (Array.isArray(logged)) return logged[r];
  const { keys, values } = logged;
  const row: Record<string, FeatureValue> = {};
  for (let j = 0; j < keys.length; j++) row[keys[j]] = values[r * keys.length + j];
  return row;
}

// The key list of several inputs, one array per combination (the log recognises it by identity).
const joinedCache = new Map<string, string[]>();
function joinedKeys(lists: string[][]): string[] {
  const id = lists.map((l) => `${l[0]}\u0000${l.length}`).join('\u0001');
  let keys = joinedCache.get(id);
  if (!keys) {
    keys = lists.flat();
    if (joinedCache.size < 1024) joinedCache.set(id, keys);
  }
  return keys;
}

// The prediction log names a vector input's columns `name[j]`; built once per input and width.
const keyCache = new Map<string, string[]>();
function loggedKeys(name: string, width: number): string[] {
  const id = `${name}\u0000${width}`;
  let keys = keyCache.get(id);
  if (!keys) {
    keys = width === 1 ? [name] : Array.from({ length: width }, (_, j) => `${name}[${j}]`);
    if (keyCache.size < 1024) keyCache.set(id, keys);
  }
  return keys;
}

function assembleRaw(artifact: ModelArtifact, tensors: ParsedTensor[], maxRows: number): ModelRows {
  let rows = -1;
  for (const t of tensors) {
    if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) {
      throw badInfer(InferErrorCode.SHAPE_MISMATCH, `raw feature ${t.name} must have shape [n] or [n, 1]`);
    }
    if (rows >= 0 && t.shape[0] !== rows) throw badInfer(InferErrorCode.SHAPE_MISMATCH, 'all inputs must have the same batch size');
    rows = t.shape[0];
    const transform = artifact.preprocessing.features.find((f) => f.name === t.name);
    if (transform?.kind === 'numeric' && !NUMERIC.has(t.datatype)) throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `feature ${t.name} is numeric, got ${t.datatype}`);
    if (transform?.kind === 'categorical' && t.datatype !== 'BYTES') throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `feature ${t.name} is categorical (BYTES), got ${t.datatype}`);
  }
  if (rows === 0) throw badInfer(InferErrorCode.SHAPE_MISMATCH, 'the batch is empty');
  if (rows > maxRows) throw tooLarge(`${rows} rows exceed the limit of ${maxRows} per request`);
  const raw: Array<Record<string, RawValue>> = [];
  for (let r = 0; r < rows; r++) {
    const row: Record<string, RawValue> = {};
    for (const t of tensors) row[t.name] = t.data[r];
    raw.push(row);
  }
  const { matrix, reports } = applyPreprocessing(artifact.preprocessing, raw);
  return { rows, matrix, raw, reports, logged: raw.map((row) => Object.fromEntries(artifact.preprocessing.features.map((f) => [f.name, (row[f.name] ?? null) as FeatureValue]))) };
}

/** Recovers raw numeric values from a preprocessed vector (for drift), inverting standardise and log1p. */
function unstandardise(artifact: ModelArtifact, matrix: Float32Array, rows: number): Array<Record<string, RawValue>> {
  const width = artifact.preprocessing.outputWidth;
  const out: Array<Record<string, RawValue>> = [];
  for (let r = 0; r < rows; r++) {
    const row: Record<string, RawValue> = {};
    let col = r * width;
    for (const t of artifact.preprocessing.features) {
      if (t.kind === 'numeric') {
        const staged = matrix[col] * t.std + t.mean;
        const missing = t.missingIndicator && matrix[col + 1] === 1;
        row[t.name] = missing ? null : t.log1p ? Math.expm1(staged) : staged;
        col += t.missingIndicator ? 2 : 1;
      } else {
        const slots = t.categories.length + (t.oov ? 1 : 0);
        let hit: string | null = null;
        for (let j = 0; j < slots; j++) if (matrix[col + j] === 1) hit = j < t.categories.length ? t.categories[j] : '__oov__';
        row[t.name] = hit;
        col += slots;
      }
    }
    out.push(row);
  }
  return out;
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
