import { Controller, Get } from '@nestjs/common';
import { SlaReport } from '@mlp/contracts';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { SlaMonitor } from './sla-monitor.service';

@Controller('v1/sla')
export class SlaController {
  constructor(private readonly monitor: SlaMonitor) {}

  /** Measures now: each dataset's freshness and completeness with status, values and thresholds. */
  @Get()
  @RequireScope('ingest:read')
  @ApiContract({ response: SlaReport })
  report() {
    return this.monitor.evaluate();
  }
}
