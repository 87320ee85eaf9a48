import { Body, Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PredictEntitiesBody, PredictEntitiesMessage, PredictEntitiesReply, type MessageMeta, type RequestOf } from '@mlp/contracts';
import { ApiContract, HandleMessage, RequireScope, validate } from '@mlp/service-kit';
import type { FastifyRequest } from 'fastify';
import { EntityPredictions } from './entity-predictions';
import { PREDICT_ENTITIES_DOC } from './entity-predictions.docs';

/** Predictions by entity key for product services that only know a user id (HTTP and transport). */
@ApiTags('entity-predictions')
@Controller('v1/models')
export class EntityPredictionsController {
  constructor(private readonly entities: EntityPredictions) {}

  @Post(':model/predict-entities')
  @HttpCode(200)
  @RequireScope('serving:predict')
  @ApiContract({ body: PredictEntitiesBody, response: PredictEntitiesReply, ...PREDICT_ENTITIES_DOC })
  predict(@Param('model') model: string, @Body(validate(PredictEntitiesBody)) body: PredictEntitiesBody, @Req() req: FastifyRequest, @Headers('x-sticky-key') sticky?: string) {
    return this.entities.predict(model, body.entities, body.version, req.id, sticky);
  }

  @HandleMessage(PredictEntitiesMessage)
  predictMessage(data: RequestOf<typeof PredictEntitiesMessage>, meta: MessageMeta) {
    return this.entities.predict(data.model, data.entities, data.version, meta.requestId);
  }
}
