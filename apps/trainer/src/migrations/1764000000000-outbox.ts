import { outboxMigration } from '@mlp/service-kit';

/** The service kit's transactional outbox table in the registry schema (see `outboxMigration`). */
export const Outbox1764000000000 = outboxMigration('registry', 1764000000000);
