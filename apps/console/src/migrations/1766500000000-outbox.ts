import { outboxMigration } from '@mlp/service-kit';

/** The service kit's transactional outbox table in the console schema (see `outboxMigration`). */
export const Outbox1766500000000 = outboxMigration('console', 1766500000000);
