import { Outbox1764000000000 } from './1764000000000-outbox';
import { Warehouse1764100000000 } from './1764100000000-warehouse';
import { TruePropensitySource1764300000000 } from './1764300000000-true-propensity-source';
import { ImportBodyDigest1764400000000 } from './1764400000000-import-body-digest';
import { FailedEventRawPayload1764500000000 } from './1764500000000-failed-event-raw-payload';
import { PredictionLogRejected1764600000000 } from './1764600000000-prediction-log-rejected';
import { Projects1764700000000 } from './1764700000000-projects';
import { ModelStateDefinition1764710000000 } from './1764710000000-model-state-definition';
import { PredictionOutcomes1764760000000 } from './1764760000000-prediction-outcomes';
import { SegmentCalls1764800000000 } from './1764800000000-segment-calls';
import { PredictionLogEntityOnly1764810000000 } from './1764810000000-prediction-log-entity-only';
import { WarehouseStats1764900000000 } from './1764900000000-warehouse-stats';
import { KpiReports1764950000000 } from './1764950000000-kpi-reports';

/** Every migration of the dwh schema, oldest first. New ones are appended here. */
export const migrations = [
  Outbox1764000000000,
  Warehouse1764100000000,
  TruePropensitySource1764300000000,
  ImportBodyDigest1764400000000,
  FailedEventRawPayload1764500000000,
  PredictionLogRejected1764600000000,
  Projects1764700000000,
  ModelStateDefinition1764710000000,
  PredictionOutcomes1764760000000,
  SegmentCalls1764800000000,
  PredictionLogEntityOnly1764810000000,
  WarehouseStats1764900000000,
  KpiReports1764950000000,
];
