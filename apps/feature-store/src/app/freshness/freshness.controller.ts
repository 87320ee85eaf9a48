import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@mlp/service-kit';
import { FreshnessMonitor } from './freshness-monitor.service';

@ApiTags('freshness')
@Controller('v1')
export class FreshnessController {
  constructor(private readonly monitor: FreshnessMonitor) {}

  /** Freshness SLA status of every online feature view. */
  @Get('freshness')
  @RequireScope('features:read')
  async status() {
    const views = await this.monitor.statuses();
    return { status: views.some((v) => v.status === 'BREACHED') ? 'BREACHED' : 'OK', views };
  }
}
