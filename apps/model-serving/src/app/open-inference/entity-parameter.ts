import { badInfer, InferErrorCode } from '../errors/inference-error';

/** Join key names: what the warehouse's outcomes name their keys with (`dwh` identifiers). */
const KEY = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_KEYS = 8;
const MAX_TEXT = 256;

export type EntityValue = string | number;

/** `parameters.entity` as read: per key, one value for every row or one value per row. */
export type EntityColumns = ReadonlyArray<readonly [key: string, values: EntityValue | readonly EntityValue[]]>;

const PATH = '$.parameters.entity';

function checkValue(v: unknown, path: string): EntityValue {
  if (typeof v === 'string') {
    if (v.length === 0 || v.length > MAX_TEXT) throw badInfer(InferErrorCode.INVALID_ENTITY, `entity values are 1 to ${MAX_TEXT} characters`, path);
    return v;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw badInfer(InferErrorCode.INVALID_ENTITY, 'entity values must be strings or finite numbers', path);
}

/**
 * `parameters.entity` of a V2 infer request: the entity keys of its rows, recorded with each row in
 * the prediction log so the model's outcome can label the prediction. `{"colour_id": "c-17"}` is
 * the entity of every row; `{"colour_id": ["c-1", "c-2"]}` gives one value per row (the length must
 * be the batch size, checked against the rows once they are read). Keys are identifiers (at most
 * 8), values non-empty strings or finite numbers; anything else is a 400 INVALID_ENTITY.
 * Undefined when the request names no entity.
 */
export function parseEntityParameter(parameters?: Record<string, unknown>): EntityColumns | undefined {
  const entity = parameters?.['entity'];
  if (entity === undefined) return undefined;
  if (typeof entity !== 'object' || entity === null || Array.isArray(entity)) throw badInfer(InferErrorCode.INVALID_ENTITY, 'parameters.entity must be an object of key: value', PATH);
  const entries = Object.entries(entity);
  if (entries.length === 0 || entries.length > MAX_KEYS) throw badInfer(InferErrorCode.INVALID_ENTITY, `parameters.entity names 1 to ${MAX_KEYS} keys`, PATH);
  return entries.map(([key, value]) => {
    const path = `${PATH}.${key}`;
    if (!KEY.test(key)) throw badInfer(InferErrorCode.INVALID_ENTITY, `entity key ${JSON.stringify(key)} is not an identifier (lower-case letters, digits, _)`, path);
    if (!Array.isArray(value)) return [key, checkValue(value, path)] as const;
    if (value.length === 0) throw badInfer(InferErrorCode.INVALID_ENTITY, 'an entity value list must not be empty', path);
    return [key, value.map((v, i) => checkValue(v, `${path}[${i}]`))] as const;
  });
}

/** Each row's entity: a list must hold one value per row (400 ENTITY_ROWS_MISMATCH otherwise), a single value is every row's. */
export function entityRows(columns: EntityColumns, rows: number): Array<Record<string, EntityValue>> {
  for (const [key, values] of columns) {
    if (Array.isArray(values) && values.length !== rows) {
      throw badInfer(InferErrorCode.ENTITY_ROWS_MISMATCH, `parameters.entity.${key} holds ${values.length} values for ${rows} rows`, `${PATH}.${key}`);
    }
  }
  const out: Array<Record<string, EntityValue>> = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const row: Record<string, EntityValue> = {};
    for (const [key, values] of columns) row[key] = Array.isArray(values) ? (values as readonly EntityValue[])[r] : (values as EntityValue);
    out[r] = row;
  }
  return out;
}
