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
  @ApiContract({
    response: RejectedPredictionLogPage,
    summary: 'Prediction log lines set aside, newest first',
    description:
      "model-serving sends its prediction log over the transport (`dwh-ingest.prediction-log.v2`, JSON lines); a line that is not a valid record is set aside alone, with its violations, and the others are stored. This lists them, newest first: filter by `status` (`pending` or `replayed`), page with `limit` (1..1000, default 100) and `cursor`. Scope `ingest:read`.",
    errors: { 400: ['VALIDATION_FAILED'] },
    example: {
      items: [
        {
          id: '7',
          line: '{"predictionId":"p-81f2","requestId":"r-19","model":"warm_colour","version":1,"arm":"champion","inputs":{},"output":"high","latencyMs":1.2,"predictedAt":"2026-12-07T09:59:58.120Z"}',
          violations: [{ path: '$.output', code: 'DATATYPE_MISMATCH', message: 'must be number' }],
          codes: ['DATATYPE_MISMATCH'],
          receivedAt: '2026-12-07T09:59:58.402Z',
          replayedAt: null,
          replayStatus: null,
        },
      ],
      nextCursor: null,
    },
  })
  listRejected(@Query(validate(RejectedPredictionLogQuery)) query: Static<typeof RejectedPredictionLogQuery.schema>) {
    return this.log.listRejected(query);
  }

  @Post('v1/prediction-log/rejected/replay')
  @HttpCode(200)
  @RequireScope('ingest:write')
  @ApiContract({
    body: PredictionLogReplayRequest,
    response: PredictionLogReplayResult,
    summary: 'Check set-aside prediction log lines again and store the valid ones',
    description:
      'Re-checks the named set-aside lines (`ids`), or the oldest pending ones up to `limit` (default 1000): valid lines are stored (`accepted`), a predictionId already stored is a `duplicate`, the rest stay set aside (`still_invalid`, with their errors). Use it after fixing what made them invalid (e.g. a contract change). Scope `ingest:write`.',
    errors: { 400: ['VALIDATION_FAILED'], 503: ['DEPENDENCY_UNAVAILABLE'] },
    example: { replayed: 1, accepted: 0, duplicates: 0, stillInvalid: 1, results: [{ id: '7', status: 'still_invalid', errors: [{ path: '$.output', code: 'DATATYPE_MISMATCH', message: 'must be number' }] }] },
  })
  replay(@Body(validate(PredictionLogReplayRequest)) body: Static<typeof PredictionLogReplayRequest.schema>) {
    return this.log.replay(body);
  }
}
