import type { TrainingSet, TrainingSetRequest, TrainingSetSource } from '../training-runs/training-set-source';

/**
 * The pipeline's data port, served from rows in memory: unit specs cover the framework-free core;
 * the HTTP source against a real server is covered by the integration tests.
 */
export class RowsSource implements TrainingSetSource {
  requests: TrainingSetRequest[] = [];
  constructor(
    private readonly rows: Array<Record<string, unknown>>,
    private readonly featureRefs?: Record<string, string>,
  ) {}
  async load(request: TrainingSetRequest): Promise<TrainingSet> {
    this.requests.push(request);
    const rows = this.rows.filter((r) => {
      const t = Date.parse(String(r['event_timestamp']));
      return t >= request.start.getTime() && t < request.end.getTime();
    });
    return { rows: rows as TrainingSet['rows'], fingerprint: `sha256:${'0'.repeat(64)}`, featureServiceVersion: '3', ...(this.featureRefs ? { featureRefs: this.featureRefs } : {}) };
  }
}
