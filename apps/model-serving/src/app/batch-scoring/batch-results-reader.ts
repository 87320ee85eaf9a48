import { Injectable } from '@nestjs/common';
import type { BatchResultsPage, BatchResultsQuery } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import { BatchJobStore } from './batch-job-store';
import { decodeResultsCursor, encodeResultsCursor, resultsLimit } from './batch-results-page';

interface ResultRow {
  entity_key: string;
  model: string;
  version: number;
  score: number;
  outputs: number[];
  as_of: Date;
  predicted_at: Date;
}

/**
 * A job's results read back through the API (`GET /v1/batch-jobs/{id}/results`): the rows of one
 * run from `serving.batch_predictions` in entity key order, a page at a time after a keyset cursor,
 * so every row is read exactly once however the pages are cut.
 */
@Injectable()
export class BatchResultsReader {
  constructor(
    private readonly db: Database,
    private readonly jobs: BatchJobStore,
  ) {}

  async page(id: string, query: BatchResultsQuery): Promise<BatchResultsPage> {
    const job = await this.jobs.get(id);
    const run = query.run === undefined ? job.run : Number(query.run);
    if (run > job.run) throw PlatformError.notFound(`batch job ${id} has no run ${run} (its latest is ${job.run})`, 'RUN_NOT_FOUND');
    const limit = resultsLimit(query.limit);
    const after = query.cursor === undefined ? null : decodeResultsCursor(query.cursor);
    const rows = await this.db.query<ResultRow>(
      `SELECT entity_key, model, version, score, outputs, as_of, predicted_at FROM "serving".batch_predictions
        WHERE job_id = $1 AND run = $2 AND ($3::text IS NULL OR entity_key > $3) AND ($4::text IS NULL OR entity_key = $4)
        ORDER BY entity_key LIMIT $5`,
      [id, run, after, query.entity ?? null, limit + 1],
    );
    const more = rows.length > limit;
    const items = rows.slice(0, limit).map((r) => ({
      entity: { [job.source.key]: r.entity_key },
      model: r.model,
      version: r.version,
      score: r.score,
      outputs: r.outputs.map(Number),
      asOf: new Date(r.as_of).toISOString(),
      scoredAt: new Date(r.predicted_at).toISOString(),
    }));
    return { job: job.id, run, items, nextCursor: more ? encodeResultsCursor(rows[limit - 1].entity_key) : null };
  }
}
