import { Outbox1764000000000 } from './1764000000000-outbox';
import { FeatureRegistry1764100000000 } from './1764100000000-feature-registry';
import { MaterializationStage1764200000000 } from './1764200000000-materialization-stage';
import { WriteSequence1764300000000 } from './1764300000000-write-sequence';
import { ViewVersionLifecycle1764400000000 } from './1764400000000-view-version-lifecycle';
import { ProjectOwnership1764500000000 } from './1764500000000-project-ownership';

/** Every migration of the features schema, oldest first. New ones are appended here. */
export const migrations = [Outbox1764000000000, FeatureRegistry1764100000000, MaterializationStage1764200000000, WriteSequence1764300000000, ViewVersionLifecycle1764400000000, ProjectOwnership1764500000000];
