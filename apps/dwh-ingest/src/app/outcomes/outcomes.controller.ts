import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { OutcomeList, OutcomeRefreshResult, RefreshOutcomesRequest } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { ApiContract, RequireScope } from '@mlp/service-kit';
import { PredictionOutcomes } from './prediction-outcomes.service';
import { LIST_OUTCOMES_DOC, REFRESH_OUTCOMES_DOC } from './outcomes.docs';

/** The outcomes projects applied, their last label refresh, and a refresh on demand. */
@Controller('v1/outcomes')
export class OutcomesController {
  constructor(private readonly labels: PredictionOutcomes) {}

  @Get()
  @RequireScope('ingest:read')
  @ApiContract({ response: OutcomeList, ...LIST_OUTCOMES_DOC })
  async list() {
    return { outcomes: await this.labels.status() };
  }

  /** Relabels the predictions of the given models (all with an outcome when the body is empty); 409 while another refresh runs. */
  @Post('refresh')
  @HttpCode(200)
  @RequireScope('ingest:admin')
  @ApiContract({ body: RefreshOutcomesRequest, response: OutcomeRefreshResult, ...REFRESH_OUTCOMES_DOC })
  refresh(@Body() raw: unknown) {
    const checked = RefreshOutcomesRequest.validate(raw ?? {});
    if (!checked.ok) throw PlatformError.badRequest('invalid outcome refresh request', checked.violations);
    return this.labels.refresh(checked.value.models, checked.value.full ?? false);
  }
}
