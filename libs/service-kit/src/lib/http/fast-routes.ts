import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { acceptRequestId, requestContext, type Logger } from '@mlp/runtime';
import type { PlatformConfig } from '../config/platform-config';
import type { MetricsService } from '../observability/metrics.service';
import { authorize } from './auth';
import { AnswerQueue } from './answer-queue';
import type { TokenAudit } from './token-audit';
import { mapError } from './error-mapping';
import { hasBadCharacter } from './json-text';
import { parseJsonBody } from './request-text';

/** What a fast route's handler gets: the parsed JSON body, the path parameters, the headers. */
export interface FastRouteRequest {
  id: string;
  params: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
}

export interface FastRoute {
  method: 'POST' | 'PUT' | 'PATCH';
  /** The route template exactly as the Nest controller declares it (the `route` label of the HTTP metrics). */
  path: string;
  /** The scope a token needs (as `@RequireScope`); routes without one need any valid token. */
  scope?: string;
  /**
   * Returns the answer (status 200), or a promise of it, or throws what the platform's exception
   * filter maps. The answer is serialised with `JSON.stringify`, or with `rawJson` it is already the
   * JSON text (a string) and is sent as it is.
   */
  handle(request: FastRouteRequest): unknown;
  rawJson?: boolean;
}

interface CompiledRoute {
  route: FastRoute;
  /** Literal segments, or the name of a parameter (prefixed with ':'). */
  segments: string[];
}

/**
 * The hottest JSON routes of a service (model-serving's V2 infer, feature-store's online reads),
 * answered straight from the HTTP server's request event instead of through Fastify's and Nest's
 * per-request pipelines, which cost several times the work of these routes themselves.
 *
 * A fast route is also declared as an ordinary controller route, which stays the route of record:
 * OpenAPI, 404/405 routing, and every request the fast path does not take all go there and get the
 * same answers. The fast path takes only the plain case: the method and path match, the body is
 * `application/json` with a Content-Length within the body limit and no Content-Encoding, and the
 * service is not draining. It does what the kit does on every route, in the same shape: the
 * `x-request-id` (accepted from the client or made), the request context, bearer token and scope
 * checks (the guard's rules and messages), the kit's JSON parser and text checks (request-text.ts:
 * prototype-poisoning protection, nesting depth, U+0000 and lone surrogates; path parameters with
 * either are left to Fastify, whose request hook refuses them), errors through `mapError`, and the
 * `http_request_duration_seconds` histogram with the route template as label. Its answers are
 * written together at the end of the event loop's turn, or once the oldest has waited 0.5 ms
 * (AnswerQueue), which on a busy server saves a wakeup of the client per answer.
 */
export class FastRoutes {
  private readonly byMethod = new Map<string, CompiledRoute[]>();
  /** Recent request lines and what they matched: clients repeat the same few URLs. */
  private readonly recent = new Map<string, { route: FastRoute; params: Record<string, string> } | null>();

  register(route: FastRoute): void {
    this.recent.clear();
    const segments = route.path.split('/').slice(1);
    if (segments.some((s) => s === '' || s.includes('*'))) throw new Error(`fast route ${route.path}: only plain segments and :params are supported`);
    const list = this.byMethod.get(route.method) ?? [];
    list.push({ route, segments });
    this.byMethod.set(route.method, list);
  }

  /**
   * The route and its decoded parameters for a request line, or undefined. The parameters object is
   * shared by requests with the same line: handlers read it, never write it.
   */
  match(method: string | undefined, url: string | undefined): { route: FastRoute; params: Record<string, string> } | undefined {
    const list = method ? this.byMethod.get(method) : undefined;
    if (!list || !url) return undefined;
    const line = `${method} ${url}`;
    const known = this.recent.get(line);
    if (known !== undefined) return known ?? undefined;
    const found = this.find(list, url);
    if (this.recent.size >= 512) this.recent.clear();
    const entry = found ? { route: found.route, params: Object.freeze(found.params) } : null;
    this.recent.set(line, entry);
    return entry ?? undefined;
  }

