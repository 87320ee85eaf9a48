import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { GetOnlineFeaturesMessage, OnlineFeaturesRequest, OnlineFeaturesResponse, PushRequest } from '@mlp/contracts';
import { ApiContract, HandleMessage, RequireScope, validate } from '@mlp/service-kit';
import { OnlineFeaturesService } from './online-features.service';
import { PushService } from './push.service';

@ApiTags('online')
@Controller('v1')
export class OnlineFeaturesController {
  constructor(
    private readonly online: OnlineFeaturesService,
    private readonly pushes: PushService,
  ) {}

  @Post('online-features')
  @HttpCode(200)
  @RequireScope('features:read')
  @ApiContract({ body: OnlineFeaturesRequest, response: OnlineFeaturesResponse, summary: 'Latest values per entity with PRESENT / NOT_FOUND / OUTSIDE_MAX_AGE' })
  getOnline(@Body(validate(OnlineFeaturesRequest)) body: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    return this.online.get(body);
  }

  @HandleMessage(GetOnlineFeaturesMessage)
  onlineMessage(data: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    return this.online.get(data);
  }

  @Post('push')
  @HttpCode(200)
  @RequireScope('features:write')
  @ApiContract({ body: PushRequest, summary: 'Write fresh feature rows to the online store, the offline store or both' })
  push(@Body(validate(PushRequest)) body: PushRequest) {
    return this.pushes.push(body);
  }
}
