import { outboxMigration } from '@mlp/service-kit';

/** The service kit's transactional outbox table in the dwh schema (see `outboxMigration`). */
export const Outbox1764000000000 = outboxMigration('dwh', 1764000000000);
