import { Outbox1764000000000 } from './1764000000000-outbox';
import { ServingState1764100000000 } from './1764100000000-serving-state';
import { BatchScoring1764200000000 } from './1764200000000-batch-scoring';
import { BatchResults1764300000000 } from './1764300000000-batch-results';
import { TrafficStats1764350000000 } from './1764350000000-traffic-stats';
import { DriftHistory1764400000000 } from './1764400000000-drift-history';

/** Every migration of the serving schema, oldest first. New ones are appended here. */
export const migrations = [Outbox1764000000000, ServingState1764100000000, BatchScoring1764200000000, BatchResults1764300000000, TrafficStats1764350000000, DriftHistory1764400000000];
