import { HttpException } from '@nestjs/common';
import { ContractViolation, ErrorCode, type ErrorResponse } from '@mlp/contracts';
import { isDependencyDown, PlatformError } from '@mlp/runtime';

export interface MappedError {
  status: number;
  body: ErrorResponse;
  /** Only unexpected failures are logged as errors; client mistakes are not. */
  unexpected: boolean;
}

const HTTP_CODES: Record<number, string> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.TOO_MANY_REQUESTS,
  503: ErrorCode.DEPENDENCY_UNAVAILABLE,
};

/** Maps anything thrown anywhere (Nest, Fastify, pg, our own code) to the one error shape. */
export function mapError(err: unknown, requestId?: string): MappedError {
  const withId = (status: number, code: string, error: string, details: ErrorResponse['details'] = [], unexpected = false) => ({
    status,
    unexpected,
    body: { error, code, details, ...(requestId ? { requestId } : {}) },
  });

  if (err instanceof PlatformError) return withId(err.status, err.code, err.message, err.details);
  if (err instanceof ContractViolation) {
    return withId(400, ErrorCode.VALIDATION_FAILED, 'request does not match the contract', err.violations);
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 400 && (err.cause instanceof SyntaxError || /in JSON at position|Unexpected (token|end of JSON)|JSON/.test(err.message))) {
      return withId(400, ErrorCode.MALFORMED_JSON, 'request body is not valid JSON', [{ message: err.message }]);
    }
    const response = err.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : String((response as { message?: unknown }).message ?? err.message);
    const code = status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(message) ? ErrorCode.ROUTE_NOT_FOUND : (HTTP_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.VALIDATION_FAILED));
    return withId(status, code, message, [], status >= 500);
  }
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  // Fastify's own errors (body parsing, limits, content types) carry a 4xx statusCode and an FST_ code.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const fst = typeof e.code === 'string' ? e.code : '';
    if (e.statusCode === 413 || fst === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return withId(413, ErrorCode.PAYLOAD_TOO_LARGE, 'request body is larger than the limit');
    }
    if (e.statusCode === 415) return withId(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, String(e.message ?? 'unsupported media type'));
    if (e.statusCode === 400 && (err instanceof SyntaxError || /JSON|body/i.test(String(e.message)))) {
      return withId(400, ErrorCode.MALFORMED_JSON, 'request body is not valid JSON', [{ message: String(e.message ?? '') }]);
    }
    return withId(e.statusCode, HTTP_CODES[e.statusCode] ?? ErrorCode.VALIDATION_FAILED, String(e.message ?? 'bad request'));
  }
  if (isDependencyDown(err)) {
    const p = PlatformError.unavailable('database', err);
    return withId(503, p.code, p.message, p.details);
  }
  return withId(500, ErrorCode.INTERNAL, 'internal error', [], true);
}
