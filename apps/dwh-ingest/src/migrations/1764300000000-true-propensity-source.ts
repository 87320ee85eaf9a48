import type { MigrationInterface } from 'typeorm';

/**
 * Once created the example shop's ground-truth import source and mart. They are the shop project's
 * (examples/acme-shop) and are created by its apply; the migration stays, empty, because
 * deployments have it recorded (and keep the tables it made, which the project adopts).
 */
export class TruePropensitySource1764300000000 implements MigrationInterface {
  name = 'TruePropensitySource1764300000000';

  async up(): Promise<void> {
    // Nothing: the shop project's apply creates these tables.
  }

  async down(): Promise<void> {
    // Nothing to undo.
  }
}
