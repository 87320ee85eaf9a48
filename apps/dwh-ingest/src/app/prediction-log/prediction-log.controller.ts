import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  IngestPredictionLogLinesMessage,
  IngestPredictionLogMessage,
  PredictionLogReplayRequest,
  PredictionLogReplayResult,
  RejectedPredictionLogPage,
  RejectedPredictionLogQuery,
  type RequestOf,
} from '@mlp/contracts';
import { ApiContract, HandleMessage, RequireScope, validate } from '@mlp/service-kit';
import type { Static } from '@sinclair/typebox';
import { PredictionLogService } from './prediction-log.service';

/**
 * Transport handlers of `dwh-ingest.prediction-log.v1` (records) and `.v2` (records as JSON lines,
 * what model-serving sends); the reply is sent after the commit. A bad line is set aside alone and
 * the others stored; the set-aside lines are listed and replayed over HTTP.
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
    return this.log.appendLines(data.lines);
  }

  @Get('v1/prediction-log/rejected')
  @RequireScope('ingest:read')
  @ApiContract({ response: RejectedPredictionLogPage, summary: 'Prediction log lines set aside, newest first' })
  listRejected(@Query(validate(RejectedPredictionLogQuery)) query: Static<typeof RejectedPredictionLogQuery.schema>) {
    return this.log.listRejected(query);
  }

  @Post('v1/prediction-log/rejected/replay')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @ApiContract({ body: PredictionLogReplayRequest, response: PredictionLogReplayResult, summary: 'Checks set-aside lines again and stores those now valid' })
  replay(@Body(validate(PredictionLogReplayRequest)) body: Static<typeof PredictionLogReplayRequest.schema>) {
    return this.log.replay(body);
  }
}
