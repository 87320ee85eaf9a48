import { Controller, Get, Query } from '@nestjs/common';
import { EventStats, EventStatsQuery, ImportRunsPage, WarehouseLineage } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import type { Static } from '@sinclair/typebox';
import { statsWindow } from './event-stats-window';
import { EVENT_STATS_DOC, IMPORT_RUNS_DOC, LINEAGE_DOC } from './warehouse-stats.docs';
import { WarehouseStats } from './warehouse-stats.service';

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The warehouse's aggregate answers for dashboards: events per bucket, imports, lineage. */
@Controller('v1')
export class WarehouseStatsController {
  constructor(private readonly stats: WarehouseStats) {}

  @Get('events/stats')
  @RequireScope('ingest:read')
  @ApiContract({ response: EventStats, ...EVENT_STATS_DOC })
  eventStats(@Query(validate(EventStatsQuery)) query: Static<typeof EventStatsQuery.schema>) {
    const w = statsWindow(query);
    if ('code' in w) throw PlatformError.badRequest(w.message, [w], w.code);
    return this.stats.eventStats(w);
  }

  @Get('imports/runs')
  @RequireScope('ingest:read')
  @ApiContract({ response: ImportRunsPage, ...IMPORT_RUNS_DOC })
  importRuns(@Query('source') source?: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    if (source !== undefined && !/^[a-z][a-z0-9_]{0,62}$/.test(source)) throw PlatformError.badRequest('source must be a source name', [], 'INVALID_SOURCE_NAME');
    const at = cursor === undefined ? undefined : CURSOR.exec(cursor);
    if (at === null) throw PlatformError.badRequest('cursor must be the nextCursor of the previous page', [], 'INVALID_CURSOR');
    const n = Math.min(Math.max(Number(limit ?? 50) || 50, 1), 200);
    return this.stats.importRuns({ source, limit: n, cursor: at ? { startedAt: at[1], id: at[2] } : undefined });
  }

  @Get('lineage')
  @RequireScope('ingest:read')
  @ApiContract({ response: WarehouseLineage, ...LINEAGE_DOC })
  lineage() {
    return this.stats.lineage();
  }
}
