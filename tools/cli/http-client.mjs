// Talks to the platform services through @mlp/client (libs/client): the CLI builds no HTTP requests
// of its own. This file loads the client and sorts every failure it reports (PlatformApiError) into
// "refused" (exit 1) or "unreachable" (exit 3). The token goes only in the Authorization header (the
// client's rule), and is never printed.
import { createRequire } from 'node:module';
import { CliError, ExitCode } from './exit-codes.mjs';

let clientModule;
/**
 * @mlp/client from its TypeScript sources, through the repo's ts-hook (no build step). Loaded on the
 * first service call, so offline commands (`--help`, validate, init) never pay for it.
 * @returns {typeof import('../../libs/client/src/index.ts')}
 */
export function platformClientModule() {
  if (!clientModule) {
    const require = createRequire(import.meta.url);
    require('../ts-hook/register.cjs');
    clientModule = require('../../libs/client/src/index.ts');
  }
  return clientModule;
}

/** A URL fit to print: without user information (a password someone put there). */
export function displayUrl(url) {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}

/** The service answered with an error: its body is `{ error, code, details }` (libs/contracts errors.ts). */
export class ServiceRefused extends CliError {
  constructor(service, status, body, requestId) {
    const b = body && typeof body === 'object' ? body : { error: String(body ?? '') };
    super(ExitCode.FAILED, `${service} refused (HTTP ${status}${b.code ? ` ${b.code}` : ''}): ${b.error ?? 'no message'}`, { code: b.code, service });
    this.name = 'ServiceRefused';
    this.status = status;
    this.body = b;
    this.details = Array.isArray(b.details) ? b.details : [];
    this.requestId = requestId;
  }
}

export class ServiceUnreachable extends CliError {
  constructor(service, url, reason, requestId) {
    super(ExitCode.UNREACHABLE, `${service} is unreachable at ${displayUrl(url)}: ${reason}`, { code: 'UNREACHABLE', service });
    this.name = 'ServiceUnreachable';
    this.requestId = requestId;
  }
}

const UNAVAILABLE = new Set([502, 503, 504]);

/**
 * A PlatformApiError as the CLI reports it. `HTTP_<status>` is the client's code for an answer
 * without the platform's error body: the CLI shows no code then, as for any answer without one.
 * @param {import('../../libs/client/src/index.ts').PlatformApiError} err
 */
export function cliErrorOf(err, { service, baseUrl, timeoutMs }) {
  const code = err.code === `HTTP_${err.status}` ? undefined : err.code;
  if (err.status === 0) {
    const reason =
      err.code === 'TIMEOUT'
        ? `no answer within ${Math.round(timeoutMs / 1000)} s`
        : (err.cause?.cause?.code ?? err.cause?.cause?.message ?? err.cause?.message ?? err.message);
    return new ServiceUnreachable(service, baseUrl, reason, err.requestId);
  }
  if (UNAVAILABLE.has(err.status)) {
    return new ServiceUnreachable(service, baseUrl, `HTTP ${err.status}${code ? ` ${code}: ${err.message}` : ''}`, err.requestId);
  }
  return new ServiceRefused(service, err.status, { error: err.message, code, details: err.details }, err.requestId);
}

export class ServiceClient {
  /**
   * @param {{ name: string, baseUrl: string, token?: string, timeoutMs?: number, fetch?: typeof fetch,
   *   create: (client: typeof import('../../libs/client/src/index.ts'), options: object) => unknown }} options
   *   `create` makes this service's @mlp/client clients from the module and the ServiceOptions.
   */
  constructor({ name, baseUrl, token, timeoutMs = 120_000, fetch, create }) {
    this.name = name;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
    this.timeoutMs = timeoutMs;
    this.fetch = fetch;
    this.create = create;
  }

  get url() {
    return displayUrl(this.baseUrl);
  }

  /** This service's @mlp/client clients, made on first use. */
  get api() {
    this.clients ??= this.create(platformClientModule(), { baseUrl: this.baseUrl, token: this.token, timeoutMs: this.timeoutMs, ...(this.fetch ? { fetch: this.fetch } : {}) });
    return this.clients;
  }

  /**
   * Runs one client call; its failure becomes the CLI's error. Every call gets the CLI's timeout
   * (--timeout), also those the client leaves unbounded by default (transformation runs, imports).
   * @template T
   * @param {(api: any, options: { timeoutMs: number }) => Promise<T>} fn
   * @param {{ allow404?: boolean }} options `allow404`: "no such object" answers null; "no such route" (the service is older than the CLI) stays an error
   * @returns {Promise<T | null>}
   */
  async call(fn, { allow404 = false } = {}) {
    const api = this.api;
    const { PlatformApiError } = platformClientModule();
    try {
      return await fn(api, { timeoutMs: this.timeoutMs });
    } catch (err) {
      if (!(err instanceof PlatformApiError)) throw err;
      if (allow404 && err.status === 404 && err.code !== 'ROUTE_NOT_FOUND') return null;
      throw cliErrorOf(err, { service: this.name, baseUrl: this.baseUrl, timeoutMs: this.timeoutMs });
    }
  }
}
