import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { requestContext, type Logger } from '@mlp/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { throwError } from 'rxjs';
import { PLATFORM_LOGGER } from '../observability/logger.provider';
import { mapError } from './error-mapping';

/** Every failure, over HTTP or the transport, leaves in the shape `{"error", "code", "details"}`. */
@Catch()
export class PlatformExceptionFilter implements ExceptionFilter {
  constructor(@Inject(PLATFORM_LOGGER) private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() === 'rpc') {
      const mapped = mapError(exception, requestContext.requestId());
      if (mapped.unexpected) this.log.error({ err: exception }, 'message handler failed');
      return throwError(() => new RpcException({ ...mapped.body, status: mapped.status }).getError());
    }
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = mapError(exception, request?.id);
    if (mapped.unexpected) this.log.error({ err: exception, route: request?.routeOptions?.url }, 'request failed');
    if (!reply.sent) void reply.status(mapped.status).header('content-type', 'application/json').send(mapped.body);
    return undefined;
  }
}
