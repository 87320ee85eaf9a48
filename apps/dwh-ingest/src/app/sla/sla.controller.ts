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
  @ApiContract({
    response: SlaReport,
    summary: 'Freshness and completeness of the warehouse, measured now',
    description:
      "Measures each dataset's SLA now: freshness (age of the newest row against warn/error thresholds) of `events`, `prediction_log` and every source or model a project declared with `freshness`, and completeness (share of rejected events in the last hour). Overall `status` is the worst check's (`ok`, `warn`, `error`); `since` says when a check's status last changed. Thresholds of the platform's own datasets can be overridden with SLA_OVERRIDES. Scope `ingest:read`.",
    errors: { 503: ['DEPENDENCY_UNAVAILABLE'] },
    example: {
      status: 'warn',
      checkedAt: '2026-12-07T10:04:00.018Z',
      checks: [
        { dataset: 'events', check: 'freshness', status: 'ok', measured: 12.4, warnAfter: 3600, errorAfter: 21600, reason: 'last load 12 s ago', since: '2026-12-07T08:15:00.002Z' },
        { dataset: 'prediction_log', check: 'freshness', status: 'warn', measured: 4210, warnAfter: 3600, errorAfter: 21600, reason: 'last load 4210 s ago, warn after 3600 s', since: '2026-12-07T09:52:10.441Z' },
        { dataset: 'events', check: 'completeness', status: 'ok', measured: 0.004, warnAfter: 0.05, errorAfter: 0.2, reason: '0.4% of events rejected', since: null },
      ],
    },
  })
  report() {
    return this.monitor.evaluate();
  }
}
