import { Outbox1764000000000 } from './1764000000000-outbox';
import { Registry1764100000000 } from './1764100000000-registry';
import { HoldoutPredictions1765000000000 } from './1765000000000-holdout-predictions';
import { ModelSpecProjects1765100000000 } from './1765100000000-model-spec-projects';
import { ListKeysetIndexes1765170000000 } from './1765170000000-list-keyset-indexes';
import { Experiments1765250000000 } from './1765250000000-experiments';

/** Every migration of the registry schema, oldest first. New ones are appended here. */
export const migrations = [Outbox1764000000000, Registry1764100000000, HoldoutPredictions1765000000000, ModelSpecProjects1765100000000, ListKeysetIndexes1765170000000, Experiments1765250000000];
