import { ConfigError } from '@mlp/runtime';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook receivers and the Standard Webhooks signature (https://www.standardwebhooks.com), framework
 * free. Each receiver has its own name, URL, secret and event filter. A delivery carries
 * `webhook-id` (the same on every retry and redelivery: receivers deduplicate on it),
 * `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256
 * of "<id>.<timestamp>.<body>">`; receivers reject timestamps older than a few minutes, so a
 * captured delivery cannot be replayed later.
 */
export interface WebhookReceiver {
  name: string;
  url: string;
  /** HMAC key; empty when the receiver has no secret (the embedded profile only). */
  key: Buffer;
  /** Event patterns: exact names, a prefix ending in `*` (`dwh.sla.*`), or `*` for every event. */
  events: string[];
}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;
const EVENT_FILTER = /^(\*|[a-z][a-z0-9-]*(\.[a-z0-9-]+)*(\.\*|\.v[0-9]+))$/;
const MIN_KEY_BYTES = 24;

/**
 * The HMAC key of a webhook secret: `whsec_<base64>` as Standard Webhooks libraries expect (the
 * decoded bytes), or any other string as its UTF-8 bytes (what WEBHOOK_SECRET always was).
 */
export function webhookKey(secret: string): Buffer {
  if (secret.startsWith('whsec_')) return Buffer.from(secret.slice('whsec_'.length), 'base64');
  return Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256>` of `<id>.<timestamp>.<body>`. */
export function signWebhook(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}

export type WebhookCheck = { ok: true } | { ok: false; reason: 'missing_headers' | 'bad_signature' | 'timestamp_too_old' | 'timestamp_too_new' };

/**
 * What a receiver does (and what the demo sink does): the signature must be one of the header's
 * `v1,` entries, over the exact body, and the timestamp within `toleranceSeconds` of now.
 */
export function verifyWebhook(
  key: Buffer,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  { toleranceSeconds = 300, now = Date.now() }: { toleranceSeconds?: number; now?: number } = {},
): WebhookCheck {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^[0-9]{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing_headers' };
  const expected = Buffer.from(signWebhook(key, id, Number(timestamp), body).slice(3), 'base64');
  const matches = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => {
      const given = Buffer.from(s.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches) return { ok: false, reason: 'bad_signature' };
  const age = now / 1000 - Number(timestamp);
  if (age > toleranceSeconds) return { ok: false, reason: 'timestamp_too_old' };
  if (age < -toleranceSeconds) return { ok: false, reason: 'timestamp_too_new' };
  return { ok: true };
}

/** Whether a receiver gets an event. */
export function receives(receiver: Pick<WebhookReceiver, 'events'>, pattern: string): boolean {
  return receiver.events.some((f) => f === '*' || f === pattern || (f.endsWith('.*') && pattern.startsWith(f.slice(0, -1))));
}

/** What the API may show of a URL: its origin (the path or query may hold a token). */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '[invalid url]';
  }
}

interface WebhookEnv {
  WEBHOOKS?: string;
  WEBHOOK_URLS?: string;
  WEBHOOK_SECRET?: string;
}

/**
 * The receivers of a service: WEBHOOKS, a JSON array of `{name, url, secret, events?}`, or the
 * older WEBHOOK_URLS (every event to every URL, named `webhook-1`, `webhook-2`, ...) signed with
 * WEBHOOK_SECRET. In production every receiver needs a secret and an https URL.
 */
export function parseWebhookReceivers(env: WebhookEnv, production: boolean): WebhookReceiver[] {
  const problem = (variable: string, message: string) => new ConfigError([{ variable, message }]);
  if (env.WEBHOOKS && env.WEBHOOK_URLS) throw problem('WEBHOOKS', 'and WEBHOOK_URLS are both set: use WEBHOOKS (a secret and an event filter per receiver)');
  let receivers: WebhookReceiver[];
  if (env.WEBHOOKS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.WEBHOOKS);
    } catch {
      throw problem('WEBHOOKS', 'is not valid JSON (expected an array of {name, url, secret, events})');
    }
    if (!Array.isArray(parsed)) throw problem('WEBHOOKS', 'must be a JSON array of {name, url, secret, events}');
    receivers = parsed.map((entry: unknown, i) => {
      const e = (entry ?? {}) as { name?: unknown; url?: unknown; secret?: unknown; events?: unknown };
      const where = `entry ${i}${typeof e.name === 'string' ? ` (${e.name})` : ''}`;
      if (typeof e.name !== 'string' || !NAME.test(e.name)) throw problem('WEBHOOKS', `${where}: name must be 1-64 letters, digits, '.', '_' or '-'`);
      if (typeof e.url !== 'string' || !/^https?:\/\//.test(e.url) || urlOrigin(e.url) === '[invalid url]') throw problem('WEBHOOKS', `${where}: url must be an http(s) URL`);
      if (e.secret !== undefined && typeof e.secret !== 'string') throw problem('WEBHOOKS', `${where}: secret must be a string`);
      const events = e.events === undefined ? ['*'] : e.events;
      if (!Array.isArray(events) || events.length === 0 || !events.every((f) => typeof f === 'string' && EVENT_FILTER.test(f))) {
        throw problem('WEBHOOKS', `${where}: events must be a non-empty list of event names, prefixes like "dwh.sla.*", or "*"`);
      }
      return { name: e.name, url: e.url, key: secretKey(e.secret, 'WEBHOOKS', where), events: events as string[] };
    });
  } else {
    const urls = (env.WEBHOOK_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    // WEBHOOK_SECRET keeps its own minimum (16 characters, its env schema's).
    const key = secretKey(env.WEBHOOK_SECRET, 'WEBHOOK_SECRET', 'WEBHOOK_SECRET', 16);
    receivers = urls.map((url, i) => {
      if (!/^https?:\/\//.test(url) || urlOrigin(url) === '[invalid url]') throw problem('WEBHOOK_URLS', `entry ${i + 1} must be an http(s) URL`);
      return { name: `webhook-${i + 1}`, url, key, events: ['*'] };
    });
  }
  const names = new Set<string>();
  for (const r of receivers) {
    if (names.has(r.name)) throw problem('WEBHOOKS', `duplicate receiver name ${r.name}`);
    names.add(r.name);
    if (production && r.key.length === 0) throw problem(env.WEBHOOKS ? 'WEBHOOKS' : 'WEBHOOK_SECRET', `receiver ${r.name} has no secret: every delivery is signed in the production profile`);
    if (production && !r.url.startsWith('https://')) throw problem(env.WEBHOOKS ? 'WEBHOOKS' : 'WEBHOOK_URLS', `receiver ${r.name} must use https in the production profile`);
  }
  return receivers;
}

function secretKey(secret: string | undefined, variable: string, where: string, minBytes = MIN_KEY_BYTES): Buffer {
  if (secret === undefined || secret === '') return Buffer.alloc(0);
  const key = webhookKey(secret);
  if (key.length < minBytes) {
    throw new ConfigError([{ variable, message: `${where}: the secret must hold at least ${minBytes} bytes (whsec_ + base64 of random bytes, as Standard Webhooks)` }]);
  }
  return key;
}
