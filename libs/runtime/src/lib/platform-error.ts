import { ErrorCode, type ErrorResponse } from '@mlp/contracts';

type Detail = ErrorResponse['details'][number];

/** An error that already knows its HTTP status and machine-readable code. */
export class PlatformError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Detail[] = [],
  ) {
    super(message);
    this.name = 'PlatformError';
  }

  static badRequest(message: string, details: Detail[] = [], code: string = ErrorCode.VALIDATION_FAILED) {
    return new PlatformError(400, code, message, details);
  }
  static notFound(message: string, code: string = ErrorCode.NOT_FOUND) {
    return new PlatformError(404, code, message);
  }
  static conflict(message: string, details: Detail[] = [], code: string = ErrorCode.CONFLICT) {
    return new PlatformError(409, code, message, details);
  }
  static unavailable(dependency: string, cause?: unknown) {
    const reason = cause instanceof Error ? cause.message : cause ? String(cause) : 'not reachable';
    return new PlatformError(503, ErrorCode.DEPENDENCY_UNAVAILABLE, `${dependency} is unavailable`, [
      { code: 'DEPENDENCY', message: `${dependency}: ${reason}` },
    ]);
  }
}

// SQLSTATE classes that mean "the database is not there right now", not "your query is wrong".
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-4]|58)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGE =
  /(Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection|the database system is (starting up|shutting down)|Connection is not established|Cannot use a pool after calling end)/i;

/** True when an error from pg/TypeORM/ioredis/nats means the dependency is down (a 503, not a 500). */
export function isDependencyDown(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: unknown; errno?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof x.code === 'string' && (UNAVAILABLE_ERRNO.has(x.code) || UNAVAILABLE_SQLSTATE.test(x.code))) return true;
    if (typeof x.message === 'string' && UNAVAILABLE_MESSAGE.test(x.message)) return true;
    e = x.driverError ?? x.cause;
  }
  return false;
}
