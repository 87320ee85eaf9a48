import { Controller, Get, Param, Query } from '@nestjs/common';
import { KpiList, KpiSeries } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { parseKpiQuery } from './kpi-query';
import { Kpis } from './kpis.service';
import { KPI_POINTS_DOC, LIST_KPIS_DOC } from './kpis.docs';

/** The KPIs projects applied: `GET /v1/kpis`, and one KPI's points `GET /v1/kpis/{name}?from=&to=&dimension=`. */
@Controller('v1/kpis')
export class KpisController {
  constructor(private readonly kpis: Kpis) {}

  @Get()
  @RequireScope('ingest:read')
  @ApiContract({ response: KpiList, ...LIST_KPIS_DOC })
  async list() {
    return { kpis: await this.kpis.list() };
  }

  @Get(':name')
  @RequireScope('ingest:read')
  @ApiContract({ response: KpiSeries, ...KPI_POINTS_DOC })
  async points(@Param('name') name: string, @Query() query: { from?: string; to?: string; dimension?: string }) {
    const def = await this.kpis.definition(name);
    const range = parseKpiQuery(query, def.dimension_column !== undefined);
    if ('code' in range) throw PlatformError.badRequest(range.message, [range], range.code);
    return this.kpis.points(def, range);
  }
}
