import { Injectable, type OnModuleInit } from '@nestjs/common';
import { FastRoutes } from '@mlp/service-kit';
import { InferenceService } from './inference.service';
import { versionParam } from '../models/version-param';

const SCOPE = 'serving:predict';

/**
 * The V2 infer routes are the hot path: registered as the kit's fast routes (`FastRoutes`), they are
 * answered from the HTTP server's request event with the kit's request id, token and scope check,
 * Fastify's JSON parser settings, error shape and HTTP metrics, but without Fastify's and Nest's
 * per-request pipelines, which cost more than the model itself for small requests. The routes stay
 * declared in OpenInferenceController (OpenAPI, 404/405 routing, and every request the fast path
 * declines, e.g. one without a Content-Length); both call the same `InferenceService.inferV2`.
 */
@Injectable()
export class LeanInferRoute implements OnModuleInit {
  constructor(
    private readonly routes: FastRoutes,
    private readonly inference: InferenceService,
  ) {}

  onModuleInit(): void {
    this.routes.register({
      method: 'POST',
      path: '/v2/models/:model/infer',
      scope: SCOPE,
      rawJson: true,
      handle: ({ params, body, id, headers }) => {
        const sticky = headers['x-sticky-key'];
        return this.inference.inferV2Json(params['model'], { policy: true }, body, id, typeof sticky === 'string' ? sticky : undefined);
      },
    });
    this.routes.register({
      method: 'POST',
      path: '/v2/models/:model/versions/:version/infer',
      scope: SCOPE,
      rawJson: true,
      handle: ({ params, body, id }) => {
        const model = params['model'];
        return this.inference.inferV2Json(model, { version: versionParam(model, params['version']) }, body, id);
      },
    });
  }
}
