import { Injectable } from '@nestjs/common';
import type { SourceDefinition, WarehouseModelDefinition } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';

export interface CatalogEntry<T> {
  name: string;
  project: string;
  def: T;
  sha: string;
}

/** The kinds of object a project applies (`dwh.project_objects.kind`). */
export type CatalogKind = 'source' | 'model' | 'outcome' | 'kpi';

/**
 * The applied definitions as the running warehouse reads them (imports, the transformation runner,
 * the SLA monitor, the outcome refresh, KPIs): straight from `dwh.project_objects`, so every replica
 * sees an apply as soon as it commits.
 */
@Injectable()
export class WarehouseCatalog {
  constructor(private readonly db: Database) {}

  private async query<T>(kind: CatalogKind, name: string | undefined, order: 'project, name' | 'name'): Promise<Array<CatalogEntry<T>>> {
    const rows = await this.db.query<{ name: string; project: string; definition: T; definition_sha256: string }>(
      `SELECT name, project, definition, definition_sha256 FROM "dwh".project_objects WHERE kind = $1 AND ($2::text IS NULL OR name = $2) ORDER BY ${order}`,
      [kind, name ?? null],
    );
    return rows.map((r) => ({ name: r.name, project: r.project, def: r.definition, sha: r.definition_sha256 }));
  }

  /**
   * Objects of a kind as stored, by name (one name: that one or none). The definitions are only data
   * here: a caller validates them against its contract before use.
   */
  objects(kind: CatalogKind, name?: string): Promise<Array<CatalogEntry<Record<string, unknown>>>> {
    return this.query<Record<string, unknown>>(kind, name, 'name');
  }

  async source(name: string): Promise<SourceDefinition | null> {
    const [found] = await this.query<SourceDefinition>('source', name, 'project, name');
    return found?.def ?? null;
  }

  sources(): Promise<Array<CatalogEntry<SourceDefinition>>> {
    return this.query<SourceDefinition>('source', undefined, 'project, name');
  }

  models(): Promise<Array<CatalogEntry<WarehouseModelDefinition>>> {
    return this.query<WarehouseModelDefinition>('model', undefined, 'project, name');
  }
}
