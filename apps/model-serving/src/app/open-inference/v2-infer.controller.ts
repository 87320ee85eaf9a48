import { Body, Controller, Header, HttpCode, Post, Req, type OnModuleInit } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InferRequest, InferResponse } from '@mlp/contracts';
import { ApiContract, FastRoutes, RequireScope, type FastRouteRequest } from '@mlp/service-kit';
import type { FastifyRequest } from 'fastify';
import { V2Infer } from './v2-infer';
import { INFER_DOC, INFER_VERSION_DOC } from './open-inference.docs';

const SCOPE = 'serving:predict';
const WITH_POLICY = '/v2/models/:model/infer';
const WITH_VERSION = '/v2/models/:model/versions/:version/infer';

/**
 * The V2 infer operation's two paths (the traffic policy's version, or one named), with one
 * handler (`V2Infer.handle`). It is registered as the kit's fast route, answered from the HTTP
 * server's request event with the kit's request id, token and scope check, JSON parser settings,
 * error shape and HTTP metrics, but without Fastify's and Nest's per-request pipelines, which cost
 * more than the model itself for small requests. The Nest routes below stay the routes of record:
 * OpenAPI, 404/405 routing, and every request the fast path declines (e.g. one without a
 * Content-Length) go there, to the same handler and the same JSON text.
 */
@ApiTags('open-inference-v2')
@Controller()
export class V2InferController implements OnModuleInit {
  constructor(
    private readonly v2: V2Infer,
    private readonly routes: FastRoutes,
  ) {}

  onModuleInit(): void {
    for (const path of [WITH_POLICY, WITH_VERSION]) this.routes.register({ method: 'POST', path, scope: SCOPE, rawJson: true, handle: this.v2.handle });
  }

  @Post(WITH_POLICY)
  @HttpCode(200)
  @Header('content-type', 'application/json; charset=utf-8')
  @RequireScope(SCOPE)
  @ApiContract({ body: InferRequest, response: InferResponse, ...INFER_DOC })
  infer(@Body() body: unknown, @Req() req: FastifyRequest) {
    return this.v2.handle(fromNest(req, body));
  }

  @Post(WITH_VERSION)
  @HttpCode(200)
  @Header('content-type', 'application/json; charset=utf-8')
  @RequireScope(SCOPE)
  @ApiContract({ body: InferRequest, response: InferResponse, ...INFER_VERSION_DOC })
  inferVersion(@Body() body: unknown, @Req() req: FastifyRequest) {
    return this.v2.handle(fromNest(req, body));
  }
}

/** A request through Fastify and Nest, as the handler gets it from the fast route. */
const fromNest = (req: FastifyRequest, body: unknown): FastRouteRequest => ({ id: req.id, params: req.params as Record<string, string>, body, headers: req.headers });
