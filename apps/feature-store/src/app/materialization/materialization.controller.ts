import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FeatureViewStats, MartRefreshedEvent, MaterializeIncrementalRequest, MaterializeRequest, type MartRefreshed } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, HandleEvent, RequireScope, validate } from '@mlp/service-kit';
import { checkName } from '../registry/registry.controller';
import { MaterializationService } from './materialization.service';
import { INCREMENTAL_DOC, LIST_DOC, MATERIALIZE_DOC, ONE_DOC, STATS_DOC } from './materialization.docs';

@ApiTags('materialization')
@Controller('v1')
export class MaterializationController {
  constructor(private readonly materializations: MaterializationService) {}

  @Post('materialize')
  @HttpCode(202)
  @RequireScope('features:write')
  @ApiContract({ body: MaterializeRequest, status: 202, ...MATERIALIZE_DOC })
  async materialize(@Body(validate(MaterializeRequest)) body: MaterializeRequest) {
    return { materializations: await this.materializations.materialize(body.start, body.end, body.views, 'api') };
  }

  @Post('materialize-incremental')
  @HttpCode(202)
  @RequireScope('features:write')
  @ApiContract({ body: MaterializeIncrementalRequest, status: 202, ...INCREMENTAL_DOC })
  async incremental(@Body(validate(MaterializeIncrementalRequest)) body: MaterializeIncrementalRequest) {
    return { materializations: await this.materializations.materializeIncremental(body.end, body.views, 'api') };
  }

  /** A refreshed mart materializes, incrementally up to its watermark, every online view that reads it. */
  @HandleEvent(MartRefreshedEvent)
  async onMartRefreshed(event: MartRefreshed): Promise<void> {
    const versions = await this.materializations.viewsReading(event.mart);
    if (versions.length) {
      const views = [...new Set(versions.map((k) => k.slice(0, k.lastIndexOf('@v'))))];
      await this.materializations.materializeIncremental(event.watermark, views, `event:${event.mart}`, '$.watermark', new Set(versions));
    }
  }

  @Get('materializations')
  @RequireScope('features:read')
  @ApiContract(LIST_DOC)
  async list(@Query('view') view?: string, @Query('limit') limit?: string) {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw PlatformError.badRequest('limit is an integer between 1 and 1000', [], 'INVALID_LIMIT');
    return { materializations: await this.materializations.list({ view: view === undefined ? undefined : checkName(view, 'feature view'), limit: n }) };
  }

  @Get('materializations/:id')
  @RequireScope('features:read')
  @ApiContract(ONE_DOC)
  async one(@Param('id') id: string) {
    if (!/^[0-9]{1,15}$/.test(id)) throw PlatformError.badRequest('materialization ids are integers', [], 'INVALID_ID');
    const [job] = await this.materializations.list({ id: Number(id) });
    if (!job) throw PlatformError.notFound(`unknown materialization ${id}`);
    return job;
  }

  @Get('feature-views/:name/stats')
  @RequireScope('features:read')
  @ApiContract({ response: FeatureViewStats, ...STATS_DOC })
  stats(@Param('name') name: string, @Query('version') version?: string): Promise<FeatureViewStats> {
    if (version !== undefined && !/^[0-9]{1,6}$/.test(version)) throw PlatformError.badRequest('version is an integer', [], 'INVALID_VERSION');
    return this.materializations.latestStats(checkName(name, 'feature view'), version === undefined ? undefined : Number(version));
  }
}
