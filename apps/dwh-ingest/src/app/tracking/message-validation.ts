import { TrackingViolationCode, type EventViolation, type TrackingMessage } from '@mlp/contracts';
import { findTextProblem, type TextProblem } from '@mlp/service-kit';
import { CompiledPlan } from '../schemas/compiled-plan';
import { envelopeViolations } from './envelope-validator';

/** A message that passed the tracking plan, in the columns of `dwh.events`. */
export interface EventRow {
  messageId: string;
  type: 'track' | 'identify';
  event: string;
  schemaVersion: string;
  userId: string | null;
  anonymousId: string | null;
  properties: Record<string, unknown>;
  context: Record<string, unknown> | null;
  /** Timestamps as canonical ISO 8601 UTC text (`2026-11-20T10:00:00.000Z`), what the COPY loads. */
  deviceCreatedAt: string;
  deviceSentAt: string | null;
  receivedAt: string;
  /** Snowplow's derived timestamp: device time corrected by the device clock skew (received - sent). */
  derivedAt: string;
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

/** The schema a message is checked against: its event name for track calls, `identify` for identify calls. */
export const schemaNameOf = (type: string, event: string | undefined): string | undefined => (type === 'identify' ? 'identify' : event);

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
  const eventName = typeof obj?.['event'] === 'string' ? (obj['event'] as string) : obj?.['type'] === 'identify' ? 'identify' : null;
  const fail = (violations: EventViolation[]): ValidationOutcome => ({ ok: false, messageId, event: eventName, violations });
  if (!obj) return fail([{ path: '$', code: 'DATATYPE_MISMATCH', message: 'a message must be a JSON object' }]);

  const violations: EventViolation[] = envelopeViolations(obj);
  const problem = text === undefined ? findTextProblem(obj) : text;
  if (problem) violations.push({ path: problem.path, code: problem.code, message: problem.message });
  if (obj['userId'] === undefined && obj['anonymousId'] === undefined) {
    violations.push({ path: '$.userId', code: TrackingViolationCode.IDENTITY_MISSING, message: 'userId or anonymousId is required' });
  }
  if (obj['type'] === 'track' && obj['event'] === undefined) {
    violations.push({ path: '$.event', code: 'REQUIRED_MISSING', message: 'a track call needs an event name' });
  }
  if (obj['type'] === 'identify' && obj['properties'] !== undefined) {
    violations.push({ path: '$.properties', code: 'ADDITIONAL_PROPERTIES', message: 'an identify call carries traits, not properties' });
  }
  if (obj['type'] === 'track' && obj['traits'] !== undefined) {
    violations.push({ path: '$.traits', code: 'ADDITIONAL_PROPERTIES', message: 'a track call carries properties, not traits' });
  }

  const type = obj['type'] as 'track' | 'identify';
  const name = schemaNameOf(type, obj['event'] as string | undefined);
  const version = typeof obj['schemaVersion'] === 'string' ? obj['schemaVersion'] : undefined;
  let schemaVersion = '';
  if (name && (type === 'track' || type === 'identify')) {
    const entry = plan.lookup(name, version);
    if (!entry) {
      violations.push(
        plan.has(name)
          ? { path: '$.schemaVersion', code: TrackingViolationCode.UNKNOWN_SCHEMA_VERSION, message: `the tracking plan has no version ${version} of ${name}` }
          : { path: type === 'identify' ? '$.type' : '$.event', code: TrackingViolationCode.UNPLANNED_EVENT, message: `${name} is not in the tracking plan` },
      );
    } else {
      schemaVersion = entry.version;
      const payloadKey = type === 'identify' ? 'traits' : 'properties';
      violations.push(...CompiledPlan.check(entry, obj[payloadKey] ?? {}, `$.${payloadKey}`));
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
  return {
    ok: true,
    row: {
      messageId: m.messageId,
      type: m.type,
      event: name as string,
      schemaVersion,
      userId: m.userId ?? null,
      anonymousId: m.anonymousId ?? null,
      properties: (m.type === 'identify' ? m.traits : m.properties) ?? {},
      context: m.context ?? null,
      deviceCreatedAt,
      deviceSentAt,
      receivedAt: received.iso,
      derivedAt,
    },
  };
}
