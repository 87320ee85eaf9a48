import { IngestPredictionLogLinesMessage, IngestPredictionLogMessage, type PredictionLogRecord } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database, PeerClients } from '@mlp/service-kit';
import { startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';

describe('prediction log over the real transport and PostgreSQL', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
  });
  afterAll(() => svc.close());

  const record = (id: string, over: Partial<PredictionLogRecord> = {}): PredictionLogRecord => ({
    predictionId: id,
    requestId: 'req-"1"',
    model: 'churn',
    version: 3,
    arm: 'challenger',
    inputs: { 'features[0]': 0.5, plan: 'pro', gap: null },
    output: 0.75,
    latencyMs: 0.02,
    predictedAt: '2026-12-06T10:00:00.000Z',
    ...over,
  });
  const client = () => svc.app.get(PeerClients).get('dwh-ingest');
  const stored = (ids: string[]) =>
    svc.app
      .get(Database)
      .query(
        `SELECT prediction_id, request_id, model, version, arm, entity, user_id, inputs, output, latency_ms, predicted_at FROM "dwh".prediction_log WHERE prediction_id = ANY($1) ORDER BY prediction_id`,
        [ids],
      );

  it('stores v2 lines exactly as v1 stores the same records, once per predictionId', async () => {
    const v1 = [record('v1-a', { entity: { user_id: 'u7' } }), record('v1-b')];
    const v2 = [record('v2-a', { entity: { user_id: 'u7' } }), record('v2-b')];
    expect(await client().send(IngestPredictionLogMessage, { records: v1 })).toEqual({ accepted: 2, duplicates: 0 });
    expect(await client().send(IngestPredictionLogLinesMessage, { lines: v2.map((r) => JSON.stringify(r)) })).toEqual({ accepted: 2, duplicates: 0 });
    // A resend after a lost reply stores nothing twice.
    expect(await client().send(IngestPredictionLogLinesMessage, { lines: v2.map((r) => JSON.stringify(r)) })).toEqual({ accepted: 0, duplicates: 2 });
    const rows = (ids: string[]) => stored(ids).then((r) => r.map(({ prediction_id: _, ...rest }: Record<string, unknown>) => rest));
    expect(await rows(['v2-a', 'v2-b'])).toEqual(await rows(['v1-a', 'v1-b']));
    expect((await stored(['v2-a']))[0]).toMatchObject({ user_id: 'u7', arm: 'challenger', version: 3, inputs: { 'features[0]': 0.5, plan: 'pro', gap: null } });
  });

  it('refuses a batch with a bad line whole, naming the line, and stores none of it', async () => {
    const lines = [JSON.stringify(record('bad-1')), JSON.stringify({ ...record('bad-2'), output: 'high' }), 'not json'];
    const err = await client()
      .send(IngestPredictionLogLinesMessage, { lines })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ status: 400, code: 'INVALID_PREDICTION_LOG' });
    expect((err as PlatformError).details.map((d) => (d as { path: string }).path)).toEqual(['$.lines[1].output', '$.lines[2]']);
    expect(await stored(['bad-1', 'bad-2'])).toEqual([]);
  });
});
