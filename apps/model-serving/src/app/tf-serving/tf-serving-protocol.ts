import type { ModelArtifact, TensorDatatype } from '@mlp/contracts';
import { badInfer, InferErrorCode } from '../errors/inference-error';
import type { OutputTensor } from '../open-inference/v2-protocol';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A raw feature's declared datatype; a name the model does not take gets a guess, and is refused as UNKNOWN_INPUT later. */
function datatypeFor(artifact: ModelArtifact, name: string, sample: unknown): TensorDatatype {
  const spec = artifact.signature.inputs.find((s) => s.name === name);
  if (spec) return spec.datatype;
  if (typeof sample === 'string') return 'BYTES';
  if (typeof sample === 'boolean') return 'BOOL';
  return 'FP64';
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let node = value;
  while (Array.isArray(node)) {
    shape.push(node.length);
    node = node[0];
  }
  return shape;
}

function firstScalar(value: unknown): unknown {
  let node = value;
  while (Array.isArray(node)) node = node[0];
  return node;
}

/**
 * TF-Serving's REST predict body as an Open Inference Protocol request: `instances` are rows
 * (objects with named inputs, or bare values for a single-input model), `inputs` are columns
 * (an object of named inputs, or one bare tensor). The V2 parser then checks everything.
 */
export function tfServingToV2(body: unknown, artifact: ModelArtifact): { v2: Record<string, unknown>; format: 'row' | 'columnar' } {
  if (!isObject(body)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'the body must be a JSON object', '$');
  const hasInstances = 'instances' in body;
  const hasInputs = 'inputs' in body;
  if (hasInstances === hasInputs) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'give exactly one of instances (rows) or inputs (columns)', '$');
  for (const key of Object.keys(body)) {
    if (!['instances', 'inputs', 'signature_name'].includes(key)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, `unknown field ${key}`, `$.${key}`);
  }
  const single = artifact.signature.inputs.length === 1 ? artifact.signature.inputs[0].name : undefined;
  const tensor = (name: string, rows: unknown[]) => ({ name, datatype: datatypeFor(artifact, name, firstScalar(rows)), shape: shapeOf(rows), data: rows });
  if (hasInstances) {
    const instances = body['instances'];
    if (!Array.isArray(instances) || instances.length === 0) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'instances must be a non-empty array', '$.instances');
    if (instances.every(isObject)) {
      const names = Object.keys(instances[0] as Record<string, unknown>);
      for (const [i, row] of instances.entries()) {
        const keys = Object.keys(row as Record<string, unknown>);
        if (keys.length !== names.length || !names.every((n) => keys.includes(n))) {
          throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'every instance must name the same inputs', `$.instances[${i}]`);
        }
      }
      return { format: 'row', v2: { inputs: names.map((n) => tensor(n, instances.map((row) => (row as Record<string, unknown>)[n]))) } };
    }
    if (!single) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'the model has several inputs: instances must be objects naming them', '$.instances');
    return { format: 'row', v2: { inputs: [tensor(single, instances)] } };
  }
  const inputs = body['inputs'];
  if (isObject(inputs)) {
    return {
      format: 'columnar',
      v2: {
        inputs: Object.entries(inputs).map(([n, v]) => {
          if (!Array.isArray(v)) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, `input ${n} must be an array`, `$.inputs.${n}`);
          return tensor(n, v);
        }),
      },
    };
  }
  if (!Array.isArray(inputs) || !single) throw badInfer(InferErrorCode.INVALID_INFER_REQUEST, 'inputs must be an object of named inputs, or one array for a single-input model', '$.inputs');
  return { format: 'columnar', v2: { inputs: [tensor(single, inputs)] } };
}

function rowsOf(t: OutputTensor): unknown[] {
  const rows = t.shape[0];
  const width = t.data.length / Math.max(rows, 1);
  return Array.from({ length: rows }, (_, r) => (t.shape.length === 1 ? t.data[r] : t.data.slice(r * width, (r + 1) * width)));
}

/** TF-Serving answers: `predictions` (rows) for `instances`, `outputs` (columns) for `inputs`. */
export function v2ToTfServing(outputs: OutputTensor[], format: 'row' | 'columnar') {
  if (format === 'row') {
    if (outputs.length === 1) return { predictions: rowsOf(outputs[0]) };
    const columns = outputs.map(rowsOf);
    return { predictions: columns[0].map((_, r) => Object.fromEntries(outputs.map((o, i) => [o.name, columns[i][r]]))) };
  }
  if (outputs.length === 1) return { outputs: rowsOf(outputs[0]) };
  return { outputs: Object.fromEntries(outputs.map((o) => [o.name, rowsOf(o)])) };
}
