import { PlatformError } from '@mlp/runtime';

/** Machine-readable codes of inference request problems (all client mistakes: 400/404/413). */
export const InferErrorCode = {
  INVALID_INFER_REQUEST: 'INVALID_INFER_REQUEST',
  UNKNOWN_INPUT: 'UNKNOWN_INPUT',
  MISSING_INPUT: 'MISSING_INPUT',
  DATATYPE_MISMATCH: 'DATATYPE_MISMATCH',
  SHAPE_MISMATCH: 'SHAPE_MISMATCH',
  NON_FINITE_NUMBER: 'NON_FINITE_NUMBER',
  UNKNOWN_OUTPUT: 'UNKNOWN_OUTPUT',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_VERSION_NOT_FOUND: 'MODEL_VERSION_NOT_FOUND',
  MODEL_NOT_READY: 'MODEL_NOT_READY',
} as const;

export const badInfer = (code: string, message: string, path?: string) =>
  new PlatformError(400, code, message, [{ code, message, ...(path ? { path } : {}) }]);

export const tooLarge = (message: string) =>
  new PlatformError(413, InferErrorCode.BATCH_TOO_LARGE, message, [{ code: InferErrorCode.BATCH_TOO_LARGE, message }]);
