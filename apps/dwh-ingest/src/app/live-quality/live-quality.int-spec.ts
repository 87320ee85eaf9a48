import { IngestPredictionLogMessage, LiveQualityMessage, type LiveQualityGroup, type PredictionLogRecord } from '@mlp/contracts';
import { PeerClients } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyShopFixture, trackMessage } from '../test-support';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('live quality from the prediction mart on a real PostgreSQL', () => {
  let svc: TestService;
  const now = Date.now();
  const at = (ms: number) => new Date(now - ms).toISOString();
  const ask = (req: { model: string; windowHours: number; version?: number; bins?: number }) =>
    svc.app.get(PeerClients).get('dwh-ingest').send(LiveQualityMessage, req);

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    // mart_predictions as the shop DAG builds it (until outcomes replace it).
    await applyShopFixture(svc);
    let n = 0;
    const prediction = (over: Partial<PredictionLogRecord>): PredictionLogRecord => ({
      predictionId: `lq-${++n}`,
      requestId: `r-${n}`,
      model: 'churn',
      version: 1,
      arm: 'champion',
      inputs: { x: n },
      output: 0.5,
      latencyMs: 1,
      predictedAt: at(10 * DAY),
      ...over,
    });
    const user = (id: string) => ({ user_id: id });
    const records = [
      // Champion v1, labelled (10 days old): a, c, e order within 7 days, b, d, f do not.
      prediction({ entity: user('a'), output: 0.85 }),
      prediction({ entity: user('b'), output: 0.75 }),
      prediction({ entity: user('c'), output: 0.65 }),
      prediction({ entity: user('d'), output: 0.35 }),
      prediction({ entity: user('e'), output: 0.35 }),
      prediction({ entity: user('f'), output: 0.15 }),
      // In the window but not labelled: too recent, or no entity to join an order to.
      prediction({ entity: user('a'), output: 0.9, predictedAt: at(DAY) }),
      prediction({ output: 0.2 }),
      // Outside a 30-day window.
      prediction({ entity: user('a'), output: 0.05, predictedAt: at(40 * DAY) }),
      // Challenger v2: g orders, h does not.
      prediction({ version: 2, arm: 'challenger', entity: user('g'), output: 0.6 }),
      prediction({ version: 2, arm: 'challenger', entity: user('h'), output: 0.4 }),
      // Another model never mixes in.
      prediction({ model: 'other', entity: user('b'), output: 0.99 }),
    ];
    expect(await svc.app.get(PeerClients).get('dwh-ingest').send(IngestPredictionLogMessage, { records })).toEqual({ accepted: records.length, duplicates: 0 });
    const order = (userId: string, id: string, ago: number) =>
      trackMessage({ userId, event: 'order_completed', timestamp: at(ago), properties: { order_id: id, revenue: 10, items: 1 } });
    const batch = [
      order('a', 'o-a', 8 * DAY),
      order('c', 'o-c', 9 * DAY),
      order('e', 'o-e', 3 * DAY + HOUR), // within 7 days of the prediction (10 days ago)
      order('g', 'o-g', 5 * DAY),
      order('b', 'o-b', 2 * DAY), // 8 days after b's prediction: too late to count
      order('d', 'o-d', 11 * DAY), // before d's prediction: does not count
    ];
    expect((await callService(svc, 'POST', '/v1/batch', { batch })).json['accepted']).toBe(batch.length);
    const built = await callService(svc, 'POST', '/v1/transformations/run', {});
    expect(built.status).toBe(200);
  });
  afterAll(() => svc.close());

  it('computes count, positive rate, AUC, log loss, Brier and calibration per version and arm, as by hand', async () => {
    const report = await ask({ model: 'churn', windowHours: 30 * 24, bins: 5 });
    expect(report.label).toBe('ordered_within_7d');
    expect(Date.parse(report.windowEnd) - Date.parse(report.windowStart)).toBe(30 * DAY);
    expect(report.martUpdatedAt).not.toBeNull();
    expect(report.groups.map((g) => [g.version, g.arm])).toEqual([
      [1, 'champion'],
      [2, 'challenger'],
    ]);
    const [champion, challenger] = report.groups as [LiveQualityGroup, LiveQualityGroup];

    expect(champion).toMatchObject({ predictions: 8, labelled: 6, positives: 3, positiveRate: 0.5 });
    // Positive/negative pairs ranked right: a beats b, d, f (3); c beats d, f (2); e ties d (0.5), beats f (1): 6.5 of 9.
    expect(champion.auc).toBeCloseTo(6.5 / 9, 12);
    const scores: Array<[number, 0 | 1]> = [[0.85, 1], [0.75, 0], [0.65, 1], [0.35, 0], [0.35, 1], [0.15, 0]];
    const logLoss = -scores.reduce((s, [p, y]) => s + (y ? Math.log(p) : Math.log(1 - p)), 0) / 6;
    expect(champion.logLoss).toBeCloseTo(logLoss, 12);
    expect(champion.brier).toBeCloseTo((0.15 ** 2 + 0.75 ** 2 + 0.35 ** 2 + 0.35 ** 2 + 0.65 ** 2 + 0.15 ** 2) / 6, 12);
    expect(champion.calibration.map((b) => ({ ...b, meanPredicted: Number(b.meanPredicted.toFixed(10)) }))).toEqual([
      { bin: 1, lower: 0, upper: 0.2, count: 1, meanPredicted: 0.15, observedRate: 0 },
      { bin: 2, lower: 0.2, upper: 0.4, count: 2, meanPredicted: 0.35, observedRate: 0.5 },
      { bin: 4, lower: 0.6, upper: 0.8, count: 2, meanPredicted: 0.7, observedRate: 0.5 },
      { bin: 5, lower: 0.8, upper: 1, count: 1, meanPredicted: 0.85, observedRate: 1 },
    ]);

    expect(challenger).toMatchObject({ predictions: 2, labelled: 2, positives: 1, positiveRate: 0.5, auc: 1 });
    expect(challenger.brier).toBeCloseTo((0.4 ** 2 + 0.4 ** 2) / 2, 12);
  });

  it('filters by version, and answers a window without labelled predictions with nulls rather than zeros', async () => {
    const v2 = await ask({ model: 'churn', windowHours: 30 * 24, version: 2 });
    expect(v2.groups.map((g) => g.version)).toEqual([2]);
    expect(v2.bins).toBe(10);

    // The last 2 days hold only the unlabelled, recent prediction.
    const recent = await ask({ model: 'churn', windowHours: 48 });
    expect(recent.groups).toEqual([
      { version: 1, arm: 'champion', predictions: 1, labelled: 0, positives: 0, positiveRate: null, auc: null, logLoss: null, brier: null, calibration: [] },
    ]);
    expect(await ask({ model: 'unknown', windowHours: 1 })).toMatchObject({ model: 'unknown', groups: [] });
  });
});
