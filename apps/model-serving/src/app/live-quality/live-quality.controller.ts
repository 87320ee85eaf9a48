import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { LiveQualityMessage } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract } from '@mlp/service-kit';
import { ModelStore } from '../models/model-store';
import { parseLiveQualityQuery } from './live-quality-query';
import { LiveQualityService } from './live-quality.service';
import { LIVE_QUALITY_DOC } from './live-quality.docs';

/** `GET /v1/models/{m}/live-quality?window_hours=&version=`: the warehouse's figures for a served model. */
@ApiTags('models')
@Controller('v1')
export class LiveQualityController {
  constructor(
    private readonly store: ModelStore,
    private readonly quality: LiveQualityService,
  ) {}

  @Get('models/:model/live-quality')
  @ApiContract({ response: LiveQualityMessage.reply, ...LIVE_QUALITY_DOC })
  liveQuality(@Param('model') model: string, @Query() query: { window_hours?: string; version?: string }) {
    this.store.status(model); // 404 for a model this service does not serve
    const parsed = parseLiveQualityQuery(query, this.quality.defaultWindowHours);
    if ('code' in parsed) throw PlatformError.badRequest(parsed.message, [parsed], parsed.code);
    return this.quality.report(model, parsed.windowHours, parsed.version);
  }
}
