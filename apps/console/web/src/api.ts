import { PlatformApiError } from '@mlp/client';

// The pages' one way to the console API. The token (production profile) lives in this module and in
// the tab's sessionStorage: it goes out only as an Authorization header to the console's own origin,
// never in a URL, and is forgotten when the tab closes or the user signs out.
const TOKEN_KEY = 'mlp.console.token';

let token: string | null = readStoredToken();
const unauthorizedListeners = new Set<() => void>();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(value: string | null): void {
  token = value;
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage may be off (private mode): the token then lives in memory for this page only.
  }
}

export const hasToken = (): boolean => token !== null;

/** Called when the API answers 401: the session is over, the console asks to sign in again. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** An error answer of the API in the platform's shape, with the request id to look it up in the logs. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Array<{ path?: string; code?: string; message: string }>,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiResult<T> {
  body: T;
  requestId: string | null;
  ms: number;
}

/**
 * `authorization` sends that header instead of the stored token (signing in checks a token before
 * keeping it); `probe` marks the first session check, whose 401 means "not signed in yet", not "ended".
 */
export async function request<T>(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  { signal, authorization, probe = false }: { signal?: AbortSignal; authorization?: string; probe?: boolean } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = authorization ?? (token ? `Bearer ${token}` : undefined);
  if (bearer) headers['authorization'] = bearer;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, credentials: 'same-origin', cache: 'no-store' });
  const ms = performance.now() - started;
  const requestId = res.headers.get('x-request-id');
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'NOT_JSON', `the console answered ${res.status} without JSON`, [], requestId);
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: string; code?: string; details?: ApiError['details'] };
    if (res.status === 401 && !authorization && !probe) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.error ?? `HTTP ${res.status}`, Array.isArray(e.details) ? e.details : [], requestId);
  }
  return { body: json as T, requestId, ms };
}

export const get = async <T>(path: string, signal?: AbortSignal): Promise<T> => (await request<T>('GET', path, undefined, { signal })).body;

export const seg = (value: string | number): string => encodeURIComponent(String(value));

/**
 * What @mlp/client's service clients (platform.ts) send through: the stored token as their bearer,
 * the console's own origin, no HTTP cache, and a 401 ends the session as it does for `request`.
 */
export const currentToken = (): string => token ?? '';
export const consoleFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, { ...init, credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) unauthorizedListeners.forEach((l) => l());
  return res;
};

/** The client's errors in the pages' shape (ErrorBox shows code, request id and details). */
export function asApiError(err: unknown): Error {
  if (err instanceof PlatformApiError) return new ApiError(err.status, err.code, err.message, err.details ?? [], err.requestId ?? null);
  return err instanceof Error ? err : new Error(String(err));
}
