import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.js';
import type { IngestResponse } from '../generated/contract-types.js';
import { HttpTransport, type ServiceOptions } from '../http-transport.js';
import { ClientErrorCode, PlatformApiError } from '../platform-api-error.js';
import {
  buildMessage,
  type AliasParams,
  type GroupParams,
  type IdentifyParams,
  type MessageType,
  type OutgoingMessage,
  type PageParams,
  type ScreenParams,
  type TrackParams,
} from './tracking-messages.js';

/** dwh-ingest's limits (Segment's): a larger event or request is answered 413. */
export const TRACKING_LIMITS = { maxEventBytes: 32 * 1024, maxRequestBytes: 500 * 1024, maxBatchEvents: 2500 } as const;

/** An event the platform refused (or that could never be sent), with the platform's codes. */
export interface RejectedEvent {
  message: OutgoingMessage;
  /** The first violation's code, e.g. `UNPLANNED_EVENT`, `REQUIRED_MISSING`, `EVENT_TOO_LARGE`. */
  code: string;
  errors: Array<{ path?: string; code?: string; message: string }>;
}

export interface TrackingClientOptions extends ServiceOptions {
  /** Send when this many events are queued (default 100). */
  flushAt?: number;
  /** Send queued events at least this often, in ms (default 10 000). */
  flushIntervalMs?: number;
  /** At most this many events per request (default 500, the server takes 2 500). */
  maxBatchEvents?: number;
  /** At most this many bytes per request (default 480 KiB, under the server's 500 KiB). */
  maxBatchBytes?: number;
  /** Retries of one batch on 5xx, 429, network errors and timeouts before it is reported failed (default 8). */
  maxRetries?: number;
  backoff?: Partial<BackoffOptions>;
  /** Events held while the platform is unreachable; beyond it new events are reported failed (default 100 000). */
  maxQueueSize?: number;
  /** Events the platform refused: they were not stored (failed events in the warehouse hold them too). */
  onRejected?: (events: RejectedEvent[]) => void;
  /** Events not delivered after every retry, or refused as a whole (401, 403): keep them if they matter. */
  onDeliveryFailed?: (error: PlatformApiError, messages: OutgoingMessage[]) => void;
  /** Waits between retries (tests pass a recording one). */
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1) for the backoff's jitter. */
  random?: () => number;
}

/** What one flush did. */
export interface FlushResult {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failed: number;
  requests: number;
}

/** A queued event, serialised once: its JSON goes into the request body as is, its size is counted once. */
interface Queued {
  message: OutgoingMessage;
  json: string;
  bytes: number;
}

const encoder = new TextEncoder();
/** Any UTF-16 unit above U+007F (the same test as "not ASCII", without a control character in the pattern). */
const NON_ASCII = /[\u0080-\uffff]/;
/** UTF-8 size of a string: its length when it is ASCII (almost every event), else counted by encoding it. */
const utf8Bytes = (text: string) => (NON_ASCII.test(text) ? encoder.encode(text).length : text.length);
/** The `/v1/batch` body from events already serialised: joined, never parsed or serialised again. */
const batchBody = (batch: Queued[]) => `{"batch":[${batch.map((q) => q.json).join(',')}],"sentAt":"${new Date().toISOString()}"}`;
const emptyResult = (): FlushResult => ({ sent: 0, accepted: 0, duplicates: 0, rejected: 0, failed: 0, requests: 0 });
const add = (a: FlushResult, b: FlushResult): FlushResult => ({
  sent: a.sent + b.sent,
  accepted: a.accepted + b.accepted,
  duplicates: a.duplicates + b.duplicates,
  rejected: a.rejected + b.rejected,
  failed: a.failed + b.failed,
  requests: a.requests + b.requests,
});

/**
 * Sends Segment-spec events to dwh-ingest's `/v1/batch`. Calls only queue; the queue is sent when it
 * holds `flushAt` events or every `flushIntervalMs`, one request at a time. A batch answered 5xx,
 * 429 or not at all is sent again, same messageIds (the server stores each once), after an
 * exponentially growing, jittered wait; a batch answered 413 is split in halves. `flush()` resolves
 * when everything queued before it was delivered or reported; `close()` flushes and stops.
 */