  private find(list: CompiledRoute[], url: string): { route: FastRoute; params: Record<string, string> } | undefined {
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path.charCodeAt(0) !== 47 /* / */) return undefined;
    const parts = path.split('/');
    next: for (const compiled of list) {
      if (compiled.segments.length !== parts.length - 1) continue;
      let params: Record<string, string> | undefined;
      for (let i = 0; i < compiled.segments.length; i++) {
        const expected = compiled.segments[i];
        const actual = parts[i + 1];
        if (expected.charCodeAt(0) === 58 /* : */) {
          if (actual === '') continue next;
          let value: string;
          try {
            value = actual.includes('%') ? decodeURIComponent(actual) : actual;
          } catch {
            return undefined; // Fastify answers a malformed escape with its own 400
          }
          if (hasBadCharacter(value)) return undefined; // the kit's request hook answers it with its 400
          (params ??= {})[expected.slice(1)] = value;
        } else if (expected !== actual) continue next;
      }
      return { route: compiled.route, params: params ?? {} };
    }
    return undefined;
  }
}

export interface FastDispatchOptions {
  routes: FastRoutes;
  config: PlatformConfig;
  metrics: MetricsService;
  logger: Logger;
  bodyLimit: number;
  /** True once the service drains: requests then go to Fastify, which refuses them the usual way. */
  draining: () => boolean;
  /** Counts and logs authentications, as for every other route. */
  audit?: TokenAudit;
}

/** One answer of a fast route, waiting to be written. */
interface Answer {
  res: ServerResponse;
  requestId: string;
  method: string;
  template: string;
  started: number;
  status: number;
  body: string;
  contentType: string;
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  if (contentType === 'application/json') return true;
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Returns the server's request listener front: `(req, res) => boolean`, true when the request was
 * taken by a fast route (and will be answered), false when Fastify should handle it.
 */
export function createFastDispatch(options: FastDispatchOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { routes, config, metrics, logger, bodyLimit, draining, audit } = options;

  // Answers are written together at the end of the event loop's turn or after at most 0.5 ms (see
  // AnswerQueue), and counted in the HTTP histogram when written.
  const answers = new AnswerQueue<Answer>(
    ({ res, requestId, method, template, started, status, body, contentType }) => {
      if (!res.destroyed) {
        // Answers finished while draining close their keep-alive connection (as the kit's onSend hook does).
        if (draining()) res.setHeader('connection', 'close');
        res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'x-request-id': requestId });
        res.end(body);
      }
      metrics.observeHttp(method, template, status, (performance.now() - started) / 1000);
    },
    ({ res, template }, err) => {
      logger.error({ err, route: template }, 'answer could not be written');
      res.destroy();
    },
  );
  const answer = (res: ServerResponse, requestId: string, method: string, template: string, started: number, status: number, body: string, contentType: string) =>
    answers.push({ res, requestId, method, template, started, status, body, contentType });

  const fail = (res: ServerResponse, method: string, template: string, started: number, requestId: string, err: unknown) => {
    const mapped = mapError(err, requestId);
    if (mapped.unexpected) logger.error({ err, route: template }, 'request failed');
    answer(res, requestId, method, template, started, mapped.status, JSON.stringify(mapped.body), 'application/json');
  };

  const run = (req: IncomingMessage, res: ServerResponse, route: FastRoute, params: Record<string, string>, requestId: string, started: number, raw: Buffer) => {
    const method = route.method;
    try {
      authorize(config, req.headers.authorization, route.scope, audit);
      // The same parser and text checks as every Fastify route (request-text.ts).
      const body = parseJsonBody(raw);
      const result = route.handle({ id: requestId, params, body, headers: req.headers });
      const ok = (value: unknown) => answer(res, requestId, method, route.path, started, 200, route.rawJson ? String(value) : JSON.stringify(value), 'application/json; charset=utf-8');
      if (result instanceof Promise) {
        result.then(ok, (err) => fail(res, method, route.path, started, requestId, err));
        return;
      }
      ok(result);
    } catch (err) {
      fail(res, method, route.path, started, requestId, err);
    }
  };

  return (req, res) => {
    const found = routes.match(req.method, req.url);
    if (!found || draining()) return false;
    const headers = req.headers;
    const length = headers['content-length'];
    if (length === undefined || headers['content-encoding'] !== undefined || !isJson(headers['content-type'])) return false;
    const declared = Number(length);
    if (!Number.isSafeInteger(declared) || declared > bodyLimit) return false;

    const started = performance.now();
    const requestId = acceptRequestId(headers['x-request-id']);
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.on('error', () => undefined); // an aborted upload: the socket is gone, nothing to answer
    req.on('end', () => {
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      requestContext.run({ requestId }, () => run(req, res, found.route, found.params, requestId, started, raw));
    });
    return true;
  };
}
