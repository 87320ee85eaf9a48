import { Inject, Injectable } from '@nestjs/common';
import type { CreateTrainingRun, TrainingRun } from '@mlp/contracts';
import { PlatformError, requestContext } from '@mlp/runtime';
import { PLATFORM_CONFIG, type PlatformConfig } from '@mlp/service-kit';
import { ModelSpecsService } from '../model-specs/model-specs.service';
import { specProblems } from '../model-specs/model-spec-rules';
import { effectiveSpec, RunQueue, toTrainingRun } from './run-queue';

@Injectable()
export class TrainingRunsService {
  constructor(
    private readonly specs: ModelSpecsService,
    private readonly queue: RunQueue,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async create(body: CreateTrainingRun): Promise<TrainingRun> {
    const { spec } = await this.specs.get(body.model);
    const problems = specProblems(effectiveSpec(spec, body.overrides));
    if (problems.length) throw PlatformError.badRequest(`the overrides make an invalid spec: ${problems.map((p) => p.message).join('; ')}`, problems, problems[0].code);
    const run = await this.queue.enqueue({
      model: body.model,
      spec,
      overrides: body.overrides,
      trigger: 'api',
      requestedBy: requestContext.get()?.principal ?? 'anonymous',
      codeVersion: String(this.config.env['CODE_VERSION']),
      maxAttempts: Number(this.config.env['TRAINER_MAX_ATTEMPTS']),
    });
    return toTrainingRun(run);
  }

  async get(id: string): Promise<TrainingRun> {
    return toTrainingRun(await this.queue.get(id));
  }

  async list(filter: { model?: string; status?: string; limit: number }): Promise<TrainingRun[]> {
    return (await this.queue.list(filter)).map(toTrainingRun);
  }

  async cancel(id: string): Promise<TrainingRun> {
    return toTrainingRun(await this.queue.cancel(id));
  }
}
