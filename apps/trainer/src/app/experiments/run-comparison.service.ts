import { Injectable } from '@nestjs/common';
import type { RunComparison } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import type { RunRow } from '../training-runs/run-queue';
import { compareRuns } from './run-comparison';
import { UUID } from './searches.service';

/** The most runs one comparison puts side by side. */
export const MAX_COMPARED_RUNS = 20;

/** `GET /v1/runs/compare`: any runs (trials, registered runs, of one model or several) side by side. */
@Injectable()
export class RunComparisonService {
  constructor(private readonly db: Database) {}

  /** Runs side by side in the order asked; 2 to 20 ids, every one must exist. */
  async compare(idsParam: string | string[] | undefined): Promise<RunComparison> {
    // `ids=a,b` or the parameter repeated (`ids=a&ids=b`, which the query parser gives as a list).
    const ids = [idsParam ?? []].flat().flatMap((p) => String(p).split(',')).map((s) => s.trim()).filter(Boolean);
    const bad = ids.filter((i) => !UUID.test(i));
    if (ids.length < 2 || ids.length > MAX_COMPARED_RUNS || bad.length || new Set(ids).size !== ids.length) {
      throw PlatformError.badRequest(
        `ids must list 2 to ${MAX_COMPARED_RUNS} distinct run ids (UUIDs), comma-separated`,
        [{ path: 'ids', code: 'INVALID_RUN_IDS', message: bad.length ? `not UUIDs: ${bad.join(', ')}` : `${ids.length} ids` }],
        'INVALID_RUN_IDS',
      );
    }
    const rows = await this.db.query<RunRow>(`SELECT * FROM "registry".training_runs WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = ids.filter((i) => !byId.has(i));
    if (missing.length) throw PlatformError.notFound(`training runs not found: ${missing.join(', ')}`, 'RUN_NOT_FOUND');
    return compareRuns(ids.map((i) => byId.get(i) as RunRow));
  }
}
