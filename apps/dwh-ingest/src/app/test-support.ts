import type { TestService } from '@mlp/service-kit/testing';

/** A JSON HTTP call against a service under test. */
export async function call(svc: TestService, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${svc.url}${url}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answers of many shapes
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, json, headers: res.headers };
}

let counter = 0;
/** A valid demo track message; override anything. */
export function trackMessage(over: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    type: 'track',
    messageId: `m-${Date.now().toString(36)}-${counter}`,
    userId: 'u1',
    event: 'product_viewed',
    timestamp: '2026-11-20T10:00:00.000Z',
    properties: { product_id: 'p1', price: 9.5 },
    ...over,
  };
}
