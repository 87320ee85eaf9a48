import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { findEvent, type EventContract, type PayloadOf } from '@mlp/contracts';
import { requestContext, type Logger } from '@mlp/runtime';
import { createHmac } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { PLATFORM_CONFIG, SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import type { PlatformConfig } from '../config/platform-config';
import { Database } from '../database/database.service';
import { PLATFORM_LOGGER } from '../observability/logger.provider';
import { MetricsService } from '../observability/metrics.service';
import { PeerClients } from '../transport/peer-clients';

interface OutboxRow {
  id: string;
  pattern: string;
  destination: string;
  payload: unknown;
  request_id: string | null;
  attempts: number;
  created_at: Date;
}

const BATCH = 100;
const MAX_BACKOFF_MS = 60_000;

/**
 * The transactional outbox every service uses to publish events. `publish` writes one row per
 * destination (each consumer service of the event, each configured webhook) inside the caller's
 * transaction, so an event exists exactly when the change that caused it was committed. A relay
 * delivers rows in order with `FOR UPDATE SKIP LOCKED` (replicas share the work), retries with
 * backoff while a broker or webhook is down, and never drops a row. Delivery is at least once:
 * consumers are idempotent.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly delivered: Counter<'pattern' | 'kind'>;
  private readonly failures: Counter<'pattern' | 'kind'>;
  private readonly webhooks: string[];

  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    private readonly db: Database,
    private readonly peers: PeerClients,
    metrics: MetricsService,
  ) {
    this.webhooks = (config.env.WEBHOOK_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
    this.delivered = new Counter({ name: 'outbox_delivered_total', help: 'Outbox rows delivered', labelNames: ['pattern', 'kind'], registers: [metrics.registry] });
    this.failures = new Counter({ name: 'outbox_delivery_failures_total', help: 'Failed outbox delivery attempts (retried)', labelNames: ['pattern', 'kind'], registers: [metrics.registry] });
    // Registered in the service's registry; it counts pending rows whenever /metrics is scraped.
    const pending: Gauge = new Gauge({
      name: 'outbox_pending',
      help: 'Outbox rows not yet delivered',
      registers: [metrics.registry],
      collect: async () => {
        if (!this.db.isConnected) return;
        const [row] = await this.db
          .query<{ n: string }>(`SELECT count(*) AS n FROM "${this.db.schema}".outbox WHERE published_at IS NULL`)
          .catch(() => [{ n: '0' }]);
        pending.set(Number(row?.n ?? 0));
      },
    });
  }

  /** Destinations of an event: every consumer service and every webhook. */
  destinations(event: EventContract): string[] {
    return [...event.consumers.map((c) => `service:${c}`), ...this.webhooks.map((u) => `webhook:${u}`)];
  }

  /** Records an event in the given transaction (or on its own when no manager is passed). */
  async publish<E extends EventContract>(event: E, payload: PayloadOf<E>, manager?: EntityManager): Promise<void> {
    event.payload.parse(payload);
    const destinations = this.destinations(event);
    if (destinations.length === 0) return;
    const sql = `INSERT INTO "${this.db.schema}".outbox (pattern, destination, payload, request_id)
                 SELECT $1, d, $2::jsonb, $3 FROM unnest($4::text[]) AS d`;
    const params = [event.pattern, JSON.stringify(payload), requestContext.requestId() ?? null, destinations];
    if (manager) await manager.query(sql, params);
    else await this.db.query(sql, params);
    this.kick();
  }

  onApplicationBootstrap(): void {
    const interval = Number(this.config.env.OUTBOX_POLL_MS ?? 500);
    this.timer = setInterval(() => this.kick(), interval);
    this.timer.unref();
  }

  /** Starts a relay pass now unless one is running. */
  kick(): void {
    if (this.stopped || this.running || !this.db.isConnected) return;
    this.running = this.relay()
      .then(() => undefined)
      .catch((err) => this.log.warn({ err: String(err) }, 'outbox relay pass failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Delivers what is due; returns when nothing due is left or a pass made no progress. */
  async relay(): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await this.db.transaction(async (m) => {
        const rows: OutboxRow[] = await m.query(
          `SELECT id, pattern, destination, payload, request_id, attempts, created_at FROM "${this.db.schema}".outbox
            WHERE published_at IS NULL AND available_at <= now()
            ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        );
        let ok = 0;
        for (const row of rows) {
          const kind = row.destination.split(':')[0];
          try {
            await this.deliver(row);
            await m.query(`UPDATE "${this.db.schema}".outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`, [row.id]);
            this.delivered.inc({ pattern: row.pattern, kind });
            ok++;
          } catch (err) {
            const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(row.attempts, 10));
            await m.query(
              `UPDATE "${this.db.schema}".outbox SET attempts = attempts + 1, last_error = $2, available_at = now() + ($3 || ' milliseconds')::interval WHERE id = $1`,
              [row.id, String((err as Error)?.message ?? err).slice(0, 1000), String(backoff)],
            );
            this.failures.inc({ pattern: row.pattern, kind });
          }
        }
        return { fetched: rows.length, ok };
      });
      total += done.ok;
      if (done.fetched < BATCH || done.ok === 0 || this.stopped) return total;
    }
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const [kind, ...rest] = row.destination.split(':');
    const target = rest.join(':');
    const event = findEvent(row.pattern);
    if (!event) throw new Error(`unknown event pattern ${row.pattern}`);
    if (kind === 'service') {
      await requestContext.run({ requestId: row.request_id ?? `outbox-${row.id}` }, () =>
        this.peers.get(target).emit(event, row.payload as PayloadOf<typeof event>),
      );
      return;
    }
    if (kind === 'webhook') {
      const body = JSON.stringify({
        id: `${this.def.name}:${row.id}`,
        event: row.pattern,
        service: this.def.name,
        occurredAt: new Date(row.created_at).toISOString(),
        payload: row.payload,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': `mlp-${this.def.name}` };
      const secret = this.config.env.WEBHOOK_SECRET as string | undefined;
      if (secret) headers['x-mlp-signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const res = await fetch(target, { method: 'POST', body, headers, signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      return;
    }
    throw new Error(`unknown destination ${row.destination}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
