import {
  IngestPredictionLogLinesMessage,
  IngestPredictionLogMessage,
  type PredictionLogRecord,
  type PredictionLogReplayResult,
  type RejectedPredictionLogPage,
} from '@mlp/contracts';
import { Database, PeerClients } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { applyTrackingPlan } from '../test-support';

describe('prediction log over the real transport and PostgreSQL', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0' } });
    await applyTrackingPlan(svc);
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
        `SELECT prediction_id, request_id, model, version, arm, entity, inputs, output, latency_ms, predicted_at FROM "dwh".prediction_log WHERE prediction_id = ANY($1) ORDER BY prediction_id`,
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
    expect((await stored(['v2-a']))[0]).toMatchObject({ entity: { user_id: 'u7' }, arm: 'challenger', version: 3, inputs: { 'features[0]': 0.5, plan: 'pro', gap: null } });
  });

  it('stores the valid lines of a batch with bad ones, and sets each bad line aside alone with its reasons, once', async () => {
    const lines = [
      JSON.stringify(record('mix-1')),
      JSON.stringify({ ...record('mix-2'), output: 'high' }),
      'not json',
      JSON.stringify({ ...record('mix-4'), requestId: 'r\u0000' }),
      JSON.stringify({ ...record('mix-5'), inputs: { plan: '\ud800' } }),
      JSON.stringify(record('mix-6')),
    ];
    const reply = await client().send(IngestPredictionLogLinesMessage, { lines });
    expect(reply).toMatchObject({ accepted: 2, duplicates: 0, rejected: 4 });
    expect(reply.rejections?.map((r) => `${r.line} ${r.violations.map((v) => `${v.path} ${v.code}`).join(',')}`)).toEqual([
      '1 $.output DATATYPE_MISMATCH',
      '2 $ SCHEMA_VIOLATION',
      '3 $.requestId INVALID_CHARACTER',
      '4 $.inputs.plan INVALID_CHARACTER',
    ]);
    expect((await stored(['mix-1', 'mix-2', 'mix-4', 'mix-5', 'mix-6'])).map((r: Record<string, unknown>) => r['prediction_id'])).toEqual(['mix-1', 'mix-6']);

    // A resend after a lost reply stores nothing twice and sets nothing aside twice.
    const again = await client().send(IngestPredictionLogLinesMessage, { lines });
    expect(again).toMatchObject({ accepted: 0, duplicates: 2, rejected: 4 });
    expect(again.rejections?.map((r) => r.id)).toEqual(reply.rejections?.map((r) => r.id));

    const page = await callService<RejectedPredictionLogPage>(svc, 'GET', '/v1/prediction-log/rejected?status=pending');
    expect(page.status).toBe(200);
    const kept = page.json.items.filter((i) => reply.rejections?.some((r) => r.id === i.id));
    expect(kept.map((i) => i.codes[0]).sort()).toEqual(['DATATYPE_MISMATCH', 'INVALID_CHARACTER', 'INVALID_CHARACTER', 'SCHEMA_VIOLATION']);
    expect(kept.find((i) => i.codes[0] === 'SCHEMA_VIOLATION')?.line).toBe('not json');

    // Replayed against the same contract, they are still invalid and stay pending.
    const replay = await callService<PredictionLogReplayResult>(svc, 'POST', '/v1/prediction-log/rejected/replay', { ids: reply.rejections?.map((r) => r.id) });
    expect(replay.json).toMatchObject({ replayed: 4, accepted: 0, stillInvalid: 4 });
  });

  it('replays a set-aside line that is valid now, once', async () => {
    const line = JSON.stringify(record('late-1'));
    // Set aside by hand, as a line refused by an older, stricter contract would have been.
    const [row] = await svc.app
      .get(Database)
      .query(`INSERT INTO "dwh".prediction_log_rejected (line, line_sha256, violations, codes) VALUES ($1, md5($1), '[]', '{}') RETURNING id::text`, [line]);
    const first = await callService<PredictionLogReplayResult>(svc, 'POST', '/v1/prediction-log/rejected/replay', { ids: [row.id] });
    expect(first.json).toMatchObject({ replayed: 1, accepted: 1, results: [{ id: row.id, status: 'accepted' }] });
    const second = await callService<PredictionLogReplayResult>(svc, 'POST', '/v1/prediction-log/rejected/replay', { ids: [row.id] });
    expect(second.json).toMatchObject({ replayed: 0, accepted: 0 });
    expect(await stored(['late-1'])).toHaveLength(1);
  });

  it('sets aside a v1 record whose text cannot be stored and stores the others', async () => {
    const reply = await client().send(IngestPredictionLogMessage, { records: [record('v1-ok'), record('v1-nul', { model: 'm\u0000' })] });
    expect(reply).toEqual({ accepted: 1, duplicates: 0 });
    expect((await stored(['v1-ok', 'v1-nul'])).map((r: Record<string, unknown>) => r['prediction_id'])).toEqual(['v1-ok']);
  });
});
