import pino, { type Logger, type LoggerOptions } from 'pino';
import { requestContext } from './request-context';

export type { Logger } from 'pino';

/** Structured JSON logs; every line carries the service and, inside a request, its request id. */
export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    messageKey: 'msg',
    // Inside a request every line names it and who made it: the token's name over HTTP, the
    // calling service over the transport.
    mixin() {
      const ctx = requestContext.get();
      if (!ctx) return {};
      return ctx.principal ? { requestId: ctx.requestId, principal: ctx.principal } : { requestId: ctx.requestId };
    },
    // Secrets never reach the logs, whatever a caller passes in.
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        '*.token',
        'token',
        'password',
        '*.password',
        'databaseUrl',
        'DATABASE_URL',
        'AUTH_TOKENS',
        'TRANSPORT_SECRET',
        'TRANSPORT_SECRET_PREVIOUS',
        'NATS_PASSWORD',
        'secret',
        '*.secret',
        'pass',
        '*.pass',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Replaces the password in a connection URL so it can be logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
