import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { findEvent, type DeadLetterPage, type EventContract, type PayloadOf, type WebhookReceiversResponse } from '@mlp/contracts';
import { PlatformError, requestContext, type Logger } from '@mlp/runtime';
import { Counter, Gauge } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { PLATFORM_CONFIG, SERVICE_DEFINITION, type ServiceDefinition } from '../service-definition';
import type { PlatformConfig } from '../config/platform-config';
import { Database } from '../database/database.service';
import { PLATFORM_LOGGER } from '../observability/logger.provider';
import { MetricsService } from '../observability/metrics.service';
import { PeerClients } from '../transport/peer-clients';
import { receives, signWebhook, urlOrigin, type WebhookReceiver } from './webhooks';

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
/** Between services the relay never gives up (the platform's own consumers must get every event). */
const MAX_SERVICE_BACKOFF_MS = 60_000;
const WEBHOOK_TIMEOUT_MS = 5000;

/**
 * The transactional outbox every service uses to publish events. `publish` writes one row per
 * destination (each consumer service of the event, each webhook receiver whose filter takes it)
 * inside the caller's transaction, so an event exists exactly when the change that caused it was
 * committed. A relay delivers rows in order with `FOR UPDATE SKIP LOCKED` (replicas share the
 * work) and retries with backoff while a broker or receiver is down. Deliveries to services are
 * retried until they succeed; a webhook delivery gets WEBHOOK_MAX_ATTEMPTS attempts (doubling
 * backoff up to WEBHOOK_MAX_BACKOFF_MS), then becomes a dead letter that the API lists and
 * redelivers. Delivery is at least once: consumers are idempotent, webhook receivers deduplicate
 * on `webhook-id`.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly delivered: Counter<'pattern' | 'kind'>;
  private readonly failures: Counter<'pattern' | 'kind'>;
  private readonly deadLettered: Counter<'pattern' | 'receiver'>;
  private readonly webhooks: WebhookReceiver[];
  private readonly maxAttempts: number;
  private readonly maxWebhookBackoffMs: number;

  constructor(
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
    private readonly db: Database,
    private readonly peers: PeerClients,
    metrics: MetricsService,
  ) {
    this.webhooks = config.webhooks;
    this.maxAttempts = config.env['WEBHOOK_MAX_ATTEMPTS'] as number;
    this.maxWebhookBackoffMs = config.env['WEBHOOK_MAX_BACKOFF_MS'] as number;
    this.delivered = new Counter({ name: 'outbox_delivered_total', help: 'Outbox rows delivered', labelNames: ['pattern', 'kind'], registers: [metrics.registry] });
    this.failures = new Counter({ name: 'outbox_delivery_failures_total', help: 'Failed outbox delivery attempts (retried)', labelNames: ['pattern', 'kind'], registers: [metrics.registry] });
    this.deadLettered = new Counter({
      name: 'outbox_dead_lettered_total',
      help: 'Webhook deliveries that used up their attempts and became dead letters',
      labelNames: ['pattern', 'receiver'],
      registers: [metrics.registry],
    });
    // Registered in the service's registry; they count rows whenever /metrics is scraped.
    const counts = async () => {
      if (!this.db.isConnected) return { pending: 0, dead: 0 };
      const [row] = await this.db
        .query<{ pending: string; dead: string }>(
          `SELECT count(*) FILTER (WHERE dead_at IS NULL) AS pending, count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
             FROM "${this.db.schema}".outbox WHERE published_at IS NULL`,
        )
        .catch(() => [{ pending: '0', dead: '0' }]);
      return { pending: Number(row?.pending ?? 0), dead: Number(row?.dead ?? 0) };
    };
    const pending: Gauge = new Gauge({
      name: 'outbox_pending',
      help: 'Outbox rows not yet delivered (dead letters excluded)',
      registers: [metrics.registry],
      collect: async () => pending.set((await counts()).pending),
    });
    const dead: Gauge = new Gauge({
      name: 'outbox_dead_letters',
      help: 'Webhook deliveries that used up their attempts, waiting to be redelivered through the API',
      registers: [metrics.registry],
      collect: async () => dead.set((await counts()).dead),
    });
  }

  /** Destinations of an event: every consumer service and every webhook receiver whose filter takes it. */
  destinations(event: EventContract): string[] {
    return [...event.consumers.map((c) => `service:${c}`), ...this.webhooks.filter((r) => receives(r, event.pattern)).map((r) => `webhook:${r.name}`)];
  }

  /** Records an event in the given transaction (or on its own when no manager is passed). */
  async publish<E extends EventContract>(event: E, payload: PayloadOf<E>, manager?: EntityManager): Promise<void> {
    await this.write(event, payload, this.destinations(event), manager);
  }

  /** Whether a webhook receiver of this name is configured. */
  hasWebhook(name: string): boolean {
    return this.webhooks.some((r) => r.name === name);
  }

  /**
   * Records an event for one webhook receiver only, whatever the receivers' filters say (a report a
   * definition addresses to that receiver by name); delivered, retried and dead-lettered as any other.
   */
  async publishToWebhook<E extends EventContract>(event: E, payload: PayloadOf<E>, receiver: string, manager?: EntityManager): Promise<void> {
    if (!this.hasWebhook(receiver)) throw new Error(`no webhook receiver named ${receiver}`);
    await this.write(event, payload, [`webhook:${receiver}`], manager);
  }

  private async write<E extends EventContract>(event: E, payload: PayloadOf<E>, destinations: string[], manager?: EntityManager): Promise<void> {
    event.payload.parse(payload);
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
            WHERE published_at IS NULL AND dead_at IS NULL AND available_at <= now()
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
            const error = String((err as Error)?.message ?? err).slice(0, 1000);
            this.failures.inc({ pattern: row.pattern, kind });
            if (kind === 'webhook' && row.attempts + 1 >= this.maxAttempts) {
              await m.query(`UPDATE "${this.db.schema}".outbox SET attempts = attempts + 1, last_error = $2, dead_at = now() WHERE id = $1`, [row.id, error]);
              const receiver = row.destination.slice('webhook:'.length);
              const name = this.receiverFor(receiver)?.name ?? 'unknown';
              this.deadLettered.inc({ pattern: row.pattern, receiver: name });
              this.log.warn({ outboxId: row.id, receiver: name, event: row.pattern, attempts: row.attempts + 1, error }, 'webhook delivery dead-lettered');
              continue;
            }
            // Doubling from 0.5 s, with jitter so receivers coming back are not hit all at once.
            const cap = kind === 'webhook' ? this.maxWebhookBackoffMs : MAX_SERVICE_BACKOFF_MS;
            const backoff = Math.round(Math.min(cap, 500 * 2 ** Math.min(row.attempts, 30)) * (0.8 + 0.4 * Math.random()));
            await m.query(
              `UPDATE "${this.db.schema}".outbox SET attempts = attempts + 1, last_error = $2, available_at = now() + ($3 || ' milliseconds')::interval WHERE id = $1`,
              [row.id, error, String(backoff)],
            );
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
      const receiver = this.receiverFor(target);
      if (!receiver) throw new Error(`no webhook receiver ${target} is configured any more`);
      const id = this.webhookId(row.id);
      const body = JSON.stringify({ id, event: row.pattern, service: this.def.name, occurredAt: new Date(row.created_at).toISOString(), payload: row.payload });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': `mlp-${this.def.name}`,
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
      };
      if (receiver.key.length) headers['webhook-signature'] = signWebhook(receiver.key, id, timestamp, body);
      let res: Response;
      try {
        res = await fetch(receiver.url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      } catch (err) {
        // The URL itself is never logged or stored: a path or query may hold the receiver's token.
        const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
        throw new Error(`webhook ${receiver.name} (${urlOrigin(receiver.url)}) unreachable: ${cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err)}`);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) throw new Error(`webhook ${receiver.name} answered ${res.status}`);
      return;
    }
    throw new Error(`unknown destination ${row.destination}`);
  }

  /** The receiver of a destination: by name, or by URL for rows written before receivers had names. */
  private receiverFor(target: string): WebhookReceiver | undefined {
    return this.webhooks.find((r) => r.name === target) ?? this.webhooks.find((r) => r.url === target);
  }

  /** The `webhook-id` of a delivery: the same on every attempt and redelivery. */
  private webhookId(rowId: string): string {
    return `${this.def.name}:${rowId}`;
  }

  /** The receivers, each with its pending deliveries and dead letters. */
  async receivers(): Promise<WebhookReceiversResponse> {
    const rows = await this.db.query<{ destination: string; pending: string; dead: string }>(
      `SELECT destination, count(*) FILTER (WHERE dead_at IS NULL) AS pending, count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
         FROM "${this.db.schema}".outbox WHERE published_at IS NULL AND destination LIKE 'webhook:%' GROUP BY destination`,
    );
    const byName = new Map<string, { pending: number; dead: number }>();
    for (const r of rows) {
      const name = this.receiverFor(r.destination.slice('webhook:'.length))?.name ?? r.destination.slice('webhook:'.length);
      const c = byName.get(name) ?? { pending: 0, dead: 0 };
      byName.set(name, { pending: c.pending + Number(r.pending), dead: c.dead + Number(r.dead) });
    }
    return {
      service: this.def.name,
      maxAttempts: this.maxAttempts,
      receivers: this.webhooks.map((r) => ({ name: r.name, origin: urlOrigin(r.url), events: [...r.events], pending: byName.get(r.name)?.pending ?? 0, deadLetters: byName.get(r.name)?.dead ?? 0 })),
    };
  }

  /** Dead letters, oldest first, a page at a time. */
  async deadLetters(query: { receiver?: string; limit?: number; cursor?: string }): Promise<DeadLetterPage> {
    const limit = Math.max(1, Math.min(1000, query.limit ?? 100));
    const rows = await this.db.query<OutboxRow & { last_error: string | null; dead_at: Date }>(
      `SELECT id, pattern, destination, payload, attempts, last_error, created_at, dead_at FROM "${this.db.schema}".outbox
        WHERE dead_at IS NOT NULL AND published_at IS NULL AND id > $1 AND ($2::text[] IS NULL OR destination = ANY($2))
        ORDER BY id LIMIT $3`,
      [query.cursor ?? '0', query.receiver ? this.destinationsOf(query.receiver) : null, limit + 1],
    );
    const items = rows.slice(0, limit).map((r) => ({
      id: String(r.id),
      webhookId: this.webhookId(String(r.id)),
      receiver: this.receiverFor(r.destination.slice('webhook:'.length))?.name ?? r.destination.slice('webhook:'.length),
      event: r.pattern,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: new Date(r.created_at).toISOString(),
      deadAt: new Date(r.dead_at).toISOString(),
      payload: r.payload,
    }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  /**
   * Makes dead letters due again with a fresh set of attempts: the given ids, or every one of a
   * receiver (or the ids of that receiver). They keep their id, so receivers see the same webhook-id.
   */
  async redeliver(request: { ids?: string[]; receiver?: string }): Promise<{ redelivered: number; ids: string[] }> {
    if (!request.ids && !request.receiver) throw PlatformError.badRequest('name the dead letters to redeliver: ids, receiver, or both', []);
    if (request.receiver && !this.webhooks.some((r) => r.name === request.receiver)) {
      throw new PlatformError(404, 'RECEIVER_NOT_FOUND', `no webhook receiver ${request.receiver} is configured`);
    }
    // An UPDATE answers [rows, count] through TypeORM's query runner.
    const [rows] = (await this.db.query(
      `UPDATE "${this.db.schema}".outbox SET dead_at = NULL, attempts = 0, available_at = now()
        WHERE dead_at IS NOT NULL AND published_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1)) AND ($2::text[] IS NULL OR destination = ANY($2))
        RETURNING id`,
      [request.ids ?? null, request.receiver ? this.destinationsOf(request.receiver) : null],
    )) as unknown as [Array<{ id: string }>, number];
    const ids = rows.map((r) => String(r.id)).sort((a, b) => Number(a) - Number(b));
    if (ids.length) {
      this.log.info({ outboxIds: ids.length, receiver: request.receiver ?? null }, 'webhook dead letters redelivered');
      this.kick();
    }
    return { redelivered: ids.length, ids };
  }

  /** Destination values of a receiver: its name, and its URL for rows written before names. */
  private destinationsOf(name: string): string[] {
    const r = this.webhooks.find((w) => w.name === name);
    return r ? [`webhook:${r.name}`, `webhook:${r.url}`] : [`webhook:${name}`];
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
