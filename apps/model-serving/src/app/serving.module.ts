import { Module } from '@nestjs/common';
import { BatchJobsController } from './batch-scoring/batch-jobs.controller';
import { BatchJobQueue } from './batch-scoring/batch-job-queue';
import { BatchJobRunner } from './batch-scoring/batch-job-runner';
import { BatchJobStore } from './batch-scoring/batch-job-store';
import { BatchResultsReader } from './batch-scoring/batch-results-reader';
import { BatchSourceReader } from './batch-scoring/batch-source-reader';
import { PointInTimeFeatures } from './batch-scoring/point-in-time-features';
import { DriftController } from './drift/drift.controller';
import { DriftAlerts } from './drift/drift-alerts';
import { DriftBaselines } from './drift/drift-baselines';
import { DriftHistory } from './drift/drift-history';
import { DriftMonitor } from './drift/drift-monitor';
import { EntityFeatures } from './entity-predictions/entity-features';
import { EntityPredictions } from './entity-predictions/entity-predictions';
import { EntityPredictionsController } from './entity-predictions/entity-predictions.controller';
import { InferenceService } from './inference/inference.service';
import { PredictionObserver } from './inference/prediction-observer';
import { VersionResolver } from './inference/version-resolver';
import { LiveQualityController } from './live-quality/live-quality.controller';
import { LiveQualityService } from './live-quality/live-quality.service';
import { ServingMetrics } from './metrics/serving-metrics';
import { ModelStore } from './models/model-store';
import { ModelsController } from './models/models.controller';
import { OpenInferenceController } from './open-inference/open-inference.controller';
import { V2Infer } from './open-inference/v2-infer';
import { V2InferController } from './open-inference/v2-infer.controller';
import { PredictionLogController } from './prediction-log/prediction-log.controller';
import { PredictionLogService } from './prediction-log/prediction-log.service';
import { PredictionLogWriter } from './prediction-log/prediction-log-writer';
import { TfServingController } from './tf-serving/tf-serving.controller';
import { TrafficPolicies } from './traffic/traffic-policies';
import { TrafficStatsController } from './traffic-stats/traffic-stats.controller';
import { TrafficStatsReader } from './traffic-stats/traffic-stats-reader';
import { TrafficStatsRecorder } from './traffic-stats/traffic-stats-recorder';

/** Real-time and batch serving: models in memory, the protocols on top, the prediction log and drift beside. */
@Module({
  controllers: [
    OpenInferenceController,
    V2InferController,
    TfServingController,
    EntityPredictionsController,
    ModelsController,
    DriftController,
    PredictionLogController,
    LiveQualityController,
    BatchJobsController,
    TrafficStatsController,
  ],
  providers: [
    ServingMetrics,
    TrafficPolicies,
    ModelStore,
    PredictionLogWriter,
    PredictionLogService,
    DriftBaselines,
    DriftAlerts,
    DriftMonitor,
    DriftHistory,
    VersionResolver,
    PredictionObserver,
    InferenceService,
    V2Infer,
    EntityFeatures,
    EntityPredictions,
    BatchSourceReader,
    BatchJobStore,
    BatchJobQueue,
    BatchJobRunner,
    BatchResultsReader,
    PointInTimeFeatures,
    LiveQualityService,
    TrafficStatsRecorder,
    TrafficStatsReader,
  ],
  exports: [InferenceService, ModelStore],
})
export class ServingModule {}
