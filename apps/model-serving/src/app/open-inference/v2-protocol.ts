import type { ModelArtifact, TensorDatatype } from '@mlp/contracts';
import { argmaxOf } from '@mlp/model-runtime';
import { jsonNumber } from '../json/json-number';
import { badInfer, InferErrorCode, tooLarge } from '../errors/inference-error';

/** One input tensor as the client sent it, flattened row-major and checked against its declared shape. */
export interface ParsedTensor {
  name: string;
  datatype: TensorDatatype;
  shape: number[];
  /** Row-major values: numbers for numeric types, booleans for BOOL, strings for BYTES, null for a missing value. */
  data: Array<number | string | boolean | null>;
}

export interface ParsedInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: ParsedTensor[];
  /** Requested outputs by name; undefined means all. */
  outputs?: string[];
}

export interface InferLimits {
  /** Largest total number of elements over all inputs. */
  maxElements: number;
}

const REQUEST_FIELDS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const TENSOR_FIELDS = new Set(['name', 'datatype', 'shape', 'data', 'parameters']);
const DATATYPES = new Set(['BOOL', 'UINT8', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']);
const INT_RANGES: Record<string, [number, number]> = {
  UINT8: [0, 255],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses an Open Inference Protocol (KServe V2) infer request body. Structure, datatypes, shapes
 * (the element count must equal the product of the shape; nested data must follow the shape),
 * value ranges and finiteness are checked here, so a bad request is a 400 with a code, never a 500.
 * Every input is a raw feature, so JSON null stands for a missing value (filled as in training).
 */
export function parseInferRequest(body: unknown, limits: InferLimits): ParsedInferRequest {
  if (!isObject(body)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'the body must be a JSON object', '$');
  for (const key in body) {
    if (!REQUEST_FIELDS.has(key)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, `unknown field ${key}`, `$.${key}`);
  }
  if (body['id'] !== undefined && (typeof body['id'] !== 'string' || body['id'].length > 128)) {
    throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'id must be a string of at most 128 characters', '$.id');
  }
  if (body['parameters'] !== undefined && !isObject(body['parameters'])) {
    throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'parameters must be an object', '$.parameters');
  }
  const rawInputs = body['inputs'];
  if (!Array.isArray(rawInputs) || rawInputs.length === 0) {
    throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'inputs must be a non-empty array', '$.inputs');
  }
  let budget = limits.maxElements;
  const seen = new Set<string>();
  const inputs = rawInputs.map((raw, i) => {
    const tensor = parseTensor(raw, i, budget);
    budget -= tensor.data.length;
    if (seen.has(tensor.name)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, `input ${tensor.name} is given twice`, `$.inputs[${i}].name`);
    seen.add(tensor.name);
    return tensor;
  });
  let outputs: string[] | undefined;
  if (body['outputs'] !== undefined) {
    if (!Array.isArray(body['outputs'])) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'outputs must be an array', '$.outputs');
    outputs = body['outputs'].map((o, i) => {
      if (!isObject(o) || typeof o['name'] !== 'string') throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'each output needs a name', `$.outputs[${i}]`);
      return o['name'];
    });
  }
  return {
    id: body['id'] as string | undefined,
    parameters: body['parameters'] as Record<string, unknown> | undefined,
    inputs,
    outputs,
  };
}

/** Where in the request an input's field is (built only for an error: this runs for every input of every request). */
const inputPath = (index: number, field = '') => `$.inputs[${index}]${field}`;

function parseTensor(raw: unknown, index: number, budget: number): ParsedTensor {
  if (!isObject(raw)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'an input must be an object', inputPath(index));
  const { name, datatype, shape, data } = raw;
  for (const key in raw) {
    if (!TENSOR_FIELDS.has(key)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, `unknown field ${key}`, inputPath(index, `.${key}`));
  }
  if (typeof name !== 'string' || name.length === 0 || name.length > 128) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'name must be a non-empty string', inputPath(index, '.name'));
  if (typeof datatype !== 'string' || !DATATYPES.has(datatype)) {
    throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `datatype must be one of ${[...DATATYPES].join(', ')}`, inputPath(index, '.datatype'));
  }
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badInfer(InferErrorCode.SHAPE_MISMATCH, 'shape must be 1 to 8 non-negative integers', inputPath(index, '.shape'));
  }
  const dims = shape as number[];
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected > budget) throw tooLarge(`the request holds more than the limit of elements (shape ${JSON.stringify(dims)})`);
  if (!Array.isArray(data)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'data must be an array', inputPath(index, '.data'));
  const flat = flatten(data, dims, index, budget);
  if (flat.length !== expected) {
    throw badInfer(InferErrorCode.SHAPE_MISMATCH, `data holds ${flat.length} elements but shape ${JSON.stringify(dims)} needs ${expected}`, inputPath(index, '.data'));
  }
  for (let i = 0; i < flat.length; i++) flat[i] = checkValue(flat[i], datatype as TensorDatatype, index);
  return { name, datatype: datatype as TensorDatatype, shape: dims, data: flat as ParsedTensor['data'] };
}

