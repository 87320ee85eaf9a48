import { ErrorCode } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import type { FastifyInstance } from 'fastify';

/**
 * The tracking routes read JSON only. The service has other body parsers (the imports' CSV and
 * NDJSON, which hand the raw stream to their route); without this a tracking route given such a
 * content type would take an unread stream for a message. Refused with 415 before any body is
 * read, and the connection closed after the answer (the body is never read).
 */
export function acceptJsonOnly(fastify: FastifyInstance, urls: string[]): void {
  const paths = new Set(urls);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!paths.has(request.url.split('?')[0])) return done();
    const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === '' || type === 'application/json') return done();
    void reply.header('connection', 'close');
    done(new PlatformError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `the tracking API reads application/json, not ${type}`));
  });
}
