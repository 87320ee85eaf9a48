import type { ErrorResponse } from './generated/contract-types.js';

export type ErrorDetail = ErrorResponse['details'][number];

/**
 * Every failure the client reports: the platform's machine-readable `code` (e.g. `VALIDATION_FAILED`,
 * `MODEL_NOT_FOUND`), the HTTP status (0 when no answer came: network error, timeout, abort), the
 * details with their JSON paths, and the request id to quote when asking the platform team.
 */
export class PlatformApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly requestId: string | undefined;
  /** Whether sending the same request again may succeed (5xx, 429, network errors, timeouts). */
  readonly retryable: boolean;
  /** The wait the server asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(init: { status: number; code: string; message: string; details?: ErrorDetail[]; requestId?: string; retryable?: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'PlatformApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? isRetryableStatus(init.status);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Codes of failures that happen before any answer arrives (status 0). */
export const ClientErrorCode = {
  NETWORK_ERROR: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  ABORTED: 'ABORTED',
  /** The answer was not the JSON the route promises. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** The client was closed; nothing more is accepted. */
  CLIENT_CLOSED: 'CLIENT_CLOSED',
  /** A training set line is not a JSON object (or not UTF-8): sending it again gives the same bytes. */
  TRAINING_SET_MALFORMED: 'TRAINING_SET_MALFORMED',
  /** A training set ended without its `_metadata` line, or with fewer rows than it declares: it broke on the way. */
  TRAINING_SET_INCOMPLETE: 'TRAINING_SET_INCOMPLETE',
  /** The rows received do not hash to the fingerprint the feature store declared. */
  DATASET_FINGERPRINT_MISMATCH: 'DATASET_FINGERPRINT_MISMATCH',
} as const;

export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}
