import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OnlineFeaturesRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { FastRoutes } from '@mlp/service-kit';
import { OnlineFeaturesService } from './online-features.service';

/** The online read route as the controller declares it. */
export const ONLINE_ROUTE = '/v1/online-features';
const SCOPE = 'features:read';

/**
 * `POST /v1/online-features` is the hot path: registered as one of the kit's fast routes
 * (`FastRoutes`), it is answered from the HTTP server's request event with the kit's request id,
 * the guard's token and scope check, Fastify's JSON parser settings (prototype-poisoning protection
 * included), the exception filter's error shape and the HTTP histogram, but without Fastify's and
 * Nest's per-request pipelines, which cost more than the Redis read for a one-entity request.
 *
 * The route stays declared in OnlineFeaturesController (OpenAPI, 404/405 routing, and every request
 * the fast path declines). This shell does what that route does, in the same order: the same
 * contract validation as its pipe (400 VALIDATION_FAILED with the same violations), the same
 * `OnlineFeaturesService`; the answer is the JSON text `OnlineFeaturesService.getJson` builds (the
 * same bytes `JSON.stringify` of the response gives).
 */
@Injectable()
export class LeanOnlineRoute implements OnModuleInit {
  constructor(
    private readonly routes: FastRoutes,
    private readonly online: OnlineFeaturesService,
  ) {}

  onModuleInit(): void {
    this.routes.register({
      method: 'POST',
      path: ONLINE_ROUTE,
      scope: SCOPE,
      rawJson: true,
      handle: ({ body }) => {
        const checked = OnlineFeaturesRequest.validate(body);
        if (!checked.ok) throw PlatformError.badRequest(`invalid ${OnlineFeaturesRequest.id}`, checked.violations);
        return this.online.getJson(checked.value);
      },
    });
  }
}
