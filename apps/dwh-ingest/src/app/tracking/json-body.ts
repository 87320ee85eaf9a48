import type { FastifyInstance } from 'fastify';

/** Parsed JSON bodies whose text holds no `\u0000` escape (see jsonTextHasNoNul). */
const nulFreeBodies = new WeakSet<object>();
const ESCAPED_NUL = '\\u0000';

/**
 * Whether a JSON text certainly decodes to no string or key holding U+0000. JSON forbids raw control
 * characters in strings, so the only way to write U+0000 is the escape `\u0000` (its digits have no
 * case): a text without that substring has none. A text with it (also as `\\u0000`, an escaped
 * backslash followed by `u0000`) is not claimed NUL-free, and its messages get the full per-value check.
 */
export function jsonTextHasNoNul(text: string | Buffer): boolean {
  return !text.includes(ESCAPED_NUL);
}

/** True when `body` is a request body parsed by the parser below from a text without `\u0000`. */
export function isNulFreeBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && nulFreeBodies.has(body);
}

/**
 * Replaces the JSON body parser with the same one (the parser NestJS registers: Fastify's own
 * secure-json-parse with the instance's prototype-poisoning settings, so `__proto__` and
 * `constructor.prototype` keys are refused with the same 400 as before, an empty body with
 * FST_ERR_CTP_EMPTY_JSON_BODY, the body read as a Buffer under the same body limit), which also
 * notes, while the bytes are at hand, whether the text can hold U+0000 at all. One search of the body
 * replaces a walk over every string and key of every event, a check PostgreSQL needs (it cannot
 * store U+0000) but which almost never finds anything.
 */
export function noteNulFreeJsonBodies(fastify: FastifyInstance): void {
  const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parse = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    // secure-json-parse decodes a Buffer as UTF-8 itself, as it did under NestJS's parser.
    parse(request, body as unknown as string, (err, value) => {
      if (!err && typeof value === 'object' && value !== null && jsonTextHasNoNul(body as Buffer)) nulFreeBodies.add(value);
      done(err, value);
    });
  });
}
