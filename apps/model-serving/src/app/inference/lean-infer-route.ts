import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ErrorCode } from '@mlp/contracts';
import { bearerToken, hasScope, PlatformError, requestContext } from '@mlp/runtime';
import { PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InferenceService, type Target } from './inference.service';
import { versionParam } from './open-inference.controller';

/** The two V2 infer routes as Nest registers them (Fastify's `routeOptions.url`). */
export const INFER_ROUTES = new Set(['/v2/models/:model/infer', '/v2/models/:model/versions/:version/infer']);
const SCOPE = 'serving:predict';

/**
 * The V2 infer routes are the hot path: answered from a Fastify `preHandler` hook, after Fastify has
 * routed the request, parsed and size-checked the body and run the kit's hooks (request id, metrics,
 * draining), but before Nest's per-request pipeline (guard lookup through the reflector, parameter
 * factories, pipes, response controller), which cost more than the model itself for small requests.
 * The routes stay declared in OpenInferenceController (OpenAPI, 404/405 routing, the same answers if
 * this hook is not installed); this shell checks the same token and scope as the kit's guard and
 * answers through the same `InferenceService.inferV2`. Errors go to Fastify's error handler, i.e.
 * the platform's exception filter, so their shape is the same.
 */
@Injectable()
export class LeanInferRoute implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    private readonly inference: InferenceService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.addHook('preHandler', (request, reply, done) => {
      if (request.method !== 'POST' || !INFER_ROUTES.has(request.routeOptions.url ?? '')) return done();
      let answer: unknown;
      try {
        this.authorize(request);
        const params = request.params as { model: string; version?: string };
        const target: Target = params.version === undefined ? { policy: true } : { version: versionParam(params.model, params.version) };
        const sticky = params.version === undefined ? request.headers['x-sticky-key'] : undefined;
        answer = this.inference.inferV2(params.model, target, request.body, request.id, typeof sticky === 'string' ? sticky : undefined);
      } catch (err) {
        return done(err as Error);
      }
      if (!(answer instanceof Promise)) return void reply.code(200).send(answer);
      answer.then(
        (body) => void reply.code(200).send(body),
        (err: Error) => done(err),
      );
    });
  }

  /** The kit's TokenAuthGuard for a `@RequireScope('serving:predict')` route. */
  private authorize(request: FastifyRequest): void {
    if (this.config.authOpen) return;
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new PlatformError(401, ErrorCode.UNAUTHENTICATED, 'a bearer token is required');
    const grant = this.config.tokens.authenticate(token);
    if (!grant) throw new PlatformError(401, ErrorCode.UNAUTHENTICATED, 'the bearer token is not valid');
    const ctx = requestContext.get();
    if (ctx) ctx.principal = grant.name;
    if (!hasScope(grant.scopes, SCOPE)) {
      throw new PlatformError(403, ErrorCode.FORBIDDEN, `the token "${grant.name}" lacks the scope ${SCOPE}`, [{ code: 'MISSING_SCOPE', message: SCOPE }]);
    }
  }
}
