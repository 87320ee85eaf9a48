import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiContract } from '@mlp/service-kit';
import { PredictionLogService } from './prediction-log.service';
import { PREDICTION_LOG_DOC } from './prediction-log.docs';

/** The prediction log's state: in memory, on disk, sent, refused and set aside. */
@ApiTags('models')
@Controller('v1/prediction-log')
export class PredictionLogController {
  constructor(private readonly predictionLog: PredictionLogService) {}

  @Get()
  @ApiContract(PREDICTION_LOG_DOC)
  status() {
    return this.predictionLog.pending();
  }
}
