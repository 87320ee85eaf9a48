import { ErrorCode } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { parse as secureJsonParse } from 'secure-json-parse';
import { findTextProblem, JSON_MAX_DEPTH, scanJsonText, TextProblemCode, type JsonTextScan, type TextProblem } from './json-text';

/**
 * How deep a body may nest on a route that checks its records one by one (`@TextCheckedPerRecord`):
 * each record is held to JSON_MAX_DEPTH by the route, the body as a whole only to this.
 */
export const PER_RECORD_BODY_MAX_DEPTH = JSON_MAX_DEPTH * 4;

/** The route config key `@TextCheckedPerRecord()` sets. */
const PER_RECORD = 'mlpTextCheckedPerRecord';

/**
 * Marks a route whose JSON body is a batch of records checked one by one: a record with U+0000, a
 * lone surrogate or too deep a nesting is rejected alone (the route finds it with
 * `recordTextProblem`) instead of the whole body being refused with 400. Nesting beyond
 * PER_RECORD_BODY_MAX_DEPTH is still refused whole.
 */
export const TextCheckedPerRecord = () => RouteConfig({ [PER_RECORD]: true });

/** The scan of each parsed body of a per-record route that was not refused (those routes read it). */
const scans = new WeakMap<object, JsonTextScan>();

/** The error a client gets for a text problem anywhere in its request. */
export function textProblemError(problem: TextProblem, where: string): PlatformError {
  const code = problem.code === TextProblemCode.NESTING_TOO_DEEP ? ErrorCode.NESTING_TOO_DEEP : ErrorCode.INVALID_CHARACTER;
  return PlatformError.badRequest(`${where}: ${problem.message}`, [problem], code);
}

/** The 400 for a body the parser refused, with the codes Fastify's parser errors were mapped to. */
function malformed(err: unknown): PlatformError {
  const message = (err as Error)?.message ?? String(err);
  // secure-json-parse's refusal of `__proto__` / `constructor.prototype` keys: valid JSON, refused content.
  if (/forbidden prototype property/.test(message)) return PlatformError.badRequest(message, [], ErrorCode.VALIDATION_FAILED);
  return PlatformError.badRequest('request body is not valid JSON', [{ message }], ErrorCode.MALFORMED_JSON);
}

/**
 * Parses a JSON request body the one way every route does (Fastify's and the fast routes' alike):
 * secure-json-parse with prototype-poisoning keys refused, and the text checked in one pass first.
 * Refuses with 400 and a code: MALFORMED_JSON, NESTING_TOO_DEEP (the scan stops at the limit, so
 * no parser or walker ever sees the deep value), INVALID_CHARACTER (U+0000 or a lone surrogate in
 * any string or key, at any depth, with its path). With `perRecord`, text problems are left to the
 * route (see TextCheckedPerRecord) and nesting is bounded by PER_RECORD_BODY_MAX_DEPTH.
 */
export function parseJsonBody(bytes: Buffer, perRecord = false): unknown {
  if (bytes.length === 0) throw PlatformError.badRequest("Body cannot be empty when content-type is set to 'application/json'", [], ErrorCode.VALIDATION_FAILED);
  const maxDepth = perRecord ? PER_RECORD_BODY_MAX_DEPTH : JSON_MAX_DEPTH;
  const scan = scanJsonText(bytes, maxDepth);
  if (scan.depth > maxDepth) {
    throw textProblemError({ path: '$', code: TextProblemCode.NESTING_TOO_DEEP, message: `objects and arrays may nest at most ${maxDepth} deep` }, 'request body');
  }
  let value: unknown;
  try {
    // secure-json-parse looks for the poisoning keys with two regular expressions over the whole
    // text; the scan has already seen every string, so the plain parse is used when none can be there.
    value = scan.suspectKeys ? secureJsonParse(bytes, { protoAction: 'error', constructorAction: 'error' }) : JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw malformed(err);
  }
  if (scan.badText && !perRecord) {
    const problem = findTextProblem(value, maxDepth);
    if (problem) throw textProblemError(problem, 'request body');
  }
  // Only per-record routes read the scan back (recordTextProblem); a WeakMap entry per request costs GC work.
  if (perRecord && value !== null && typeof value === 'object') scans.set(value, scan);
  return value;
}

/**
 * On a `@TextCheckedPerRecord` route: the problem of one record of the parsed body (U+0000 or a
 * lone surrogate in a string or key, or nesting deeper than JSON_MAX_DEPTH), or null. Free when
 * the body's scan found nothing, which is almost always.
 */
export function recordTextProblem(body: unknown, record: unknown, root = '$'): TextProblem | null {
  const scan = typeof body === 'object' && body !== null ? scans.get(body) : undefined;
  if (scan && !scan.badText && scan.depth <= JSON_MAX_DEPTH) return null;
  return findTextProblem(record, JSON_MAX_DEPTH, root);
}

/** The first text problem of a request's path parameters and query string, or null. */
export function urlTextProblem(params: unknown, query: unknown): { problem: TextProblem; where: string } | null {
  const inParams = findTextProblem(params, 4);
  if (inParams) return { problem: inParams, where: 'path parameter' };
  const inQuery = findTextProblem(query, 4);
  if (inQuery) return { problem: inQuery, where: 'query string' };
  return null;
}

/**
 * Puts the checks where every Fastify request enters: the JSON body parser (parseJsonBody), a
 * check of path parameters and query strings before anything else runs, and a rule that an answer
 * sent while the request body is still unread closes its connection (a refused upload would
 * otherwise leave its body in the socket, and the next request on it would never be answered).
 */
export function guardRequests(fastify: FastifyInstance): void {
  const { bodyLimit } = fastify.initialConfig;
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request: FastifyRequest, body: Buffer, done) => {
    try {
      done(null, parseJsonBody(body, (request.routeOptions?.config as unknown as Record<string, unknown> | undefined)?.[PER_RECORD] === true));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  fastify.addHook('onRequest', (request, _reply, done) => {
    const found = urlTextProblem(request.params, request.query);
    done(found ? textProblemError(found.problem, found.where) : undefined);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) void reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * Answers what Node's HTTP parser refuses before any route sees it (a malformed request line, a
 * body cut short, headers too large, a request timeout) in the one error shape, with a code, and
 * closes the connection (Fastify's own handler answers without a `code`).
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const code = status === 431 ? ErrorCode.REQUEST_HEADERS_TOO_LARGE : status === 408 ? ErrorCode.TIMEOUT : ErrorCode.MALFORMED_REQUEST;
  const body = JSON.stringify({ error: `the HTTP request is malformed: ${err.code ?? err.message}`, code, details: [] });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