/** Flat data passes through; nested data must follow the shape level by level. */
function flatten(data: unknown[], shape: number[], index: number, budget: number): unknown[] {
  if (!data.some(Array.isArray)) return data;
  const path = inputPath(index, '.data');
  const out: unknown[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw badInfer(InferErrorCode.SHAPE_MISMATCH, `data is nested deeper than shape ${JSON.stringify(shape)}`, path);
      if (out.length >= budget) throw tooLarge('the request holds more than the limit of elements');
      out.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw badInfer(InferErrorCode.SHAPE_MISMATCH, `nested data does not follow shape ${JSON.stringify(shape)} at depth ${depth}`, path);
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(data, 0);
  return out;
}

function checkValue(v: unknown, datatype: TensorDatatype, index: number): number | string | boolean | null {
  if (v === null) return null;
  switch (datatype) {
    case 'BOOL':
      if (typeof v !== 'boolean') throw badInfer(InferErrorCode.DATATYPE_MISMATCH, 'BOOL data must be true or false', inputPath(index, '.data'));
      return v;
    case 'BYTES':
      if (typeof v !== 'string') throw badInfer(InferErrorCode.DATATYPE_MISMATCH, 'BYTES data must be strings', inputPath(index, '.data'));
      return v;
    case 'FP16':
    case 'FP32':
    case 'FP64':
      if (typeof v !== 'number') throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `${datatype} data must be numbers`, inputPath(index, '.data'));
      // JSON cannot spell NaN, but 1e999 parses to Infinity.
      if (!Number.isFinite(v)) throw badInfer(InferErrorCode.NON_FINITE_NUMBER, 'numbers must be finite', inputPath(index, '.data'));
      if (datatype !== 'FP64' && Math.abs(v) > 3.4028234663852886e38) throw badInfer(InferErrorCode.NON_FINITE_NUMBER, `${v} overflows ${datatype}`, inputPath(index, '.data'));
      return v;
    default: {
      if (typeof v !== 'number') throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `${datatype} data must be integers`, inputPath(index, '.data'));
      if (!Number.isFinite(v)) throw badInfer(InferErrorCode.NON_FINITE_NUMBER, 'numbers must be finite', inputPath(index, '.data'));
      const [lo, hi] = INT_RANGES[datatype];
      if (!Number.isInteger(v) || v < lo || v > hi) throw badInfer(InferErrorCode.DATATYPE_MISMATCH, `${v} is not a valid ${datatype}`, inputPath(index, '.data'));
      return v;
    }
  }
}

export interface OutputTensor {
  name: string;
  datatype: TensorDatatype;
  shape: number[];
  /** Numbers, or strings for a BYTES output (a multiclass model's label). */
  data: Array<number | string>;
}

/**
 * The V2 infer response as JSON text: `model_name`, `model_version`, `id` echoed, `parameters`, and
 * only the requested outputs in the order asked. Written directly (byte for byte what
 * `JSON.stringify` writes for that object): every V2 infer is answered with it, and a generic
 * serialisation of the response's nested objects costs several times this.
 */
export function inferResponseJson(
  model: string,
  version: number,
  request: Pick<ParsedInferRequest, 'id' | 'outputs'>,
  outputs: OutputTensor[],
  parameters?: Record<string, unknown>,
): string {
  let text = '{"model_name":' + JSON.stringify(model) + ',"model_version":"' + version + '"';
  if (request.id !== undefined) text += ',"id":' + JSON.stringify(request.id);
  if (parameters) text += ',"parameters":' + JSON.stringify(parameters);
  text += ',"outputs":[';
  const selected = request.outputs ? request.outputs.map((n) => outputs.find((o) => o.name === n) as OutputTensor) : outputs;
  for (let i = 0; i < selected.length; i++) {
    const o = selected[i];
    if (i > 0) text += ',';
    text += '{"name":' + JSON.stringify(o.name) + ',"datatype":"' + o.datatype + '","shape":[' + o.shape.join(',') + '],"data":[';
    const data = o.data;
    for (let j = 0; j < data.length; j++) {
      const v = data[j];
      text += (j > 0 ? ',' : '') + (typeof v === 'string' ? JSON.stringify(v) : jsonNumber(v));
    }
    text += ']}';
  }
  return text + ']}';
}

/**
 * Splits the model's per-row output into the signature's output tensors. A BYTES output (a
 * multiclass model's `label`) is the name of each row's most probable class: derived from the
 * probabilities (the model's whole output) and the artifact's classes, never computed twice.
 */
export function outputTensors(artifact: ModelArtifact, out: Float32Array, rows: number): OutputTensor[] {
  const total = out.length / rows;
  let offset = 0;
  return artifact.signature.outputs.map((spec) => {
    if (spec.datatype === 'BYTES') return { name: spec.name, datatype: spec.datatype, shape: [rows], data: predictedClasses(artifact, out, rows) };
    const width = spec.shape.slice(1).reduce((a, b) => a * b, 1);
    const data: number[] = new Array(rows * width);
    for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) data[r * width + j] = out[r * total + offset + j];
    offset += width;
    return { name: spec.name, datatype: spec.datatype, shape: [rows, ...spec.shape.slice(1)], data };
  });
}

/** The name of each row's most probable class (a multiclass model's output is one probability per class). */
export function predictedClasses(artifact: Pick<ModelArtifact, 'classes'>, out: Float32Array, rows: number): string[] {
  const classes = artifact.classes ?? [];
  const width = out.length / Math.max(rows, 1);
  return Array.from({ length: rows }, (_, r) => classes[argmaxOf(out, r, width)]);
}

/** `parameters.sticky_key` of a V2 request is its entity key (a string or a number). */
export function stickyKeyParameter(parameters?: Record<string, unknown>): string | undefined {
  const key = parameters?.['sticky_key'];
  return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
}
