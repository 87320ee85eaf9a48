import { All, Controller, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, authorize, PLATFORM_CONFIG, Public, type PlatformConfig } from '@mlp/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findRoute } from './console-routes';
import { UpstreamClient } from './upstream-client';
import { PROXY_DOC } from '../console.docs';

/**
 * `/api/<service>/<path>`: the pages' way to the services' public APIs, for the routes in
 * console-routes.ts only. The caller's token is checked here for the route's scope (so the console
 * refuses what it would not offer), then passed on, and the service decides as it always does.
 * Service URLs stay on the server; tokens travel in the Authorization header, never in a URL.
 */
@ApiTags('services')
@Controller('api')
@Public() // authorised below with each route's own scope
export class ApiProxyController {
  constructor(
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly upstream: UpstreamClient,
  ) {}

  @All(':upstream/*')
  @ApiBearerAuth()
  @ApiContract(PROXY_DOC)
  async forward(@Param('upstream') upstream: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const rest = req.url.slice(`/api/${upstream}`.length);
    const q = rest.indexOf('?');
    const path = q === -1 ? rest : rest.slice(0, q);
    const route = findRoute(upstream, req.method, path);
    if (!route) throw new PlatformError(404, ErrorCode.ROUTE_NOT_FOUND, `the console offers no ${req.method} ${path} on ${upstream}`);
    authorize(this.config, req.headers.authorization, route.scope ?? undefined);
    const answer = await this.upstream.call({
      upstream: route.upstream,
      method: route.method,
      pathAndQuery: rest,
      route: route.path,
      authorization: req.headers.authorization,
      body: route.method === 'GET' ? undefined : (req.body ?? {}),
    });
    void reply.status(answer.status).header('content-type', answer.contentType).header('cache-control', 'no-store').send(answer.body);
  }
}
