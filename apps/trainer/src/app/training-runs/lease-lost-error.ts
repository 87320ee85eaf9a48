/** The run lost its lease while finishing: another trainer owns it now, so nothing is written. */
export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`training run ${runId} is no longer held by this trainer`);
    this.name = 'LeaseLostError';
  }
}
