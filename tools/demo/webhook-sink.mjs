#!/usr/bin/env node
// The demo's webhook receiver: the platform's services POST SLA breaches, drift, promotions and failed
// trainings to their webhook receivers; this prints each one as a line, keeps the last 100, and serves
// them at GET /webhooks for the status command. With WEBHOOK_SECRET set it verifies deliveries the
// Standard Webhooks way (https://www.standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256
// of "<webhook-id>.<webhook-timestamp>.<raw body>">`, and refuses a timestamp more than 5 minutes
// from now, so a captured delivery cannot be replayed later; within those minutes a second delivery
// of the same webhook-id is acknowledged and shown once.
//
//   WEBHOOK_SECRET=... node tools/demo/webhook-sink.mjs [--port 3090] [--host 127.0.0.1]
//   then start the services with WEBHOOK_URLS=http://127.0.0.1:3090/webhooks and the same WEBHOOK_SECRET
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MAX_BODY_BYTES = 1_048_576;
export const TOLERANCE_SECONDS = 300;

/** The HMAC key of a secret: `whsec_<base64>` (Standard Webhooks), else the string's UTF-8 bytes. */
export const webhookKey = (secret) => (secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8'));

/**
 * Checks a delivery's Standard Webhooks headers against its raw body (constant time).
 * @returns {'ok' | 'missing' | 'bad_signature' | 'stale'}
 */
export function verifyDelivery(secret, rawBody, headers, { now = Date.now(), toleranceSeconds = TOLERANCE_SECONDS } = {}) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof signature !== 'string' || !/^[0-9]{1,12}$/.test(String(timestamp ?? ''))) return 'missing';
  const expected = createHmac('sha256', webhookKey(secret)).update(`${id}.${timestamp}.`).update(rawBody).digest();
  const matches = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => {
      const given = Buffer.from(s.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches) return 'bad_signature';
  return Math.abs(now / 1000 - Number(timestamp)) > toleranceSeconds ? 'stale' : 'ok';
}

/** A one-line summary of a webhook payload: the fields a human looks for first, then the rest. */
export function summarise(payload) {
  if (payload === null || typeof payload !== 'object') return JSON.stringify(payload) ?? '';
  const preferred = ['model', 'modelName', 'version', 'model_version', 'alias', 'dataset', 'mart', 'view', 'status', 'previous', 'metric', 'value', 'psi', 'feature', 'reason', 'error'];
  const keys = [...preferred.filter((k) => k in payload), ...Object.keys(payload).filter((k) => !preferred.includes(k))];
  const parts = [];
  for (const k of keys) {
    const v = payload[k];
    const text = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
    parts.push(`${k}=${text.length > 60 ? `${text.slice(0, 57)}...` : text}`);
  }
  const line = parts.join(' ');
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/**
 * @param {{ secret?: string, keep?: number, log?: (line: string) => void, now?: () => number }} [options]
 * @returns {http.Server & { received: object[] }}
 */
export function createWebhookSink({ secret, keep = 100, log = (line) => console.log(line), now = Date.now } = {}) {
  const received = [];
  const seen = new Set();
  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://sink').pathname;
    if (req.method === 'GET' && path === '/webhooks') return send(res, 200, { count: received.length, webhooks: [...received].reverse() });
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return send(res, 200, { status: 'ok' });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST to deliver, GET /webhooks to read', code: 'METHOD_NOT_ALLOWED' });

    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        send(res, 413, { error: 'webhook body over 1 MiB', code: 'PAYLOAD_TOO_LARGE' });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const raw = Buffer.concat(chunks);
      if (secret) {
        const verdict = verifyDelivery(secret, raw, req.headers, { now: now() });
        if (verdict !== 'ok') {
          const stale = verdict === 'stale';
          log(`webhook REFUSED: ${stale ? 'timestamp outside 5 minutes (a replay?)' : 'bad or missing webhook-signature'} from ${req.headers['user-agent'] ?? 'unknown sender'}`);
          return send(res, 401, stale ? { error: 'webhook-timestamp is more than 5 minutes from now', code: 'STALE_TIMESTAMP' } : { error: 'bad or missing webhook-signature', code: 'BAD_SIGNATURE' });
        }
      }
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, 400, { error: 'body is not JSON', code: 'INVALID_JSON' });
      }
      // Delivery is at least once: a redelivered id is acknowledged but shown once.
      const id = req.headers['webhook-id'] ?? body?.id;
      if (id !== undefined && seen.has(id)) return send(res, 200, { status: 'duplicate' });
      if (id !== undefined) seen.add(id);
      const entry = {
        id: id ?? null,
        event: body?.event ?? 'unknown',
        service: body?.service ?? req.headers['user-agent'] ?? 'unknown',
        occurredAt: body?.occurredAt ?? null,
        receivedAt: new Date().toISOString(),
        verified: Boolean(secret),
        summary: summarise(body?.payload ?? body),
        payload: body?.payload ?? body,
      };
      received.push(entry);
      if (received.length > keep) seen.delete(received.shift().id);
      log(`webhook ${entry.event} from ${entry.service}: ${entry.summary}`);
      send(res, 200, { status: 'received' });
    });
  });
  server.received = received;
  return server;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.WEBHOOK_SINK_PORT ?? '3090' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const secret = process.env.WEBHOOK_SECRET || undefined;
  const server = createWebhookSink({ secret, log: (line) => console.log(`[webhooks] ${new Date().toISOString().slice(11, 19)} ${line}`) });
  server.listen(Number(values.port), values.host, () => {
    console.log(`[webhooks] listening on http://${values.host}:${values.port}/webhooks (signatures ${secret ? 'verified' : 'NOT checked: set WEBHOOK_SECRET'})`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
