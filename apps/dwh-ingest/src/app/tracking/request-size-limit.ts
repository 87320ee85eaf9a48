import { TrackingErrorCode } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import type { FastifyInstance } from 'fastify';
import { Transform } from 'node:stream';

/**
 * A tighter body limit for some routes than the service-wide one: Content-Length is checked before
 * reading, and chunked bodies are counted while they stream, so an oversized request is refused
 * with 413 without being buffered.
 */
export function limitRequestBytes(fastify: FastifyInstance, urls: string[], maxBytes: number): void {
  const paths = new Set(urls);
  fastify.addHook('preParsing', (request, reply, payload, done) => {
    const path = request.url.split('?')[0];
    if (!paths.has(path)) return done(null, payload);
    const tooLarge = () => {
      // The rest of the body is never read: close the connection after the answer, or it would
      // stay half-read and hold graceful shutdown open.
      void reply.header('connection', 'close');
      return new PlatformError(413, TrackingErrorCode.REQUEST_TOO_LARGE, `a request may be at most ${maxBytes} bytes`);
    };
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return done(tooLarge());
    let seen = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, next) {
        seen += chunk.length;
        if (seen > maxBytes) next(Object.assign(tooLarge(), { statusCode: 413 }));
        else next(null, chunk);
      },
    });
    payload.on('error', (err) => counter.destroy(err));
    // Whoever reads the body (a content parser) listens for its errors; a body nobody reads (the
    // request was answered first, e.g. refused for its content type) would otherwise turn a client
    // hanging up into an unhandled 'error' event that ends the process.
    counter.on('error', () => undefined);
    done(null, payload.pipe(counter));
  });
}
