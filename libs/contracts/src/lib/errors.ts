import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from './contract';

/** Machine-readable error codes every service uses in `{"error", "code", "details"}`. */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** U+0000 or a lone UTF-16 surrogate in a string, key, path parameter or query string. */
  INVALID_CHARACTER: 'INVALID_CHARACTER',
  /** Objects and arrays nested deeper than a request may nest them. */
  NESTING_TOO_DEEP: 'NESTING_TOO_DEEP',
  /** The HTTP request itself is malformed (refused by the server's HTTP parser: bad request line, truncated body). */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  REQUEST_HEADERS_TOO_LARGE: 'REQUEST_HEADERS_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  DEPENDENCY_UNAVAILABLE: 'DEPENDENCY_UNAVAILABLE',
  NOT_READY: 'NOT_READY',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  TIMEOUT: 'TIMEOUT',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ErrorDetail = Type.Object(
  {
    path: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
    message: Type.String(),
  },
  { additionalProperties: true },
);

export const ErrorResponse = defineContract(
  'platform.ErrorResponse',
  Type.Object(
    {
      error: Type.String({ description: 'Human-readable message' }),
      code: Type.String({ description: 'Machine-readable code, e.g. VALIDATION_FAILED' }),
      details: Type.Array(ErrorDetail),
      requestId: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
);
export type ErrorResponse = Static<typeof ErrorResponse.schema>;
