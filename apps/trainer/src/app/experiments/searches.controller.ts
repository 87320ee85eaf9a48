import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateSearch, RunComparison, Search } from '@mlp/contracts';
import { PlatformError, requestContext } from '@mlp/runtime';
import { ApiContract, RequireScope, validate } from '@mlp/service-kit';
import { RunComparisonService } from './run-comparison.service';
import { CANCEL_SEARCH_DOC, COMPARE_RUNS_DOC, CREATE_SEARCH_DOC, GET_SEARCH_DOC, LIST_SEARCHES_DOC } from './searches.docs';
import { SearchesService } from './searches.service';

@ApiTags('experiments')
@Controller('v1/searches')
export class SearchesController {
  constructor(private readonly searches: SearchesService) {}

  /** Queues every trial of a search at once; 202 with the search (its trials queued). */
  @Post()
  @HttpCode(202)
  @RequireScope('trainer:write')
  @ApiContract({ body: CreateSearch, response: Search, status: 202, ...CREATE_SEARCH_DOC })
  create(@Body(validate(CreateSearch)) body: CreateSearch) {
    return this.searches.create(body, requestContext.get()?.principal ?? 'anonymous');
  }

  @Get()
  @RequireScope('trainer:read')
  @ApiContract(LIST_SEARCHES_DOC)
  async list(@Query('model') model?: string, @Query('limit') limit?: string) {
    const n = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 200) throw PlatformError.badRequest('limit must be an integer between 1 and 200', [{ path: 'limit', code: 'OUT_OF_RANGE', message: String(limit) }]);
    return { searches: await this.searches.list({ model, limit: n }) };
  }

  @Get(':id')
  @RequireScope('trainer:read')
  @ApiContract({ response: Search, ...GET_SEARCH_DOC })
  get(@Param('id') id: string) {
    return this.searches.get(id);
  }

  /** Cancels the search's queued runs at once and its running ones at their next heartbeat; nothing is registered. */
  @Post(':id/cancel')
  @HttpCode(202)
  @RequireScope('trainer:write')
  @ApiContract({ response: Search, status: 202, ...CANCEL_SEARCH_DOC })
  cancel(@Param('id') id: string) {
    return this.searches.cancel(id);
  }
}

@ApiTags('experiments')
@Controller('v1/runs')
export class RunComparisonController {
  constructor(private readonly comparison: RunComparisonService) {}

  @Get('compare')
  @RequireScope('trainer:read')
  @ApiContract({ response: RunComparison, ...COMPARE_RUNS_DOC })
  compare(@Query('ids') ids?: string | string[]) {
    return this.comparison.compare(ids);
  }
}
