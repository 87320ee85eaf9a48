import { Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DriftBaseline, DriftReport, ModelPromotedEvent, TrafficPolicy, TrafficPolicyPatch, type PayloadOf } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { ApiContract, HandleEvent, PLATFORM_LOGGER, RequireScope, validate } from '@mlp/service-kit';
import { DriftService } from '../drift/drift.service';
import { versionParam } from '../inference/open-inference.controller';
import { PredictionLogService } from '../prediction-log/prediction-log.service';
import type { LoadedModel } from './loaded-model';
import { ModelStore } from './model-store';

/** Operating the served models: status, traffic policies, drift, the prediction log, and promotions. */
@ApiTags('models')
@Controller('v1')
export class ModelAdminController {
  constructor(
    private readonly store: ModelStore,
    private readonly drift: DriftService,
    private readonly predictionLog: PredictionLogService,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  @Get('models')
  list() {
    return { ready: this.store.ready, models: this.store.modelNames().map((name) => ({ name, ...this.store.status(name), policy: this.store.policy(name) })) };
  }

  @Get('models/:model/traffic-policy')
  @ApiContract({ response: TrafficPolicy })
  getPolicy(@Param('model') model: string) {
    this.store.status(model);
    return this.store.policy(model);
  }

  @Put('models/:model/traffic-policy')
  @RequireScope('serving:admin')
  @ApiContract({ body: TrafficPolicyPatch, response: TrafficPolicy })
  setPolicy(@Param('model') model: string, @Body(validate(TrafficPolicyPatch)) patch: TrafficPolicyPatch) {
    return this.store.setPolicy(model, patch);
  }

  @Get('models/:model/drift')
  @ApiContract({ response: DriftReport })
  async driftReport(@Param('model') model: string, @Query('version') version?: string) {
    return this.drift.report(await this.target(model, version));
  }

  @Put('models/:model/drift/baseline')
  @RequireScope('serving:admin')
  @ApiContract({ body: DriftBaseline, response: DriftReport })
  async setBaseline(@Param('model') model: string, @Body(validate(DriftBaseline)) body: DriftBaseline, @Query('version') version?: string) {
    return this.drift.setBaseline(await this.target(model, version), body);
  }

  @Get('prediction-log')
  predictionLogStatus() {
    return this.predictionLog.pending();
  }

  @HandleEvent(ModelPromotedEvent)
  async promoted(event: PayloadOf<typeof ModelPromotedEvent>) {
    this.log.info({ model: event.model, alias: event.alias, version: event.version }, 'model.promoted received');
    await this.store.ensure(event.model, event.alias, event.version);
  }

  private async target(model: string, version?: string): Promise<LoadedModel> {
    return version === undefined ? this.store.alias(model, 'champion') : this.store.version(model, versionParam(model, version));
  }
}
