import type { EventSchemaDocument, WarehouseApplyPlan, WarehouseApplyRequest } from '@mlp/contracts';
import { callService, type CallTarget } from '@mlp/service-kit/testing';

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

const isoDate = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' };
const productId = { type: 'string', minLength: 1, maxLength: 64 };
const money = { type: 'number', minimum: 0 };

/** The shop events the dwh-ingest tests track (each test file applies it as its own project). */
export const TRACKING_PLAN_FIXTURE: EventSchemaDocument[] = [
  {
    name: 'page_viewed',
    version: '1-0-0',
    description: 'A page of the product was shown',
    schema: {
      type: 'object',
      properties: { path: { type: 'string', maxLength: 2048 }, title: { type: 'string', maxLength: 512 }, referrer: { type: 'string', maxLength: 2048 } },
      additionalProperties: false,
    },
  },
  {
    name: 'product_viewed',
    version: '1-0-0',
    description: 'A product detail page was shown',
    schema: { type: 'object', required: ['product_id', 'price'], properties: { product_id: productId, price: money }, additionalProperties: false },
  },
  {
    name: 'added_to_cart',
    version: '1-0-0',
    description: 'A product was added to the cart',
    schema: {
      type: 'object',
      required: ['product_id', 'price', 'quantity'],
      properties: { product_id: productId, price: money, quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
      additionalProperties: false,
    },
  },
  {
    name: 'checkout_started',
    version: '1-0-0',
    description: 'The checkout began',
    schema: { type: 'object', required: ['cart_value'], properties: { cart_value: money }, additionalProperties: false },
  },
  {
    name: 'order_completed',
    version: '1-0-0',
    description: 'An order was placed and paid',
    schema: {
      type: 'object',
      required: ['order_id', 'revenue', 'items'],
      properties: { order_id: { type: 'string', minLength: 1, maxLength: 64 }, revenue: money, items: { type: 'integer', minimum: 1 } },
      additionalProperties: false,
    },
  },
  {
    name: 'identify',
    version: '1-0-0',
    description: 'Traits of a user (identify calls)',
    schema: {
      type: 'object',
      properties: {
        signup_date: isoDate,
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        plan: { type: 'string', enum: ['free', 'plus', 'pro'] },
        email: { type: 'string', maxLength: 320 },
        name: { type: 'string', maxLength: 256 },
      },
      additionalProperties: false,
    },
  },
];

/** Applies warehouse definitions and expects them accepted (the fixtures of a test file). */
export async function applyWarehouse(svc: CallTarget, body: WarehouseApplyRequest, headers: Record<string, string> = {}): Promise<WarehouseApplyPlan> {
  const res = await callService<WarehouseApplyPlan>(svc, 'POST', '/v1/warehouse/apply', body, headers);
  if (res.status !== 200) throw new Error(`apply of ${body.project} answered ${res.status}: ${res.text}`);
  return res.json;
}

/** The tracking plan fixture as a project of its own. */
export const applyTrackingPlan = (svc: CallTarget, headers: Record<string, string> = {}) =>
  applyWarehouse(svc, { project: 'tracking-fixture', event_schemas: TRACKING_PLAN_FIXTURE }, headers);
