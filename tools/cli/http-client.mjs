// Talks to one platform service: JSON in and out, the bearer token in a header (never in a URL,
// never printed), and every failure sorted into "refused" (exit 1) or "unreachable" (exit 3).
import { CliError, ExitCode } from './exit-codes.mjs';

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
  constructor(service, status, body) {
    const b = body && typeof body === 'object' ? body : { error: String(body ?? '') };
    super(ExitCode.FAILED, `${service} refused (HTTP ${status}${b.code ? ` ${b.code}` : ''}): ${b.error ?? 'no message'}`, { code: b.code, service });
    this.name = 'ServiceRefused';
    this.status = status;
    this.body = b;
    this.details = Array.isArray(b.details) ? b.details : [];
  }
}

export class ServiceUnreachable extends CliError {
  constructor(service, url, reason) {
    super(ExitCode.UNREACHABLE, `${service} is unreachable at ${displayUrl(url)}: ${reason}`, { code: 'UNREACHABLE', service });
    this.name = 'ServiceUnreachable';
  }
}

const UNAVAILABLE = new Set([502, 503, 504]);

export class ServiceClient {
  /** @param {{ name: string, baseUrl: string, token?: string, timeoutMs?: number, fetch?: typeof fetch }} options */
  constructor({ name, baseUrl, token, timeoutMs = 120_000, fetch = globalThis.fetch }) {
    this.name = name;
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
    this.timeoutMs = timeoutMs;
    this.fetch = fetch;
  }

  get url() {
    return displayUrl(this.baseUrl);
  }

  /**
   * @param {string} method
   * @param {string} path e.g. `/v1/models/${encodeURIComponent(name)}`
   * @param {{ json?: unknown, body?: unknown, headers?: Record<string, string>, query?: Record<string, unknown>, allow404?: boolean }} options
   * @returns the parsed JSON answer (null for an allowed 404)
   */
  async request(method, path, { json, body, headers = {}, query, allow404 = false } = {}) {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const h = { accept: 'application/json', ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (json !== undefined) h['content-type'] = 'application/json';
    let res;
    try {
      res = await this.fetch(url, {
        method,
        headers: h,
        body: json !== undefined ? JSON.stringify(json) : body,
        ...(body && typeof body === 'object' && !(body instanceof Uint8Array) && typeof body !== 'string' ? { duplex: 'half' } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const reason = err?.name === 'TimeoutError' ? `no answer within ${Math.round(this.timeoutMs / 1000)} s` : (err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(err));
      throw new ServiceUnreachable(this.name, this.baseUrl, reason);
    }
    const text = await res.text().catch(() => '');
    let parsed = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { error: text.slice(0, 500) };
      }
    }
    if (res.ok) return parsed;
    // "No such object" is an answer; "no such route" means the service is older than the CLI.
    if (res.status === 404 && allow404 && parsed?.code !== 'ROUTE_NOT_FOUND') return null;
    if (UNAVAILABLE.has(res.status)) {
      throw new ServiceUnreachable(this.name, this.baseUrl, `HTTP ${res.status}${parsed?.code ? ` ${parsed.code}` : ''}${parsed?.error ? `: ${parsed.error}` : ''}`);
    }
    throw new ServiceRefused(this.name, res.status, parsed);
  }

  get(path, options) {
    return this.request('GET', path, options);
  }

  post(path, json, options = {}) {
    return this.request('POST', path, { ...options, json });
  }
}
