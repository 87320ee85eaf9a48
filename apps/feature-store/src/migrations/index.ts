import { Outbox1764000000000 } from './1764000000000-outbox';

/** Every migration of the features schema, oldest first. New ones are appended here. */
export const migrations = [Outbox1764000000000];
