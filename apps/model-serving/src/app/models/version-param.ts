import { PlatformError } from '@mlp/runtime';
import { InferErrorCode } from '../errors/inference-error';

/** A version path segment: a positive integer, anything else names no version (404). */
export function versionParam(model: string, raw: string): number {
  const v = /^[1-9][0-9]{0,8}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v)) throw new PlatformError(404, InferErrorCode.MODEL_VERSION_NOT_FOUND, `model ${model} has no version ${raw}`);
  return v;
}
