import { Module } from '@nestjs/common';
import { BatchJobsController } from './batch-scoring/batch-jobs.controller';
import { BatchScoringService } from './batch-scoring/batch-scoring.service';
import { DriftController } from './drift/drift.controller';
import { DriftService } from './drift/drift.service';
import { EntityPredictionsController } from './inference/entity-predictions.controller';
import { InferenceService } from './inference/inference.service';
import { LiveQualityController } from './live-quality/live-quality.controller';
import { LiveQualityService } from './live-quality/live-quality.service';
import { LeanInferRoute } from './inference/lean-infer-route';
import { OpenInferenceController } from './inference/open-inference.controller';
import { TfServingController } from './inference/tf-serving.controller';
import { ServingMetrics } from './metrics/serving-metrics';
import { ModelsController } from './models/models.controller';
import { ModelStore } from './models/model-store';
import { PredictionLogController } from './prediction-log/prediction-log.controller';
import { PredictionLogService } from './prediction-log/prediction-log.service';
import { TrafficPolicies } from './traffic/traffic-policies';

/** Real-time and batch serving: models in memory, the protocols on top, the prediction log and drift beside. */
@Module({
  controllers: [OpenInferenceController, TfServingController, EntityPredictionsController, ModelsController, DriftController, PredictionLogController, LiveQualityController, BatchJobsController],
  providers: [ServingMetrics, TrafficPolicies, ModelStore, PredictionLogService, DriftService, InferenceService, BatchScoringService, LiveQualityService, LeanInferRoute],
  exports: [InferenceService, ModelStore],
})
export class ServingModule {}
