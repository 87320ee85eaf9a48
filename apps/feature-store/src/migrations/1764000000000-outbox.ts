import { outboxMigration } from '@mlp/service-kit';

/** The service kit's transactional outbox table in the features schema (see `outboxMigration`). */
export const Outbox1764000000000 = outboxMigration('features', 1764000000000);
