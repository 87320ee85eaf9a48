import { Body, Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ModelPromotedEvent, TrafficPolicy, TrafficPolicyPatch, type PayloadOf } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { ApiContract, HandleEvent, PLATFORM_LOGGER, RequireScope, validate } from '@mlp/service-kit';
import { modelNotFound } from '../errors/inference-error';
import { TrafficPolicies } from '../traffic/traffic-policies';
import { ModelStore } from './model-store';
import { GET_POLICY_DOC, LIST_MODELS_DOC, SET_POLICY_DOC } from './models.docs';

/** The served models: their status, their traffic policies, and promotions from the registry. */
@ApiTags('models')
@Controller('v1')
export class ModelsController {
  constructor(
    private readonly store: ModelStore,
    private readonly policies: TrafficPolicies,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  @Get('models')
  @ApiContract(LIST_MODELS_DOC)
  list() {
    return { ready: this.store.ready, models: this.store.modelNames().map((name) => ({ name, ...this.store.status(name), policy: this.policies.policy(name) })) };
  }

  @Get('models/:model/traffic-policy')
  @ApiContract({ response: TrafficPolicy, ...GET_POLICY_DOC })
  getPolicy(@Param('model') model: string) {
    if (!this.store.knows(model)) throw modelNotFound(model);
    return this.policies.policy(model);
  }

  @Put('models/:model/traffic-policy')
  @RequireScope('serving:admin')
  @ApiContract({ body: TrafficPolicyPatch, response: TrafficPolicy, ...SET_POLICY_DOC })
  setPolicy(@Param('model') model: string, @Body(validate(TrafficPolicyPatch)) patch: TrafficPolicyPatch) {
    if (!this.store.knows(model)) throw modelNotFound(model);
    return this.policies.set(model, patch);
  }

  @HandleEvent(ModelPromotedEvent)
  async promoted(event: PayloadOf<typeof ModelPromotedEvent>) {
    this.log.info({ model: event.model, alias: event.alias, version: event.version }, 'model.promoted received');
    await this.store.ensure(event.model, event.alias, event.version);
  }
}
