import type { TrackingMessage } from '../generated/contract-types.js';
import { randomId } from '../http-transport.js';
import { CLIENT_NAME, CLIENT_VERSION } from '../version.js';

/** The Segment spec's six calls. dwh-ingest stores track and identify today; page, screen, group and alias are being added. */
export type MessageType = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';

type Json = { [key: string]: unknown };

/** One message as sent in `/v1/batch`: the tracking contract's envelope, with the spec's fields of the other calls. */
export type OutgoingMessage = Omit<TrackingMessage, 'type'> & {
  type: MessageType;
  /** page and screen: the page's or screen's name. */
  name?: string;
  /** page: its category. */
  category?: string;
  /** group: the account or organisation id. */
  groupId?: string;
  /** alias: the id the user had before. */
  previousId?: string;
};

/** Fields every call takes. At least one of userId and anonymousId is required (alias: userId and previousId). */
export interface CommonFields {
  userId?: string;
  anonymousId?: string;
  /** Idempotency key of the event; a random UUID when absent. Retries always reuse it. */
  messageId?: string;
  /** When it happened (default: now). */
  timestamp?: Date | string;
  context?: Json;
  /** SchemaVer of the event schema this sender was built against (`1-0-0`). */
  schemaVersion?: string;
}

export interface TrackParams extends CommonFields {
  event: string;
  properties?: Json;
}
export interface IdentifyParams extends CommonFields {
  traits?: Json;
}
export interface PageParams extends CommonFields {
  name?: string;
  category?: string;
  properties?: Json;
}
export interface ScreenParams extends CommonFields {
  name?: string;
  properties?: Json;
}
export interface GroupParams extends CommonFields {
  groupId: string;
  traits?: Json;
}
export interface AliasParams extends Omit<CommonFields, 'userId'> {
  userId: string;
  previousId: string;
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Builds the message a call sends; throws TypeError for a call the server would certainly refuse. */
export function buildMessage(type: MessageType, params: CommonFields & Record<string, unknown>, now: () => Date = () => new Date()): OutgoingMessage {
  if (!params || typeof params !== 'object') throw new TypeError(`${type}: pass an object`);
  if (type === 'alias') {
    if (!nonEmpty(params.userId) || !nonEmpty(params['previousId'])) throw new TypeError('alias: userId and previousId are required');
  } else if (!nonEmpty(params.userId) && !nonEmpty(params.anonymousId)) {
    throw new TypeError(`${type}: userId or anonymousId is required`);
  }
  if (type === 'track' && !nonEmpty(params['event'])) throw new TypeError('track: event is required');
  if (type === 'group' && !nonEmpty(params['groupId'])) throw new TypeError('group: groupId is required');
  // One object built key by key: no rest-spread copy and no `delete` (which would turn the message
  // into a slow dictionary object for the JSON.stringify that follows). `type` and `sentAt` are the
  // client's to set: the call names the type, and each request carries the moment it is sent.
  const message = { type } as OutgoingMessage & Record<string, unknown>;
  for (const key of Object.keys(params)) {
    if (key === 'type' || key === 'sentAt' || key === 'timestamp' || key === 'context' || key === 'messageId') continue;
    const value = params[key];
    if (value !== undefined) message[key] = value;
  }
  message.messageId = params.messageId ?? randomId();
  const { timestamp } = params;
  message.timestamp = timestamp instanceof Date ? timestamp.toISOString() : (timestamp ?? now().toISOString());
  message.context = { ...params.context, library: LIBRARY };
  return message;
}

const LIBRARY = Object.freeze({ name: CLIENT_NAME, version: CLIENT_VERSION });
