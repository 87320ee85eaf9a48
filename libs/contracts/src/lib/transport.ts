import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { defineContract, type Contract } from './contract';

/**
 * Every transport message travels in an envelope so that the request id (and the caller) cross
 * service boundaries the same way over TCP and NATS.
 */
export const MessageMeta = Type.Object(
  {
    requestId: Type.String({ minLength: 1, maxLength: 128 }),
    caller: Type.String({ minLength: 1, maxLength: 64 }),
    sentAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type MessageMeta = Static<typeof MessageMeta>;

export interface Envelope<T> {
  meta: MessageMeta;
  data: T;
}

/** A request/reply message: a versioned pattern name and the contracts of both directions. */
export interface MessageContract<Req extends TSchema = TSchema, Rep extends TSchema = TSchema> {
  readonly pattern: string;
  readonly request: Contract<Req>;
  readonly reply: Contract<Rep>;
  readonly description: string;
}

/** A fire-and-forget event: a versioned pattern name, the payload contract and who consumes it. */
export interface EventContract<P extends TSchema = TSchema> {
  readonly pattern: string;
  readonly payload: Contract<P>;
  readonly description: string;
  /** Services that handle the event; over TCP the outbox relay sends it to each of them. */
  readonly consumers: readonly string[];
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
): MessageContract<Req, Rep> {
  const entry: MessageContract<Req, Rep> = {
    pattern,
    request: defineContract(`${pattern}.request`, request),
    reply: defineContract(`${pattern}.reply`, reply),
    description,
  };
  register(pattern, entry as unknown as MessageContract);
  return entry;
}

export function defineEvent<P extends TSchema>(
  pattern: string,
  payload: P,
  description: string,
  consumers: readonly string[] = [],
): EventContract<P> {
  const entry: EventContract<P> = { pattern, payload: defineContract(`${pattern}.payload`, payload), description, consumers };
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

export const EnvelopeContract = defineContract(
  'platform.Envelope',
  Type.Object({ meta: MessageMeta, data: Type.Unknown() }, { additionalProperties: false }),
);
