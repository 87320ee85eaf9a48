import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { DriftBaseline, DriftHistory as DriftHistoryAnswer, DriftReport } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { LoadedModel } from '../models/loaded-model';
import { ModelStore } from '../models/model-store';
import { versionParam } from '../models/version-param';
import { parseTrafficStatsQuery } from '../traffic-stats/traffic-stats-query';
import { DriftBaselines } from './drift-baselines';
import { DriftHistory } from './drift-history';
import { DriftMonitor } from './drift-monitor';
import { DRIFT_DOC, DRIFT_HISTORY_DOC, SET_BASELINE_DOC } from './drift.docs';

/** Input drift of a served version (the champion unless `version` names one), and its explicit baseline. */
@ApiTags('models')
@Controller('v1/models/:model/drift')
export class DriftController {
  constructor(
    private readonly store: ModelStore,
    private readonly monitor: DriftMonitor,
    private readonly baselines: DriftBaselines,
    private readonly history: DriftHistory,
  ) {}

  @Get()
  @ApiContract({ response: DriftReport, ...DRIFT_DOC })
  async report(@Param('model') model: string, @Query('version') version?: string) {
    return this.monitor.report(await this.target(model, version));
  }

  @Get('history')
  @ApiContract({ response: DriftHistoryAnswer, ...DRIFT_HISTORY_DOC })
  @ApiQuery({ name: 'from', required: false, description: 'Start (ISO 8601 with a zone); default an hour before `to`' })
  @ApiQuery({ name: 'to', required: false, description: 'End (ISO 8601 with a zone); default now' })
  @ApiQuery({ name: 'bucket', required: false, description: 'Bucket width in seconds, whole minutes (60..86400); default 60' })
  @ApiQuery({ name: 'version', required: false, description: 'A served version; default the champion' })
  async historyOf(@Param('model') model: string, @Query() query: { from?: string; to?: string; bucket?: string; version?: string }) {
    const range = parseTrafficStatsQuery(query, Date.now());
    if ('code' in range) throw PlatformError.badRequest(range.message, [range], range.code);
    return this.history.series(await this.target(model, query.version), range);
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
