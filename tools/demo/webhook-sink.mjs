#!/usr/bin/env node
// The demo's webhook receiver: the platform's services POST SLA breaches, drift, promotions and failed
// trainings to WEBHOOK_URLS; this prints each one as a line, keeps the last 100, and serves them at
// GET /webhooks for the status command. With WEBHOOK_SECRET set it checks `x-mlp-signature:
// sha256=<hex HMAC-SHA256 of the raw body>` and refuses unsigned or forged deliveries with 401.
//
//   WEBHOOK_SECRET=... node tools/demo/webhook-sink.mjs [--port 3090] [--host 127.0.0.1]
//   then start the services with WEBHOOK_URLS=http://127.0.0.1:3090/webhooks
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MAX_BODY_BYTES = 1_048_576;

/** True when `header` is `sha256=<hex>` of the HMAC-SHA256 of `rawBody` under `secret` (constant time). */
export function verifySignature(secret, rawBody, header) {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
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
 * @param {{ secret?: string, keep?: number, log?: (line: string) => void }} [options]
 * @returns {http.Server & { received: object[] }}
 */
export function createWebhookSink({ secret, keep = 100, log = (line) => console.log(line) } = {}) {
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
      if (secret && !verifySignature(secret, raw, req.headers['x-mlp-signature'])) {
        log(`webhook REFUSED: bad or missing x-mlp-signature from ${req.headers['user-agent'] ?? 'unknown sender'}`);
        return send(res, 401, { error: 'bad or missing x-mlp-signature', code: 'BAD_SIGNATURE' });
      }
      let body;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, 400, { error: 'body is not JSON', code: 'INVALID_JSON' });
      }
      // Delivery is at least once: a redelivered id is acknowledged but shown once.
      const id = body?.id;
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
