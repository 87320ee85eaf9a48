import { Controller } from '@nestjs/common';
import { IngestPredictionLogLinesMessage, IngestPredictionLogMessage, type RequestOf } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { HandleMessage } from '@mlp/service-kit';
import { parsePredictionLogLines } from './prediction-log-lines';
import { PredictionLogService } from './prediction-log.service';

/**
 * Transport handlers of `dwh-ingest.prediction-log.v1` (records) and `.v2` (records as JSON lines,
 * what model-serving sends); the reply is sent after the commit.
 */
@Controller()
export class PredictionLogController {
  constructor(private readonly log: PredictionLogService) {}

  @HandleMessage(IngestPredictionLogMessage)
  append(data: RequestOf<typeof IngestPredictionLogMessage>) {
    return this.log.append(data.records);
  }

  @HandleMessage(IngestPredictionLogLinesMessage)
  appendLines(data: RequestOf<typeof IngestPredictionLogLinesMessage>) {
    const parsed = parsePredictionLogLines(data.lines);
    if (!parsed.ok) throw PlatformError.badRequest(`invalid ${IngestPredictionLogLinesMessage.pattern} lines`, parsed.violations, 'INVALID_PREDICTION_LOG');
    return this.log.append(parsed.records);
  }
}
