import { LIVE_QUALITY_MAX_WINDOW_HOURS } from '@mlp/contracts';

export const LiveQualityQueryErrorCode = { INVALID_WINDOW: 'INVALID_WINDOW', INVALID_VERSION: 'INVALID_VERSION', INVALID_BINS: 'INVALID_BINS' } as const;

export type QueryProblem = { code: string; message: string };

const WHOLE = /^[1-9][0-9]{0,8}$/;

/**
 * `?window_hours=&version=&bins=` of `GET /v1/models/{m}/live-quality`: whole hours within the
 * contract's range, an optional positive version, 2 to 50 calibration bins. Returns the problem
 * instead of throwing so the HTTP shell decides the status. (model-serving's proxy reads the same
 * window and version with its own parser.)
 */
export function parseLiveQualityQuery(
  query: { window_hours?: string; version?: string; bins?: string },
  defaultWindowHours: number,
): { windowHours: number; version?: number; bins?: number } | QueryProblem {
  const out: { windowHours: number; version?: number; bins?: number } = { windowHours: defaultWindowHours };
  if (query.window_hours !== undefined) {
    if (!WHOLE.test(query.window_hours) || Number(query.window_hours) > LIVE_QUALITY_MAX_WINDOW_HOURS) {
      return { code: LiveQualityQueryErrorCode.INVALID_WINDOW, message: `window_hours must be a whole number of hours from 1 to ${LIVE_QUALITY_MAX_WINDOW_HOURS}` };
    }
    out.windowHours = Number(query.window_hours);
  }
  if (query.version !== undefined) {
    if (!WHOLE.test(query.version)) return { code: LiveQualityQueryErrorCode.INVALID_VERSION, message: 'version must be a positive integer' };
    out.version = Number(query.version);
  }
  if (query.bins !== undefined) {
    if (!WHOLE.test(query.bins) || Number(query.bins) < 2 || Number(query.bins) > 50) return { code: LiveQualityQueryErrorCode.INVALID_BINS, message: 'bins must be a whole number from 2 to 50' };
    out.bins = Number(query.bins);
  }
  return out;
}
