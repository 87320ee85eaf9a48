import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Per-request state that follows a request through async calls, logs and outgoing messages. */
export interface RequestContext {
  requestId: string;
  /** Who called: a token name over HTTP, a service name over the transport. */
  principal?: string;
  /** The projects an HTTP token is limited to (its `project:<name>` scopes); absent: any project. */
  projects?: readonly string[];
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a client-supplied request id only when it is short and harmless; otherwise makes one. */
export function acceptRequestId(candidate: unknown): string {
  const value = Array.isArray(candidate) ? candidate[0] : candidate;
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : randomUUID();
}
