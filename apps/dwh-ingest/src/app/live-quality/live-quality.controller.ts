import { Controller, Get, Param, Query } from '@nestjs/common';
import { LiveQualityMessage, type RequestOf } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, HandleMessage, RequireScope } from '@mlp/service-kit';
import { parseLiveQualityQuery } from './live-quality-query';
import { LiveQualityService } from './live-quality.service';

const DEFAULT_WINDOW_HOURS = 720;

/**
 * Live quality over HTTP (`GET /v1/models/{m}/live-quality?window_hours=&version=&bins=`) and over
 * the transport (`dwh-ingest.live-quality.v1`: model-serving asks it for its endpoint and gauges).
 */
@Controller()
export class LiveQualityController {
  constructor(private readonly quality: LiveQualityService) {}

  @Get('v1/models/:model/live-quality')
  @RequireScope('ingest:read')
  @ApiContract({ response: LiveQualityMessage.reply })
  http(@Param('model') model: string, @Query() query: { window_hours?: string; version?: string; bins?: string }) {
    const parsed = parseLiveQualityQuery(query, DEFAULT_WINDOW_HOURS);
    if ('code' in parsed) throw PlatformError.badRequest(parsed.message, [parsed], parsed.code);
    return this.quality.report({ model, ...parsed });
  }

  @HandleMessage(LiveQualityMessage)
  report(data: RequestOf<typeof LiveQualityMessage>) {
    return this.quality.report(data);
  }
}
