import { TrackingViolationCode, type EventViolation, type TrackingMessage, type TrackingMessageType } from '@mlp/contracts';
import { findTextProblem, type TextProblem } from '@mlp/service-kit';
import { CompiledPlan } from '../schemas/compiled-plan';
import { envelopeViolations } from './envelope-validator';

/** A message that passed the tracking plan, in the columns of `dwh.events`. */
export interface EventRow {
  messageId: string;
  type: TrackingMessageType;
  /** track: the event name; page/screen: the name (the type when unnamed); identify/group/alias: the type. */
  event: string;
  /**
   * The tracking plan schema the payload was checked against when it is not `event` (a page named
   * `Product Detail` checked against `page_product_detail` or `page`); null when it is `event` (track,
   * identify, group, an unnamed page) and for alias, which carries no payload. The schema of a row
   * is `coalesce(schema_name, event)`; null keeps the usual row's COPY text and storage as before.
   */
  schemaName: string | null;
  schemaVersion: string;
  /** page/screen: the category. */
  category: string | null;
  /** group: the group. */
  groupId: string | null;
  /** alias: the previous identity. */
  previousId: string | null;
  userId: string | null;
  anonymousId: string | null;
  /** track/page/screen: `properties`; identify/group: `traits`; alias: `{}`. */
  properties: Record<string, unknown>;
  context: Record<string, unknown> | null;
  /** Timestamps as canonical ISO 8601 UTC text (`2026-11-20T10:00:00.000Z`), what the COPY loads. */
  deviceCreatedAt: string;
  deviceSentAt: string | null;
  receivedAt: string;
  /** Snowplow's derived timestamp: device time corrected by the device clock skew (received - sent). */
  derivedAt: string;
}

/**
 * A rejected message as `dwh.failed_events` keeps it: without a `writeKey` (a credential Segment's
 * HTTP API lets a single call carry in its body), which would otherwise be readable there.
 */
export function storablePayload(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || (raw as Record<string, unknown>)['writeKey'] === undefined) return raw;
  const { writeKey: _key, ...rest } = raw as Record<string, unknown>;
  return rest;
}

