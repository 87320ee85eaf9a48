import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { GetOnlineFeaturesMessage, OnlineFeaturesRequest, OnlineFeaturesResponse, PushRequest } from '@mlp/contracts';
import { ApiContract, HandleMessage, RequireScope, validate } from '@mlp/service-kit';
import { OnlineFeaturesService } from './online-features.service';
import { PushService } from './push.service';
import { ONLINE_DOC, PUSH_DOC } from './online-features.docs';

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
  @ApiContract({ body: OnlineFeaturesRequest, response: OnlineFeaturesResponse, ...ONLINE_DOC })
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
  @ApiContract({ body: PushRequest, ...PUSH_DOC })
  push(@Body(validate(PushRequest)) body: PushRequest) {
    return this.pushes.push(body);
  }
}
