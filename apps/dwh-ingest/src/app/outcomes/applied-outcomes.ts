import { Injectable } from '@nestjs/common';
import { OutcomeDefinition, OutcomeErrorCode } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { createHash } from 'node:crypto';
import { WarehouseCatalog, type CatalogEntry } from '../warehouse/warehouse-catalog';

/** An outcome as a project applied it (`dwh.project_objects`, kind `outcome`, named by its model). */
export interface AppliedOutcome {
  model: string;
  project: string;
  definition: OutcomeDefinition;
  sha256: string;
  /** Set when the stored definition does not satisfy the contract (it is then never run). */
  problem?: string;
}

/** What an outcome's `model` may be (dwh.OutcomeDefinition). */
const MODEL_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * The outcomes applied by projects, read where the warehouse apply stores them. The apply
 * validated them; they are validated again here (the contract, then the SQL before it runs), since
 * the row is only data and a definition that slipped through must fail alone, not the refresh.
 */
@Injectable()
export class AppliedOutcomes {
  constructor(private readonly catalog: WarehouseCatalog) {}

  async list(): Promise<AppliedOutcome[]> {
    return (await this.catalog.objects('outcome')).map(toApplied);
  }

  async find(model: string): Promise<AppliedOutcome | undefined> {
    // Not a model name (e.g. a path segment holding U+0000, which PostgreSQL cannot even compare): none.
    if (!MODEL_NAME.test(model)) return undefined;
    const [found] = await this.catalog.objects('outcome', model);
    return found ? toApplied(found) : undefined;
  }

  /** The model's outcome, or 404 NO_OUTCOME. */
  async get(model: string): Promise<AppliedOutcome> {
    const found = await this.find(model);
    if (!found) throw noOutcome(model);
    return found;
  }
}

export const noOutcome = (model: string) =>
  PlatformError.notFound(`model ${model} has no outcome: apply one with its project (training/${model}.yaml, outcome:) to label its live predictions`, OutcomeErrorCode.NO_OUTCOME);

function toApplied(row: CatalogEntry<Record<string, unknown>>): AppliedOutcome {
  const candidate = { ...row.def, model: row.name };
  // Its own digest (not the apply's definition_sha256): what dwh.outcome_refreshes has always compared.
  const sha256 = createHash('sha256').update(JSON.stringify(row.def)).digest('hex');
  const checked = OutcomeDefinition.validate(candidate);
  if (checked.ok) return { model: row.name, project: row.project, definition: checked.value, sha256 };
  return {
    model: row.name,
    project: row.project,
    definition: candidate as OutcomeDefinition,
    sha256,
    problem: `the stored outcome does not satisfy dwh.OutcomeDefinition: ${checked.violations.map((v) => `${v.path} ${v.message}`).join('; ')}`,
  };
}