export class TrackingClient {
  private readonly http: HttpTransport;
  private readonly flushAt: number;
  private readonly flushIntervalMs: number;
  private readonly maxBatchEvents: number;
  private readonly maxBatchBytes: number;
  private readonly maxRetries: number;
  private readonly maxQueueSize: number;
  private readonly backoff: BackoffOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private queue: Queued[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private drainScheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: TrackingClientOptions) {
    this.http = new HttpTransport(options);
    this.flushAt = Math.max(1, options.flushAt ?? 100);
    this.flushIntervalMs = options.flushIntervalMs ?? 10_000;
    this.maxBatchEvents = Math.min(TRACKING_LIMITS.maxBatchEvents, Math.max(1, options.maxBatchEvents ?? 500));
    this.maxBatchBytes = Math.min(TRACKING_LIMITS.maxRequestBytes - 1024, options.maxBatchBytes ?? 480 * 1024);
    this.maxRetries = options.maxRetries ?? 8;
    this.maxQueueSize = options.maxQueueSize ?? 100_000;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Events queued and not yet sent. */
  get pending(): number {
    return this.queue.length;
  }

  track(params: TrackParams): OutgoingMessage {
    return this.enqueue('track', params);
  }
  identify(params: IdentifyParams): OutgoingMessage {
    return this.enqueue('identify', params);
  }
  page(params: PageParams): OutgoingMessage {
    return this.enqueue('page', params);
  }
  screen(params: ScreenParams): OutgoingMessage {
    return this.enqueue('screen', params);
  }
  group(params: GroupParams): OutgoingMessage {
    return this.enqueue('group', params);
  }
  alias(params: AliasParams): OutgoingMessage {
    return this.enqueue('alias', params as AliasParams & Record<string, unknown>);
  }

  /** Sends everything queued so far; resolves when each event was delivered or reported. */
  flush(): Promise<FlushResult> {
    this.clearTimer();
    const run = this.chain.then(() => this.drain());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Flushes, then refuses new events. Call it before the process exits. */
  async close(): Promise<FlushResult> {
    this.closed = true;
    return this.flush();
  }

  private enqueue(type: MessageType, params: object): OutgoingMessage {
    if (this.closed) throw new PlatformApiError({ status: 0, code: ClientErrorCode.CLIENT_CLOSED, message: `${type}: the tracking client is closed`, retryable: false });
    const message = buildMessage(type, params as Record<string, unknown>);
    const json = JSON.stringify(message);
    const bytes = utf8Bytes(json);
    if (bytes > TRACKING_LIMITS.maxEventBytes) {
      this.reportRejected([{ message, code: 'EVENT_TOO_LARGE', errors: [{ path: '$', code: 'EVENT_TOO_LARGE', message: `${bytes} bytes; an event may be at most ${TRACKING_LIMITS.maxEventBytes}` }] }]);
      return message;
    }
    if (this.queue.length >= this.maxQueueSize) {
      this.reportFailed(new PlatformApiError({ status: 0, code: 'QUEUE_FULL', message: `more than ${this.maxQueueSize} events wait to be sent`, retryable: false }), [message]);
      return message;
    }
    this.queue.push({ message, json, bytes });
    if (this.queue.length >= this.flushAt) this.scheduleDrain();
    else if (this.timer === undefined && this.flushIntervalMs > 0) this.timer = setTimeout(() => this.scheduleDrain(), this.flushIntervalMs);
    return message;
  }

  private scheduleDrain(): void {
    this.clearTimer();
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    this.chain = this.chain.then(() => this.drain()).catch(() => undefined);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends the whole queue as it is now, in batches that respect the count and byte limits. */
  private async drain(): Promise<FlushResult> {
    this.drainScheduled = false;
    let total = emptyResult();
    while (this.queue.length) {
      // `{"batch":[` ... `],"sentAt":"<24 chars>"}` and a comma between events.
      let bytes = 64;
      let n = 0;
      while (n < this.queue.length && n < this.maxBatchEvents && (n === 0 || bytes + this.queue[n].bytes + 1 <= this.maxBatchBytes)) {
        bytes += this.queue[n].bytes + 1;
        n++;
      }
      // One splice per batch (not a shift per event, which is quadratic in a long queue).
      total = add(total, await this.send(this.queue.splice(0, n)));
    }
    return total;
  }

  /** One batch until it is delivered, split, or given up on. */
  private async send(batch: Queued[]): Promise<FlushResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        // Built per attempt: sentAt is the moment this request leaves, so the server's clock-skew correction holds on a retry.
        const answer = await this.http.json<IngestResponse>({ method: 'POST', path: '/v1/batch', body: batchBody(batch), contentType: 'application/json' });
        return { ...this.settle(batch, answer), requests: attempt + 1 };
      } catch (err) {
        const error = err instanceof PlatformApiError ? err : new PlatformApiError({ status: 0, code: ClientErrorCode.NETWORK_ERROR, message: String(err), cause: err });
        if (error.status === 413 && batch.length > 1) {
          const half = Math.ceil(batch.length / 2);
          const first = await this.send(batch.slice(0, half));
          const second = await this.send(batch.slice(half));
          const both = add(first, second);
          return { ...both, requests: both.requests + attempt + 1 };
        }
        if (error.retryable && attempt < this.maxRetries) {
          await this.sleep(Math.max(error.retryAfterMs ?? 0, backoffDelay(attempt + 1, this.backoff, this.options.random)));
          continue;
        }
        const requests = attempt + 1;
        const messages = batch.map((q) => q.message);
        if (error.status === 400 || error.status === 413) {
          // The server refused the batch itself (a single oversized event, a malformed envelope).
          const errors = error.details.length ? error.details : [{ code: error.code, message: error.message }];
          this.reportRejected(messages.map((message) => ({ message, code: error.code, errors })));
          return { ...emptyResult(), sent: messages.length, rejected: messages.length, requests };
        }
        this.reportFailed(error, messages);
        return { ...emptyResult(), sent: messages.length, failed: messages.length, requests };
      }
    }
  }

  private settle(batch: Queued[], answer: IngestResponse): FlushResult {
    const rejected: RejectedEvent[] = [];
    for (const result of answer?.results ?? []) {
      if (result.status !== 'rejected') continue;
      const message = batch[result.index]?.message;
      if (message) rejected.push({ message, code: result.errors[0]?.code ?? 'REJECTED', errors: result.errors });
    }
    if (rejected.length) this.reportRejected(rejected);
    return { sent: batch.length, accepted: answer?.accepted ?? 0, duplicates: answer?.duplicates ?? 0, rejected: rejected.length, failed: 0, requests: 1 };
  }

  private reportRejected(events: RejectedEvent[]): void {
    try {
      this.options.onRejected?.(events);
    } catch {
      // A failing callback must not stop delivery of the other events.
    }
  }

  private reportFailed(error: PlatformApiError, messages: OutgoingMessage[]): void {
    try {
      this.options.onDeliveryFailed?.(error, messages);
    } catch {
      // As above.
    }
  }
}
