import { Controller } from '@nestjs/common';
import { LiveQualityMessage, type RequestOf } from '@mlp/contracts';
import { HandleMessage } from '@mlp/service-kit';
import { LiveQualityService } from './live-quality.service';

/** Transport handler of `dwh-ingest.live-quality.v1` (model-serving asks it for its live-quality endpoint and gauges). */
@Controller()
export class LiveQualityController {
  constructor(private readonly quality: LiveQualityService) {}

  @HandleMessage(LiveQualityMessage)
  report(data: RequestOf<typeof LiveQualityMessage>) {
    return this.quality.report(data);
  }
}
