import { Module } from '@nestjs/common';
import { RunComparisonService } from './experiments/run-comparison.service';
import { SearchCoordinator } from './experiments/search-coordinator';
import { RunComparisonController, SearchesController } from './experiments/searches.controller';
import { SearchesService } from './experiments/searches.service';
import { ModelSpecsController } from './model-specs/model-specs.controller';
import { ModelSpecsService } from './model-specs/model-specs.service';
import { PromotionService } from './promotion/promotion.service';
import { RegistryMessagesController } from './registry/registry-messages.controller';
import { RegistryController } from './registry/registry.controller';
import { RegistryService } from './registry/registry.service';
import { RetrainScheduler } from './schedules/retrain-scheduler';
import { RetrainTriggersController } from './schedules/retrain-triggers.controller';
import { RunQueue } from './training-runs/run-queue';
import { TrainingRunner } from './training-runs/training-runner';
import { TrainingRunsController } from './training-runs/training-runs.controller';
import { TrainingRunsService } from './training-runs/training-runs.service';

/** The trainer features; platform concerns (health, metrics, auth, database) come from the kit. */
@Module({
  controllers: [ModelSpecsController, TrainingRunsController, RegistryController, RegistryMessagesController, RetrainTriggersController, SearchesController, RunComparisonController],
  providers: [ModelSpecsService, RunQueue, TrainingRunsService, TrainingRunner, RegistryService, PromotionService, RetrainScheduler, SearchesService, SearchCoordinator, RunComparisonService],
})
export class AppModule {}
