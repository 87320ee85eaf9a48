import { PlatformError } from '@mlp/runtime';

/** Machine-readable codes of inference problems: client mistakes (400/404/413), and the model's own failures (5xx). */
export const InferErrorCode = {
  INVALID_INFER_REQUEST: 'INVALID_INFER_REQUEST',
  UNKNOWN_INPUT: 'UNKNOWN_INPUT',
  MISSING_INPUT: 'MISSING_INPUT',
  DATATYPE_MISMATCH: 'DATATYPE_MISMATCH',
  SHAPE_MISMATCH: 'SHAPE_MISMATCH',
  NON_FINITE_NUMBER: 'NON_FINITE_NUMBER',
  /** A finite raw value that the preprocessing turns into a value beyond float32 (e.g. 1e300 standardised). */
  INPUT_OUT_OF_RANGE: 'INPUT_OUT_OF_RANGE',
  UNKNOWN_OUTPUT: 'UNKNOWN_OUTPUT',
  /** `parameters.entity` of a V2 request: a key that is not an identifier, a value that is not a string or a finite number. */
  INVALID_ENTITY: 'INVALID_ENTITY',
  /** A `parameters.entity` list whose length is not the batch size. */
  ENTITY_ROWS_MISMATCH: 'ENTITY_ROWS_MISMATCH',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_VERSION_NOT_FOUND: 'MODEL_VERSION_NOT_FOUND',
  MODEL_NOT_READY: 'MODEL_NOT_READY',
  /** The model answered NaN or an infinity for finite inputs: a 500, counted and logged, never a 200. */
  NON_FINITE_PREDICTION: 'NON_FINITE_PREDICTION',
  /**
   * Live quality of a multiclass model: the warehouse computes it from one logged number per
   * prediction read as a probability or a value, which a class index is not (422).
   */
  LIVE_QUALITY_UNSUPPORTED_TASK: 'LIVE_QUALITY_UNSUPPORTED_TASK',
} as const;

export const badInfer = (code: string, message: string, path?: string) =>
  new PlatformError(400, code, message, [{ code, message, ...(path ? { path } : {}) }]);

export const tooLarge = (message: string) =>
  new PlatformError(413, InferErrorCode.BATCH_TOO_LARGE, message, [{ code: InferErrorCode.BATCH_TOO_LARGE, message }]);

export const modelNotFound = (model: string) => new PlatformError(404, InferErrorCode.MODEL_NOT_FOUND, `model ${model} is not served`);
