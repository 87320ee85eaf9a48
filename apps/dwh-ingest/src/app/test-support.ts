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
