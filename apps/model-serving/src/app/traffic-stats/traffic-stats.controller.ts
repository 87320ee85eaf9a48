import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { TrafficStats } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract } from '@mlp/service-kit';
import { ModelStore } from '../models/model-store';
import { parseTrafficStatsQuery } from './traffic-stats-query';
import { TrafficStatsReader } from './traffic-stats-reader';
import { TRAFFIC_STATS_DOC } from './traffic-stats.docs';

/** `GET /v1/models/{m}/traffic-stats?from=&to=&bucket=&version=`: the model's requests over time, all replicas. */
@ApiTags('models')
@Controller('v1')
export class TrafficStatsController {
  constructor(
    private readonly store: ModelStore,
    private readonly reader: TrafficStatsReader,
  ) {}

  @Get('models/:model/traffic-stats')
  @ApiContract({ response: TrafficStats, ...TRAFFIC_STATS_DOC })
  @ApiQuery({ name: 'from', required: false, description: 'Start (ISO 8601 with a zone); default an hour before `to`' })
  @ApiQuery({ name: 'to', required: false, description: 'End (ISO 8601 with a zone); default now' })
  @ApiQuery({ name: 'bucket', required: false, description: 'Bucket width in seconds, whole minutes (60..86400); default 60' })
  @ApiQuery({ name: 'version', required: false, description: 'Only this version' })
  stats(@Param('model') model: string, @Query() query: { from?: string; to?: string; bucket?: string; version?: string }) {
    this.store.status(model); // 404 for a model this service does not serve
    const range = parseTrafficStatsQuery(query, Date.now());
    if ('code' in range) throw PlatformError.badRequest(range.message, [range], range.code);
    return this.reader.series(model, range);
  }
}
