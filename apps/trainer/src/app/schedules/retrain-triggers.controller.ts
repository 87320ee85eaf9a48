import { Controller } from '@nestjs/common';
import { MartRefreshedEvent, ModelDriftDetectedEvent, type PayloadOf } from '@mlp/contracts';
import { HandleEvent } from '@mlp/service-kit';
import { RetrainScheduler } from './retrain-scheduler';

/** Event triggers of retraining: a refreshed mart a model depends on, or drift reported by serving. */
@Controller()
export class RetrainTriggersController {
  constructor(private readonly scheduler: RetrainScheduler) {}

  @HandleEvent(MartRefreshedEvent)
  async onMartRefreshed(event: PayloadOf<typeof MartRefreshedEvent>) {
    for (const model of await this.scheduler.modelsWatching(event.mart)) {
      await this.scheduler.trigger(model, `mart-refreshed:${event.mart}`, () => true);
    }
  }

  @HandleEvent(ModelDriftDetectedEvent)
  async onDrift(event: PayloadOf<typeof ModelDriftDetectedEvent>) {
    await this.scheduler.trigger(event.model, `drift:v${event.version}`, (spec) => spec.triggers?.onDrift === true);
  }
}
