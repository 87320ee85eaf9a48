import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { defineContract, type Contract } from './contract';

/**
 * Every transport message travels in an envelope so that the request id (and the caller) cross
 * service boundaries the same way over TCP and NATS. When the platform has a transport secret, the
 * sender also names the receiver and signs the message (the service kit's `transport-auth.ts`):
 * `nonce` and `signature` make a forged, altered or replayed message recognisable.
 */
export const MessageMeta = Type.Object(
  {
    requestId: Type.String({ minLength: 1, maxLength: 128 }),
    caller: Type.String({ minLength: 1, maxLength: 64 }),
    sentAt: Type.String({ format: 'date-time' }),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The service the message is for; others ignore it' })),
    nonce: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'Unique per message: a second delivery of it is a replay' })),
    signature: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'HMAC-SHA256 (base64url) of the message under the platform transport secret' })),
  },
  { additionalProperties: false },
);
export type MessageMeta = Static<typeof MessageMeta>;

export interface Envelope<T> {
  meta: MessageMeta;
  data: T;
}

/**
 * A request/reply message: a versioned pattern name and the contracts of both directions. The
 * service that answers it owns it: its name is the pattern's first segment (`trainer.aliases.v1`).
 */
export interface MessageContract<Req extends TSchema = TSchema, Rep extends TSchema = TSchema> {
  readonly pattern: string;
  readonly request: Contract<Req>;
  readonly reply: Contract<Rep>;
  readonly description: string;
  /**
   * Services allowed to send it besides its owner. Declared for every platform message: receivers
   * refuse other senders and the NATS permissions let only these publish on its subject. When
   * undefined (test fixtures, a service still being written) any authenticated sender may.
   */
  readonly callers?: readonly string[];
}

/** A fire-and-forget event: a versioned pattern name, the payload contract and who consumes it. */
export interface EventContract<P extends TSchema = TSchema> {
  readonly pattern: string;
  readonly payload: Contract<P>;
  readonly description: string;
  /** Services that handle the event; over TCP the outbox relay sends it to each of them. */
  readonly consumers: readonly string[];
  /**
   * The one service that publishes it. Declared for every platform event: receivers refuse it from
   * anyone else and the NATS permissions let only this service publish on its subject.
   */
  readonly producer?: string;
}

export type RequestOf<M> = M extends MessageContract<infer R, TSchema> ? Static<R> : never;
export type ReplyOf<M> = M extends MessageContract<TSchema, infer R> ? Static<R> : never;
export type PayloadOf<E> = E extends EventContract<infer P> ? Static<P> : never;

const PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\.v[0-9]+$/;

const messages = new Map<string, MessageContract | EventContract>();

function register(pattern: string, entry: MessageContract | EventContract): void {
  if (!PATTERN.test(pattern)) throw new Error(`pattern ${pattern} must look like "<area>.<name>.v<N>"`);
  if (messages.has(pattern)) throw new Error(`pattern ${pattern} is defined twice`);
  messages.set(pattern, entry);
}

export function defineMessage<Req extends TSchema, Rep extends TSchema>(
  pattern: string,
  request: Req,
  reply: Rep,
  description: string,
  options: { callers?: readonly string[] } = {},
): MessageContract<Req, Rep> {
  const entry: MessageContract<Req, Rep> = {
    pattern,
    request: defineContract(`${pattern}.request`, request),
    reply: defineContract(`${pattern}.reply`, reply),
    description,
    ...(options.callers ? { callers: [...options.callers] } : {}),
  };
  register(pattern, entry as unknown as MessageContract);
  return entry;
}

export function defineEvent<P extends TSchema>(
  pattern: string,
  payload: P,
  description: string,
  consumers: readonly string[] = [],
  options: { producer?: string } = {},
): EventContract<P> {
  const entry: EventContract<P> = {
    pattern,
    payload: defineContract(`${pattern}.payload`, payload),
    description,
    consumers,
    ...(options.producer ? { producer: options.producer } : {}),
  };
  register(pattern, entry as unknown as EventContract);
  return entry;
}

export function listMessages(): Array<MessageContract | EventContract> {
  return [...messages.values()];
}

export function findEvent(pattern: string): EventContract | undefined {
  const entry = messages.get(pattern);
  return entry && 'payload' in entry ? entry : undefined;
}

/** The message or event registered under a pattern. */
export function findPattern(pattern: string): MessageContract | EventContract | undefined {
  return messages.get(pattern);
}

/** The service that answers a request/reply message: the first segment of its pattern. */
export function messageOwner(pattern: string): string {
  return pattern.slice(0, pattern.indexOf('.'));
}

/**
 * Whether `sender` may send what is registered under `pattern`: an event only from its producer, a
 * message from its owner (a service calling itself, as readiness does) or a declared caller. What
 * declares neither (test fixtures) is open to any authenticated sender; an unknown pattern to none.
 */
export function maySend(sender: string, pattern: string): boolean {
  const entry = messages.get(pattern);
  if (!entry) return false;
  if ('payload' in entry) return entry.producer === undefined || entry.producer === sender;
  return entry.callers === undefined || messageOwner(pattern) === sender || entry.callers.includes(sender);
}

/**
 * The NATS subjects a service needs, derived from the contracts alone. It publishes its events, the
 * messages it owns or may call, and replies (the broker's `allow_responses`); it subscribes to the
 * messages it owns, the events it consumes and its own reply inboxes (`_INBOX.<service>.>`, the
 * inbox prefix the service kit gives its clients). Anything else is denied.
 */
export function transportSubjects(service: string): { publish: string[]; subscribe: string[] } {
  const publish = new Set<string>();
  const subscribe = new Set<string>();
  for (const [pattern, entry] of messages) {
    if ('payload' in entry) {
      if (entry.producer === service) publish.add(pattern);
      if (entry.consumers.includes(service)) subscribe.add(pattern);
      continue;
    }
    const owner = messageOwner(pattern);
    if (owner === service) {
      subscribe.add(pattern);
      publish.add(pattern);
    } else if (entry.callers?.includes(service)) publish.add(pattern);
  }
  subscribe.add(`${replyInboxPrefix(service)}.>`);
  return { publish: [...publish].sort(), subscribe: [...subscribe].sort() };
}

/** The inbox prefix of a service's transport clients: replies to it arrive on `<prefix>.<id>`. */
export function replyInboxPrefix(service: string): string {
  return `_INBOX.${service}`;
}

export const EnvelopeContract = defineContract(
  'platform.Envelope',
  Type.Object({ meta: MessageMeta, data: Type.Unknown() }, { additionalProperties: false }),
);
