import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { FreshnessMonitor } from './freshness-monitor.service';
import { FRESHNESS_DOC } from './freshness.docs';

@ApiTags('freshness')
@Controller('v1')
export class FreshnessController {
  constructor(private readonly monitor: FreshnessMonitor) {}

  /** Freshness SLA status of every online feature view. */
  @Get('freshness')
  @RequireScope('features:read')
  @ApiContract(FRESHNESS_DOC)
  async status() {
    const views = await this.monitor.statuses();
    return { status: views.some((v) => v.status === 'BREACHED') ? 'BREACHED' : 'OK', views };
  }
}
