// The "try it" form's request: one field per input of the model's V2 metadata (its raw features,
// typed as the feature store declares them), turned into a real Open Inference Protocol request of
// one row. An empty field is a missing value (JSON null), which the model fills as in training.
import type { ModelMetadata } from '@mlp/client';

export interface V2InferRequest {
  id: string;
  inputs: Array<{ name: string; datatype: string; shape: [1]; data: [number | string | boolean | null] }>;
}

const INT_RANGES: Record<string, [number, number]> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 255],
};

export type FieldKind = 'integer' | 'number' | 'boolean' | 'text';

export function fieldKind(datatype: string): FieldKind {
  if (datatype in INT_RANGES) return 'integer';
  if (datatype === 'FP16' || datatype === 'FP32' || datatype === 'FP64') return 'number';
  if (datatype === 'BOOL') return 'boolean';
  return 'text';
}

export type Parsed = { ok: true; value: number | string | boolean | null } | { ok: false; error: string };

/** One field's text as the value its datatype carries; empty is missing (null). */
export function parseField(datatype: string, text: string): Parsed {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  switch (fieldKind(datatype)) {
    case 'integer': {
      const n = Number(t);
      const [lo, hi] = INT_RANGES[datatype];
      if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(n)) return { ok: false, error: `${datatype} needs a whole number` };
      if (n < lo || n > hi) return { ok: false, error: `${datatype} holds ${lo} to ${hi}` };
      return { ok: true, value: n };
    }
    case 'number': {
      const n = Number(t);
      if (!Number.isFinite(n)) return { ok: false, error: `${datatype} needs a finite number` };
      return { ok: true, value: n };
    }
    case 'boolean':
      if (t === 'true' || t === 'false') return { ok: true, value: t === 'true' };
      return { ok: false, error: 'BOOL is true or false' };
    default:
      return { ok: true, value: text };
  }
}

/** A value of a held-out row (or any raw value) as the form's text. */
export function fieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

/** The V2 request for one row, or the fields that do not hold a value of their datatype. */
export function buildInferRequest(
  metadata: Pick<ModelMetadata, 'inputs'>,
  values: Record<string, string>,
  id: string,
): { ok: true; request: V2InferRequest } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const inputs: V2InferRequest['inputs'] = [];
  for (const input of metadata.inputs) {
    const parsed = parseField(input.datatype, values[input.name] ?? '');
    if (!parsed.ok) errors[input.name] = parsed.error;
    else inputs.push({ name: input.name, datatype: input.datatype, shape: [1], data: [parsed.value] });
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, request: { id, inputs } };
}
