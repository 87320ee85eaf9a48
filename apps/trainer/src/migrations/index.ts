import { Outbox1764000000000 } from './1764000000000-outbox';
import { Registry1764100000000 } from './1764100000000-registry';

/** Every migration of the registry schema, oldest first. New ones are appended here. */
export const migrations = [Outbox1764000000000, Registry1764100000000];
