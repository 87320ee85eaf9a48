import type { FeatureTransform, ModelArtifact, Preprocessing, TensorDatatype, TensorSpec } from '@mlp/contracts';

/** A feature's declared type in the feature store. */
export type FeatureType = 'int64' | 'float64' | 'string' | 'bool';

/** The numeric Open Inference Protocol datatypes: any of them can carry a numeric feature's values. */
export const NUMERIC_DATATYPES: ReadonlySet<TensorDatatype> = new Set(['BOOL', 'UINT8', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64']);

/**
 * The datatype a client sends a raw feature as: from the feature's declared type where the
 * transform agrees with it (int64 as INT64, bool as BOOL, float64 as FP64), FP64 for other numeric
 * features, BYTES for categorical ones.
 */
export function inputDatatype(t: FeatureTransform, type?: FeatureType): TensorDatatype {
  if (t.kind === 'categorical') return 'BYTES';
  if (type === 'int64') return 'INT64';
  if (type === 'bool') return 'BOOL';
  return 'FP64';
}

/** Whether a request may send a feature's values as `datatype` (any numeric datatype for a numeric feature). */
export function acceptsDatatype(t: FeatureTransform, datatype: TensorDatatype): boolean {
  return t.kind === 'categorical' ? datatype === 'BYTES' : NUMERIC_DATATYPES.has(datatype);
}

/**
 * A model's inputs are its raw features, one tensor each, in the preprocessing's order, with shape
 * `[-1]` (`[-1, 1]` is accepted too): the preprocessing recorded in the artifact always runs inside
 * the server, so no request can be read two ways.
 */
export function rawInputSignature(p: Preprocessing, types: Readonly<Record<string, FeatureType>> = {}): TensorSpec[] {
  return p.features.map((t) => ({ name: t.name, datatype: inputDatatype(t, types[t.name]), shape: [-1] }));
}

/** Why an artifact's input signature is not its raw features (undefined when it is). */
export function signatureProblem(artifact: Pick<ModelArtifact, 'preprocessing' | 'signature'>): string | undefined {
  const { inputs } = artifact.signature;
  const features = artifact.preprocessing.features;
  if (inputs.length !== features.length) return `the signature has ${inputs.length} inputs for ${features.length} raw features`;
  for (let i = 0; i < inputs.length; i++) {
    const spec = inputs[i];
    const t = features[i];
    if (spec.name !== t.name) return `input ${i} is ${spec.name} but raw feature ${i} is ${t.name}`;
    if (!acceptsDatatype(t, spec.datatype)) return `input ${spec.name} is declared ${spec.datatype}, which a ${t.kind} feature cannot take`;
    if (spec.shape.length > 2 || spec.shape[0] !== -1 || (spec.shape.length === 2 && spec.shape[1] !== 1)) {
      return `input ${spec.name} has shape ${JSON.stringify(spec.shape)}; a raw feature is [-1] or [-1, 1]`;
    }
  }
  return undefined;
}
