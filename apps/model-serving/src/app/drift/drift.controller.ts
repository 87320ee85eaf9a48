import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DriftBaseline, DriftReport } from '@mlp/contracts';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { LoadedModel } from '../models/loaded-model';
import { ModelStore } from '../models/model-store';
import { versionParam } from '../models/version-param';
import { DriftBaselines } from './drift-baselines';
import { DriftMonitor } from './drift-monitor';
import { DRIFT_DOC, SET_BASELINE_DOC } from './drift.docs';

/** Input drift of a served version (the champion unless `version` names one), and its explicit baseline. */
@ApiTags('models')
@Controller('v1/models/:model/drift')
export class DriftController {
  constructor(
    private readonly store: ModelStore,
    private readonly monitor: DriftMonitor,
    private readonly baselines: DriftBaselines,
  ) {}

  @Get()
  @ApiContract({ response: DriftReport, ...DRIFT_DOC })
  async report(@Param('model') model: string, @Query('version') version?: string) {
    return this.monitor.report(await this.target(model, version));
  }

  @Put('baseline')
  @RequireScope('serving:admin')
  @ApiContract({ body: DriftBaseline, response: DriftReport, ...SET_BASELINE_DOC })
  async setBaseline(@Param('model') model: string, @Body(validate(DriftBaseline)) body: DriftBaseline, @Query('version') version?: string) {
    const served = await this.target(model, version);
    await this.baselines.setExplicit(served, body.features);
    return this.monitor.report(served);
  }

  private async target(model: string, version?: string): Promise<LoadedModel> {
    return version === undefined ? this.store.alias(model, 'champion') : this.store.version(model, versionParam(model, version));
  }
}
