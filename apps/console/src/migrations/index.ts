import { Outbox1766500000000 } from './1766500000000-outbox';

/** Every migration of the console schema, oldest first. */
export const migrations = [Outbox1766500000000];
