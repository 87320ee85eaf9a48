import type { ModelArtifact } from '@mlp/contracts';
import { acceptsDatatype, type RawColumn } from '@mlp/model-runtime';
import { badInfer, InferErrorCode, tooLarge } from '../errors/inference-error';
import type { ModelInputs } from '../inference/inference.service';
import { inputLayout, modelRows, type ModelRows } from '../inference/model-rows';
import { entityRows, type EntityColumns } from './entity-parameter';
import type { ParsedTensor } from './v2-protocol';

/**
 * The inputs of a tensor request (V2, and TF-Serving through it): the parsed tensors, and the
 * outputs the request asks for, both checked against the version that answers; and the entity of
 * each row when the request named one (`parameters.entity` of V2), for the prediction log.
 */
export class TensorInputs implements ModelInputs {
  constructor(
    private readonly tensors: ParsedTensor[],
    private readonly maxRows: number,
    private readonly outputs?: readonly string[],
    private readonly entity?: EntityColumns,
  ) {}

  rowsFor(artifact: ModelArtifact): ModelRows {
    if (this.outputs) {
      for (const o of this.outputs) {
        if (!artifact.signature.outputs.some((s) => s.name === o)) throw badInfer(InferErrorCode.UNKNOWN_OUTPUT, `the model has no output ${o}`);
      }
    }
    const rows = assembleRows(artifact, this.tensors, this.maxRows);
    return this.entity ? { ...rows, entities: entityRows(this.entity, rows.rows) } : rows;
  }
}

/**
 * Turns parsed V2 tensors into model rows. Every input of the model is one raw feature (the
 * signature is checked to say so when the version loads): one tensor each, shape [n] or [n, 1],
 * any numeric datatype for a numeric feature and BYTES for a categorical one, JSON null for a
 * missing value (filled as in training). There is no other reading of a request.
 */
export function assembleRows(artifact: ModelArtifact, tensors: ParsedTensor[], maxRows: number): ModelRows {
  const { index, transforms, specs, names } = inputLayout(artifact);
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
