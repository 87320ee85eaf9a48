import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { PredictionLogService } from './prediction-log.service';

/** The prediction log's state: in memory, on disk, sent, refused and set aside. */
@ApiTags('models')
@Controller('v1/prediction-log')
export class PredictionLogController {
  constructor(private readonly predictionLog: PredictionLogService) {}

  @Get()
  status() {
    return this.predictionLog.pending();
  }
}
