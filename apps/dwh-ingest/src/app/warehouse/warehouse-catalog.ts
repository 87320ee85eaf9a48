import { Injectable } from '@nestjs/common';
import type { SourceDefinition, WarehouseModelDefinition } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';

export interface CatalogEntry<T> {
  project: string;
  def: T;
  sha: string;
}

/**
 * The applied definitions as the running warehouse reads them (imports, the transformation runner,
 * the SLA monitor): straight from `dwh.project_objects`, so every replica sees an apply as soon as
 * it commits.
 */
@Injectable()
export class WarehouseCatalog {
  constructor(private readonly db: Database) {}

  private async objects<T>(kind: string, name?: string): Promise<Array<CatalogEntry<T>>> {
    const rows = await this.db.query<{ project: string; definition: T; definition_sha256: string }>(
      `SELECT project, definition, definition_sha256 FROM "dwh".project_objects WHERE kind = $1 AND ($2::text IS NULL OR name = $2) ORDER BY project, name`,
      [kind, name ?? null],
    );
    return rows.map((r) => ({ project: r.project, def: r.definition, sha: r.definition_sha256 }));
  }

  async source(name: string): Promise<SourceDefinition | null> {
    const [found] = await this.objects<SourceDefinition>('source', name);
    return found?.def ?? null;
  }

  sources(): Promise<Array<CatalogEntry<SourceDefinition>>> {
    return this.objects<SourceDefinition>('source');
  }

  models(): Promise<Array<CatalogEntry<WarehouseModelDefinition>>> {
    return this.objects<WarehouseModelDefinition>('model');
  }
}
