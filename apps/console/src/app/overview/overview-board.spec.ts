import { overviewBoard, type OverviewInputs } from './overview-board';

const now = new Date('2026-12-07T10:00:00Z');
const down = { ok: false as const, status: 503, reason: 'trainer: ECONNREFUSED', code: 'DEPENDENCY_UNAVAILABLE' };

function inputs(patch: Partial<OverviewInputs> = {}): OverviewInputs {
  return {
    now,
    readiness: [
      { service: 'dwh-ingest', ok: true, latencyMs: 4 },
      { service: 'trainer', ok: false, reason: 'trainer is not ready', latencyMs: 12 },
    ],
    sla: { ok: true, body: { checks: [
      { dataset: 'events', check: 'freshness', status: 'ok', reason: 'last load 40 s ago' },
      { dataset: 'mart_orders', check: 'freshness', status: 'error', reason: 'last load 2 d ago' },
      { dataset: 'events', check: 'completeness', status: 'warn', reason: '8% rejected' },
    ] } },
    freshness: { ok: true, body: { views: [
      { view: 'user_activity', age_seconds: 120, sla_seconds: 86400, status: 'OK' },
      { view: 'user_profile', age_seconds: 90000, sla_seconds: 86400, status: 'BREACHED' },
      { view: 'new_view', age_seconds: null, sla_seconds: 86400, status: 'NO_DATA' },
    ] } },
    registry: { ok: true, body: { models: [
      { name: 'churn', latestVersion: 3, aliases: { champion: 2, challenger: 3 } },
      { name: 'ltv', latestVersion: 1, aliases: { champion: null, challenger: null } },
      { name: 'fraud', latestVersion: 4, aliases: { champion: 4, challenger: null } },
      { name: 'fresh', latestVersion: null, aliases: { champion: null, challenger: null } },
    ] } },
    runs: { ok: true, body: { runs: [
      { model: 'fraud', status: 'failed', error: 'EMPTY_TRAINING_SET', createdAt: '2026-12-07T09:00:00Z' },
      { model: 'fraud', status: 'succeeded', error: null, createdAt: '2026-12-06T09:00:00Z' },
      { model: 'churn', status: 'succeeded', error: null, createdAt: '2026-12-07T08:00:00Z' },
    ] } },
    served: { ok: true, body: { models: [
      { name: 'churn', champion: 2, wanted: { champion: 2, challenger: 3 } },
      { name: 'fraud', champion: 3, wanted: { champion: 4, challenger: null } },
      { name: 'ltv', champion: null, wanted: { champion: null, challenger: null } },
      { name: 'broken', champion: 1, lastError: 'sha256 mismatch' },
      { name: 'quiet', champion: 1 },
    ] } },
    drift: {
      churn: { ok: true, body: { version: 2, features: [
        { feature: 'a:x', psi: 0.31, observations: 900, status: 'drift' },
        { feature: 'a:y', psi: 0.02, observations: 900, status: 'ok' },
      ] } },
      quiet: { ok: true, body: { version: 1, features: [{ feature: 'a:x', psi: null, observations: 12, status: 'insufficient_data' }] } },
    },
    ...patch,
  };
}

const status = (board: ReturnType<typeof overviewBoard>, area: string, name: string) => board.items.find((i) => i.area === area && i.name === name);

describe('the overview board', () => {
  it('shows each service red when it is not ready, with the reason', () => {
    const board = overviewBoard(inputs());
    expect(status(board, 'services', 'dwh-ingest')).toMatchObject({ status: 'green', link: '/warehouse' });
    expect(status(board, 'services', 'trainer')).toMatchObject({ status: 'red', summary: 'not ready: trainer is not ready', link: '/models' });
  });

  it('maps the warehouse SLA checks ok/warn/error to green/amber/red', () => {
    const board = overviewBoard(inputs());
    expect(['events freshness', 'events completeness', 'mart_orders freshness'].map((n) => status(board, 'warehouse', n)?.status)).toEqual(['green', 'amber', 'red']);
  });

  it('shows a breached feature view red and one without values amber', () => {
    const board = overviewBoard(inputs());
    expect(status(board, 'features', 'user_profile freshness')).toMatchObject({ status: 'red', summary: 'newest value 25.0 h old (SLA 24.0 h)', link: '/features/user_profile' });
    expect(status(board, 'features', 'new_view freshness')?.status).toBe('amber');
    expect(status(board, 'features', 'user_activity freshness')?.status).toBe('green');
  });

  it("judges a model by its latest run first: a failed last run is red even with a champion", () => {
    const board = overviewBoard(inputs());
    expect(status(board, 'models', 'fraud')).toMatchObject({ status: 'red', summary: 'last training run failed: EMPTY_TRAINING_SET', link: '/models/fraud' });
    expect(status(board, 'models', 'churn')).toMatchObject({ status: 'green', summary: 'champion v2, challenger v3, last run succeeded' });
    expect(status(board, 'models', 'ltv')?.status).toBe('amber');
    expect(status(board, 'models', 'fresh')).toMatchObject({ status: 'unknown', summary: 'not trained yet' });
  });

  it('shows serving red on input drift or a refused version, amber while a new champion loads', () => {
    const board = overviewBoard(inputs());
    expect(status(board, 'serving', 'churn')).toMatchObject({ status: 'red', summary: 'v2: input drift on 1 feature(s), worst PSI 0.310 (a:x)', link: '/serving/churn' });
    expect(status(board, 'serving', 'broken')).toMatchObject({ status: 'red' });
    expect(status(board, 'serving', 'fraud')).toMatchObject({ status: 'amber', summary: 'loading v4 (serving v3)' });
    expect(status(board, 'serving', 'quiet')).toMatchObject({ status: 'unknown', summary: 'v1 served; drift needs more predictions (12 seen)' });
    expect(status(board, 'serving', 'ltv')?.status).toBe('unknown');
  });

  it('says why an area cannot be read instead of leaving it out (a service down, a token without the scope)', () => {
    const board = overviewBoard(inputs({ registry: down, freshness: { ok: false, status: 403, reason: 'the token "viewer" lacks the scope features:read', code: 'FORBIDDEN' } }));
    expect(status(board, 'models', 'model registry')).toMatchObject({ status: 'unknown', summary: 'trainer: trainer: ECONNREFUSED' });
    expect(status(board, 'features', 'feature freshness')?.summary).toBe('feature-store: not permitted for this token (the token "viewer" lacks the scope features:read)');
  });

  it('counts every item once by colour', () => {
    const board = overviewBoard(inputs());
    expect(board.counts.green + board.counts.amber + board.counts.red + board.counts.unknown).toBe(board.items.length);
    expect(board.checkedAt).toBe(now.toISOString());
  });
});