/** When a request arrived, as a Date and as canonical text (formatted once per request). */
export class ReceivedAt {
  readonly ms: number;
  readonly iso: string;
  constructor(readonly date: Date = new Date()) {
    this.ms = date.getTime();
    this.iso = date.toISOString();
  }
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A valid ISO 8601 timestamp as canonical UTC text with milliseconds. Clients usually send exactly
 * that (`Date.prototype.toISOString`), and then the string is kept as it is: no Date, no formatting.
 */
export const canonicalTimestamp = (s: string): string => (CANONICAL.test(s) ? s : new Date(s).toISOString());

export type ValidationOutcome = { ok: true; row: EventRow } | { ok: false; messageId: string | null; event: string | null; violations: EventViolation[] };

type Field = 'event' | 'name' | 'category' | 'groupId' | 'previousId' | 'properties' | 'traits';

/**
 * What each Segment call carries: its payload (`properties` or `traits`, checked against the tracking
 * plan), the fields it needs and the type-specific fields it may have. Any other type-specific field
 * is refused (`ADDITIONAL_PROPERTIES`): a page with `traits`, an alias with `properties`.
 */
const CALLS: Record<TrackingMessageType, { payload: 'properties' | 'traits' | null; required: Field[]; allowed: Field[] }> = {
  track: { payload: 'properties', required: ['event'], allowed: ['event', 'properties'] },
  identify: { payload: 'traits', required: [], allowed: ['event', 'traits'] },
  page: { payload: 'properties', required: [], allowed: ['name', 'category', 'properties'] },
  screen: { payload: 'properties', required: [], allowed: ['name', 'category', 'properties'] },
  group: { payload: 'traits', required: ['groupId'], allowed: ['groupId', 'traits'] },
  alias: { payload: null, required: ['previousId'], allowed: ['previousId'] },
};
const FIELDS: Field[] = ['event', 'name', 'category', 'groupId', 'previousId', 'properties', 'traits'];
/** Per type, the type-specific fields it may not carry (computed once: a message checks only these). */
const FORBIDDEN = Object.fromEntries(Object.entries(CALLS).map(([type, call]) => [type, FIELDS.filter((f) => !call.allowed.includes(f))])) as Record<TrackingMessageType, Field[]>;
const REQUIRED_MESSAGE: Record<string, string> = {
  event: 'a track call needs an event name',
  groupId: 'a group call needs a groupId',
  previousId: 'an alias call needs a previousId',
};

/**
 * The tracking plan name of a page or screen name: `page_`/`screen_` and the name in snake case
 * (`Product Detail` -> `page_product_detail`); undefined when that is not a valid schema name.
 */
export function namedSchema(type: 'page' | 'screen', name: string): string | undefined {
  const snake = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const full = `${type}_${snake}`;
  return snake && full.length <= 63 ? full : undefined;
}

/**
 * The schema a message is checked against: its event name for track calls, `identify` and `group`
 * for those calls, for page/screen calls the named schema (`page_<name>`) when the plan has it and
 * otherwise the type's own (`page`, `screen`); alias calls carry no payload (undefined).
 */
export const schemaNameOf = (type: string, obj: Record<string, unknown>, plan?: CompiledPlan): string | undefined => {
  switch (type) {
    case 'track':
      return typeof obj['event'] === 'string' ? obj['event'] : undefined;
    case 'page':
    case 'screen': {
      const named = typeof obj['name'] === 'string' ? namedSchema(type, obj['name']) : undefined;
      return named && plan?.has(named) ? named : type;
    }
    case 'identify':
    case 'group':
      return type;
    default:
      return undefined;
  }
};

/** The `event` column of a message: see EventRow. */
const eventOf = (obj: Record<string, unknown>): string | null => {
  const type = obj['type'];
  if (type === 'track') return typeof obj['event'] === 'string' ? obj['event'] : null;
  if (type === 'page' || type === 'screen') return typeof obj['name'] === 'string' ? obj['name'] : type;
  if (typeof type === 'string' && Object.prototype.hasOwnProperty.call(CALLS, type)) return type;
  return typeof obj['event'] === 'string' ? obj['event'] : null;
};

/**
 * Validates one message: the Segment envelope first, then the event's JSON Schema from the
 * tracking plan. Returns the row to load, or every violation with its code and JSON path.
 * `text`: the message's text problem as the caller already knows it (the kit's `recordTextProblem`,
 * free when the request body's scan found none); when omitted the message is walked here. U+0000
 * and lone surrogates cannot be stored, and nesting is bounded: such a message is rejected alone.
 */
export function validateMessage(raw: unknown, plan: CompiledPlan, received: ReceivedAt, text?: TextProblem | null): ValidationOutcome {
  const obj = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const messageId = typeof obj?.['messageId'] === 'string' ? (obj['messageId'] as string) : null;
  const eventName = obj ? eventOf(obj) : null;
  const fail = (violations: EventViolation[]): ValidationOutcome => ({ ok: false, messageId, event: eventName, violations });
  if (!obj) return fail([{ path: '$', code: 'DATATYPE_MISMATCH', message: 'a message must be a JSON object' }]);

  const violations: EventViolation[] = envelopeViolations(obj);
  const problem = text === undefined ? findTextProblem(obj) : text;
  if (problem) violations.push({ path: problem.path, code: problem.code, message: problem.message });
  const type = obj['type'] as TrackingMessageType;
  const call = Object.prototype.hasOwnProperty.call(CALLS, type) ? CALLS[type] : undefined;
  if (type === 'alias') {
    if (obj['userId'] === undefined) violations.push({ path: '$.userId', code: TrackingViolationCode.IDENTITY_MISSING, message: 'an alias call needs the userId the previousId becomes' });
  } else if (obj['userId'] === undefined && obj['anonymousId'] === undefined) {
    violations.push({ path: '$.userId', code: TrackingViolationCode.IDENTITY_MISSING, message: 'userId or anonymousId is required' });
  }
  if (call) {
    for (const field of call.required) {
      if (obj[field] === undefined) violations.push({ path: `$.${field}`, code: 'REQUIRED_MISSING', message: REQUIRED_MESSAGE[field] });
    }
    for (const field of FORBIDDEN[type]) {
      if (obj[field] === undefined) continue;
      const message =
        (field === 'properties' || field === 'traits') && call.payload
          ? `${type === 'identify' || type === 'alias' ? 'an' : 'a'} ${type} call carries ${call.payload}, not ${field}`
          : `${type === 'identify' || type === 'alias' ? 'an' : 'a'} ${type} call carries no ${field}`;
      violations.push({ path: `$.${field}`, code: 'ADDITIONAL_PROPERTIES', message });
    }
  }

  const name = call ? schemaNameOf(type, obj, plan) : undefined;
  const version = typeof obj['schemaVersion'] === 'string' ? obj['schemaVersion'] : undefined;
  let schemaVersion = '';
  if (name && call?.payload) {
    const entry = plan.lookup(name, version);
    if (!entry) {
      violations.push(
        plan.has(name)
          ? { path: '$.schemaVersion', code: TrackingViolationCode.UNKNOWN_SCHEMA_VERSION, message: `the tracking plan has no version ${version} of ${name}` }
          : { path: type === 'track' ? '$.event' : '$.type', code: TrackingViolationCode.UNPLANNED_EVENT, message: unplanned(type, name, obj) },
      );
    } else {
      schemaVersion = entry.version;
      violations.push(...CompiledPlan.check(entry, obj[call.payload] ?? {}, `$.${call.payload}`));
    }
  }
  if (violations.length) return fail(violations);

  const m = obj as TrackingMessage;
  const deviceCreatedAt = canonicalTimestamp(m.timestamp);
  const deviceSentAt = m.sentAt ? canonicalTimestamp(m.sentAt) : null;
  let derivedAt = deviceCreatedAt;
  if (deviceSentAt !== null) {
    // Sent at the event time (no queueing on the device): the derived time is the received time.
    if (deviceSentAt === deviceCreatedAt) derivedAt = received.iso;
    else if (deviceSentAt !== received.iso) derivedAt = new Date(Date.parse(deviceCreatedAt) + (received.ms - Date.parse(deviceSentAt))).toISOString();
  }
  const payload = (call as (typeof CALLS)[TrackingMessageType]).payload;
  return {
    ok: true,
    row: {
      messageId: m.messageId,
      type: m.type,
      event: eventName as string,
      schemaName: name === undefined || name === eventName ? null : name,
      schemaVersion,
      category: m.category ?? null,
      groupId: m.groupId ?? null,
      previousId: m.previousId ?? null,
      userId: m.userId ?? null,
      anonymousId: m.anonymousId ?? null,
      properties: (payload ? m[payload] : undefined) ?? {},
      context: m.context ?? null,
      deviceCreatedAt,
      deviceSentAt,
      receivedAt: received.iso,
      derivedAt,
    },
  };
}

function unplanned(type: TrackingMessageType, name: string, obj: Record<string, unknown>): string {
  if ((type === 'page' || type === 'screen') && typeof obj['name'] === 'string') {
    const named = namedSchema(type, obj['name']);
    return `neither ${named ?? `a ${type}_ schema of this name`} nor ${type} is in the tracking plan`;
  }
  return `${name} is not in the tracking plan`;
}
