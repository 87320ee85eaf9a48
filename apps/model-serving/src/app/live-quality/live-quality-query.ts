import { LIVE_QUALITY_MAX_WINDOW_HOURS } from '@mlp/contracts';

export const LiveQualityErrorCode = { INVALID_WINDOW: 'INVALID_WINDOW', INVALID_VERSION: 'INVALID_VERSION' } as const;

export type QueryProblem = { code: string; message: string };

const WHOLE = /^[1-9][0-9]{0,8}$/;

/**
 * `?window_hours=&version=` of `GET /v1/models/{m}/live-quality`: whole hours within the contract's
 * range (default from configuration) and an optional positive version. Returns the problem instead of
 * throwing so the HTTP shell decides the status.
 */
export function parseLiveQualityQuery(
  query: { window_hours?: string; version?: string },
  defaultWindowHours: number,
): { windowHours: number; version?: number } | QueryProblem {
  let windowHours = defaultWindowHours;
  if (query.window_hours !== undefined) {
    if (!WHOLE.test(query.window_hours) || Number(query.window_hours) > LIVE_QUALITY_MAX_WINDOW_HOURS) {
      return { code: LiveQualityErrorCode.INVALID_WINDOW, message: `window_hours must be a whole number of hours from 1 to ${LIVE_QUALITY_MAX_WINDOW_HOURS}` };
    }
    windowHours = Number(query.window_hours);
  }
  if (query.version === undefined) return { windowHours };
  if (!WHOLE.test(query.version)) return { code: LiveQualityErrorCode.INVALID_VERSION, message: 'version must be a positive integer' };
  return { windowHours, version: Number(query.version) };
}
