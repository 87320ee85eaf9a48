import { Controller } from '@nestjs/common';
import { IngestPredictionLogMessage, type RequestOf } from '@mlp/contracts';
import { HandleMessage } from '@mlp/service-kit';
import { PredictionLogService } from './prediction-log.service';

/** Transport handler of `dwh-ingest.prediction-log.v1`; the reply is sent after the commit. */
@Controller()
export class PredictionLogController {
  constructor(private readonly log: PredictionLogService) {}

  @HandleMessage(IngestPredictionLogMessage)
  append(data: RequestOf<typeof IngestPredictionLogMessage>) {
    return this.log.append(data.records);
  }
}
