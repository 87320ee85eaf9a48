import { IngestPredictionLogMessage, LiveQualityMessage, type LiveQualityGroup, type LiveQualityReport, type OutcomeRefreshResult, type PredictionLogRecord } from '@mlp/contracts';
import { Database, PeerClients } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { storeProjectObjects } from '../test-support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HORIZON = 2 * DAY;

/** A small seeded PRNG (mulberry32): the same data on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Brute force: positive/negative pairs ranked right (ties count one half) over all pairs. */
function pairsAuc(scored: Array<{ p: number; y: number }>): number | null {
  const pos = scored.filter((s) => s.y === 1);
  const neg = scored.filter((s) => s.y === 0);
  if (!pos.length || !neg.length) return null;
  let right = 0;
  for (const a of pos) for (const b of neg) right += a.p > b.p ? 1 : a.p === b.p ? 0.5 : 0;
  return right / (pos.length * neg.length);
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const clip = (p: number) => Math.min(Math.max(p, 1e-15), 1 - 1e-15);

interface Expected {
  label: number | null;
  labelledAt: number | null;
}

describe('live predictions labelled by their models\' outcomes, on a real PostgreSQL', () => {
  let svc: TestService;
  let db: Database;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const send = (records: PredictionLogRecord[]) => svc.app.get(PeerClients).get('dwh-ingest').send(IngestPredictionLogMessage, { records });
  const refresh = async (body: unknown = {}) => {
    const res = await callService(svc, 'POST', '/v1/outcomes/refresh', body);
    expect(res.status).toBe(200);
    return res.json as unknown as OutcomeRefreshResult;
  };
  const quality = async (model: string, query = 'window_hours=720') => {
    const res = await callService(svc, 'GET', `/v1/models/${model}/live-quality?${query}`);
    expect(res.status).toBe(200);
    return res.json as unknown as LiveQualityReport;
  };
  const labels = async (model: string) =>
    new Map(
      (
        await db.query<{ prediction_id: string; label: number | null; label_available: boolean; labelled_at: Date | null }>(
          `SELECT prediction_id, label, label_available, labelled_at FROM "dwh".prediction_outcomes WHERE model = $1`,
          [model],
        )
      ).map((r) => [r.prediction_id, r]),
    );

  // The time-based outcome: a colour counts as picked (1) when a pick lands within 2 days after the prediction, else 0.
  const rand = prng(17);
  const picks: Array<{ colour_id: string; picked_at: number; picked: boolean }> = [];
  const colourPredictions: PredictionLogRecord[] = [];

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0', OUTCOMES_REFRESH_SECONDS: '0' } });
    db = svc.app.get(Database);
    await db.query(`CREATE TABLE "dwh".test_colour_picks (colour_id text, shop int, picked_at timestamptz, picked boolean)`);
    await db.query(`CREATE TABLE "dwh".test_grades (item_id int, grade numeric)`);
    await db.query(`CREATE SEQUENCE "dwh".test_seq`);
    await db.query(`CREATE FUNCTION "dwh".test_bump() RETURNS bigint LANGUAGE sql VOLATILE AS $$ SELECT nextval('dwh.test_seq') $$`);
    await storeProjectObjects(db, 'paint-shop', [
      {
        kind: 'outcome',
        name: 'colour_pick',
        definition: {
          model: 'colour_pick',
          sql: 'SELECT colour_id, picked_at, picked FROM dwh.test_colour_picks -- picks of any shop',
          keys: ['colour_id'],
          label_column: 'picked',
          timestamp_column: 'picked_at',
          horizon: '2d',
          default: 0,
        },
      },
      // Static: an item's grade is the sum of its graders' marks, known as soon as one is in.
      { kind: 'outcome', name: 'grader', definition: { model: 'grader', sql: 'SELECT item_id, grade FROM dwh.test_grades', keys: ['item_id'], label_column: 'grade', aggregate: 'sum' } },
      { kind: 'outcome', name: 'missing_mart', definition: { model: 'missing_mart', sql: 'SELECT id, y FROM dwh.no_such_mart', keys: ['id'], label_column: 'y' } },
      // One SELECT calling a function the SQL check cannot see into (unqualified, not a built-in it knows); the READ ONLY transaction stops it.
      { kind: 'outcome', name: 'sneaky', definition: { model: 'sneaky', sql: "SELECT 'a' AS id, test_bump() AS y", keys: ['id'], label_column: 'y' } },
      { kind: 'outcome', name: 'deleter', definition: { model: 'deleter', sql: 'WITH d AS (DELETE FROM dwh.prediction_log RETURNING prediction_id AS id) SELECT id, 1 AS y FROM d', keys: ['id'], label_column: 'y' } },
    ]);

    // 20 colours; picks spread over the last 12 days, some colours never picked.
    for (let c = 0; c < 20; c++) {
      const n = c % 5 === 0 ? 0 : 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) picks.push({ colour_id: `c-${c}`, picked_at: now - Math.floor(rand() * 12 * DAY), picked: rand() < 0.8 });
    }
    // Predictions from 10 days to 1 hour ago, none within an hour of the horizon's edge; scores with ties.
    for (let i = 0; i < 80; i++) {
      let at = now - HOUR - Math.floor(rand() * 10 * DAY);
      if (Math.abs(now - HORIZON - at) < HOUR) at -= 2 * HOUR;
      const arm = i % 4 === 0 ? 'challenger' : 'champion';
      const colour = Math.floor(rand() * 20);
      colourPredictions.push({
        predictionId: `cp-${i}`,
        requestId: `r-${i}`,
        model: 'colour_pick',
        version: arm === 'champion' ? 1 : 2,
        arm,
        // Every 9th prediction came without its entity: it can never be labelled.
        ...(i % 9 === 0 ? {} : { entity: { colour_id: `c-${colour}` } }),
        inputs: { x: i },
        output: Math.round(rand() * 10) / 10,
        latencyMs: 1,
        predictedAt: iso(at),
      });
    }
    await db.query(
      `INSERT INTO "dwh".test_colour_picks (colour_id, shop, picked_at, picked) SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::boolean[])`,
      [picks.map((p) => p.colour_id), picks.map(() => 1), picks.map((p) => iso(p.picked_at)), picks.map((p) => p.picked)],
    );
    expect(await send(colourPredictions)).toEqual({ accepted: colourPredictions.length, duplicates: 0 });
  });
  afterAll(() => svc.close());

  /** The label of a time-based prediction, by hand: max(picked) of the picks in (at, at + 2d], else 0, once 2 days passed. */
  const expectedColour = (p: PredictionLogRecord): Expected => {
    const at = Date.parse(p.predictedAt);
    if (!p.entity || at + HORIZON > now) return { label: null, labelledAt: null };
    const inHorizon = picks.filter((k) => k.colour_id === p.entity?.['colour_id'] && k.picked_at > at && k.picked_at <= at + HORIZON);
    return { label: inHorizon.length ? Math.max(...inHorizon.map((k) => (k.picked ? 1 : 0))) : 0, labelledAt: at + HORIZON };
  };

  it('labels each prediction from the outcome rows within its horizon, with the default when none, only once the horizon is over', async () => {
    const result = await refresh({ models: ['colour_pick'] });
    const expected = new Map(colourPredictions.map((p) => [p.predictionId, expectedColour(p)]));
    const labelled = [...expected.values()].filter((e) => e.label !== null).length;
    expect(result.models).toEqual([{ model: 'colour_pick', status: 'refreshed', mode: 'full', predictions: 80, labelled, changed: 80, durationMs: expect.any(Number) }]);
    // The data must exercise every case, or the test proves little.
    const values = [...expected.values()];
    expect(values.filter((e) => e.label === 1).length).toBeGreaterThan(5);
    expect(values.filter((e) => e.label === 0).length).toBeGreaterThan(5);
    expect(colourPredictions.filter((p) => p.entity && expectedColour(p).label === 0 && !picks.some((k) => k.colour_id === p.entity?.['colour_id'] && k.picked_at > Date.parse(p.predictedAt) && k.picked_at <= Date.parse(p.predictedAt) + HORIZON)).length).toBeGreaterThan(2);
    expect(values.filter((e) => e.label === null).length).toBeGreaterThan(5);

    const stored = await labels('colour_pick');
    expect(stored.size).toBe(80);
    for (const p of colourPredictions) {
      const row = stored.get(p.predictionId);
      const e = expected.get(p.predictionId) as Expected;
      expect([p.predictionId, row?.label, row?.label_available, row?.labelled_at?.getTime() ?? null]).toEqual([p.predictionId, e.label, e.label !== null, e.labelledAt]);
    }
    // A second refresh with nothing new changes nothing.
    expect((await refresh({ models: ['colour_pick'] })).models[0]).toMatchObject({ status: 'refreshed', mode: 'incremental', changed: 0 });
  });

  it('refreshes incrementally: a late outcome relabels a recent prediction, a settled one only on a full refresh', async () => {
    // Unpicked, labelled 0: one settled (its horizon ended more than the 72 h lookback ago), one not.
    const zero = (p: PredictionLogRecord) => p.entity && expectedColour(p).label === 0;
    const settled = colourPredictions.find((p) => zero(p) && Date.parse(p.predictedAt) < now - HORIZON - 72 * HOUR - HOUR) as PredictionLogRecord;
    const recent = colourPredictions.find((p) => zero(p) && Date.parse(p.predictedAt) > now - HORIZON - 72 * HOUR + HOUR && p.entity?.['colour_id'] !== settled.entity?.['colour_id']) as PredictionLogRecord;
    expect([settled, recent].every(Boolean)).toBe(true);
    const late = [settled, recent].map((p) => ({ colour_id: String(p.entity?.['colour_id']), picked_at: Date.parse(p.predictedAt) + HOUR, picked: true }));
    for (const k of late) await db.query(`INSERT INTO "dwh".test_colour_picks VALUES ($1, 1, $2, true)`, [k.colour_id, iso(k.picked_at)]);
    picks.push(...late);

    const incremental = await refresh({ models: ['colour_pick'] });
    expect(incremental.models[0]).toMatchObject({ mode: 'incremental' });
    let stored = await labels('colour_pick');
    expect([stored.get(recent.predictionId)?.label, stored.get(settled.predictionId)?.label]).toEqual([1, 0]);

    const full = await refresh({ models: ['colour_pick'], full: true });
    expect(full.models[0]).toMatchObject({ mode: 'full' });
    stored = await labels('colour_pick');
    for (const p of colourPredictions) expect([p.predictionId, stored.get(p.predictionId)?.label]).toEqual([p.predictionId, expectedColour(p).label]);
    expect(stored.get(settled.predictionId)?.label).toBe(1);
  });

  it('computes AUC, log loss, Brier and calibration of each version and arm as a brute-force count does', async () => {
    const report = await quality('colour_pick', 'window_hours=720&bins=4');
    expect(report).toMatchObject({ model: 'colour_pick', label: 'picked', labelKind: 'binary', bins: 4 });
    expect(report.outcome).toEqual({ project: 'paint-shop', keys: ['colour_id'], labelColumn: 'picked', timestampColumn: 'picked_at', horizon: '2d', aggregate: 'max', default: 0 });
    expect(report.martUpdatedAt).not.toBeNull();
    expect(report.groups.map((g) => [g.version, g.arm])).toEqual([
      [1, 'champion'],
      [2, 'challenger'],
    ]);
    for (const g of report.groups as LiveQualityGroup[]) {
      const mine = colourPredictions.filter((p) => p.version === g.version);
      const scored = mine.map((p) => ({ p: p.output, y: expectedColour(p).label })).filter((s): s is { p: number; y: number } => s.y !== null);
      expect([g.predictions, g.labelled, g.positives]).toEqual([mine.length, scored.length, scored.filter((s) => s.y === 1).length]);
      expect(g.auc).toBeCloseTo(pairsAuc(scored) as number, 12);
      expect(g.logLoss).toBeCloseTo(mean(scored.map((s) => -(s.y * Math.log(clip(s.p)) + (1 - s.y) * Math.log(1 - clip(s.p))))), 12);
      expect(g.brier).toBeCloseTo(mean(scored.map((s) => (s.p - s.y) ** 2)), 12);
      expect(g.rmse).toBeCloseTo(Math.sqrt(mean(scored.map((s) => (s.p - s.y) ** 2))), 12);
      expect(g.mae).toBeCloseTo(mean(scored.map((s) => Math.abs(s.p - s.y))), 12);
      const bins = [0, 1, 2, 3].map((b) => scored.filter((s) => Math.min(Math.floor(s.p * 4), 3) === b)).map((members, b) => ({ b, members })).filter((x) => x.members.length);
      expect(g.calibration.map((c) => [c.bin, c.count, Number(c.meanPredicted.toFixed(9)), c.observedRate])).toEqual(
        bins.map(({ b, members }) => [b + 1, members.length, Number(mean(members.map((m) => m.p)).toFixed(9)), mean(members.map((m) => m.y))]),
      );
    }
    // The transport answers the same figures (model-serving asks there).
    const viaTransport = await svc.app.get(PeerClients).get('dwh-ingest').send(LiveQualityMessage, { model: 'colour_pick', windowHours: 720, bins: 4 });
    expect(viaTransport.groups).toEqual(report.groups);
  });

  it('labels a static outcome as soon as its row exists, sums numeric labels, and scores them by RMSE and MAE', async () => {
    const item = (i: number, output: number, entity?: Record<string, string | number>): PredictionLogRecord => ({
      predictionId: `g-${i}`,
      requestId: `rg-${i}`,
      model: 'grader',
      version: 3,
      arm: 'champion',
      ...(entity ? { entity } : {}),
      inputs: {},
      output,
      latencyMs: 1,
      predictedAt: iso(now - (i + 1) * HOUR),
    });
    await send([item(1, 4.5, { item_id: 1 }), item(2, 3, { item_id: '2' }), item(3, 1, { item_id: 3 }), item(4, 2, { other: 4 }), item(5, 2)]);
    await db.query(`INSERT INTO "dwh".test_grades VALUES (1, 2), (1, 3), (2, 4), (4, 1)`);
    const first = await refresh({ models: ['grader'] });
    expect(first.models[0]).toMatchObject({ model: 'grader', status: 'refreshed', predictions: 5, labelled: 2 });
    let stored = await labels('grader');
    // item 1: 2 + 3; item 2 (entity text '2' meets the integer 2); 3: no grade yet; 4 and 5: no item_id in the entity.
    expect([1, 2, 3, 4, 5].map((i) => stored.get(`g-${i}`)?.label ?? null)).toEqual([5, 4, null, null, null]);
    const firstLabelledAt = stored.get('g-1')?.labelled_at?.getTime();
    expect(firstLabelledAt).toBeGreaterThan(now - 60_000);

    await db.query(`INSERT INTO "dwh".test_grades VALUES (3, 2.5)`);
    await refresh({ models: ['grader'] });
    stored = await labels('grader');
    expect(stored.get('g-3')?.label).toBe(2.5);
    expect(stored.get('g-1')?.labelled_at?.getTime()).toBe(firstLabelledAt); // first seen, kept

    const report = await quality('grader');
    expect(report.labelKind).toBe('numeric');
    const scored = [
      [4.5, 5],
      [3, 4],
      [1, 2.5],
    ];
    expect(report.groups).toEqual([
      {
        version: 3,
        arm: 'champion',
        predictions: 5,
        labelled: 3,
        positives: 0,
        positiveRate: null,
        auc: null,
        logLoss: null,
        brier: null,
        calibration: [],
        rmse: expect.any(Number),
        mae: expect.any(Number),
        meanLabel: expect.any(Number),
      },
    ]);
    const [g] = report.groups as [LiveQualityGroup];
    expect(g.rmse).toBeCloseTo(Math.sqrt(mean(scored.map(([p, y]) => (p - y) ** 2))), 12);
    expect(g.mae).toBeCloseTo(mean(scored.map(([p, y]) => Math.abs(p - y))), 12);
    expect(g.meanLabel).toBeCloseTo(11.5 / 3, 12);
  });

  it('fails an outcome alone when its SQL does not run, writes, or is not a plain SELECT, and says why', async () => {
    // Predictions for the failing outcomes, so their SQL has something to label.
    const one = (model: string): PredictionLogRecord => ({ predictionId: `${model}-1`, requestId: 'r', model, version: 1, arm: 'champion', entity: { id: 'a' }, inputs: {}, output: 0.5, latencyMs: 1, predictedAt: iso(now - HOUR) });
    await send(['missing_mart', 'sneaky', 'deleter'].map(one));
    const before = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "dwh".prediction_log`);
    const result = await refresh();
    const byModel = new Map(result.models.map((m) => [m.model, m]));
    expect([...byModel.keys()].sort()).toEqual(['colour_pick', 'deleter', 'grader', 'missing_mart', 'sneaky']);
    expect(byModel.get('colour_pick')?.status).toBe('refreshed');
    expect(byModel.get('grader')?.status).toBe('refreshed');
    expect(byModel.get('missing_mart')).toMatchObject({ status: 'failed', error: expect.stringMatching(/relation "dwh.no_such_mart" does not exist/) });
    expect(byModel.get('sneaky')).toMatchObject({ status: 'failed', error: expect.stringMatching(/read-only transaction/) });
    expect(byModel.get('deleter')).toMatchObject({ status: 'failed', error: expect.stringMatching(/data-modifying statements \(also inside WITH\) are not allowed \(SQL_NOT_SELECT\)/) });
    expect(await db.query(`SELECT count(*) AS n FROM "dwh".prediction_log`)).toEqual(before);
    expect(await db.query(`SELECT last_value, is_called FROM "dwh".test_seq`)).toEqual([{ last_value: '1', is_called: false }]);

    const metrics = (await callService(svc, 'GET', '/metrics')).json['text'] as string;
    expect(metrics).toMatch(/^dwh_outcome_refresh_failed\{model="missing_mart"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^dwh_outcome_refresh_failed\{model="colour_pick"[^}]*\} 0$/m);
    expect(metrics).toMatch(/^dwh_outcome_labelled_predictions\{model="grader"[^}]*\} 3$/m);

    const listed = await callService(svc, 'GET', '/v1/outcomes');
    expect(listed.status).toBe(200);
    const outcomes = listed.json['outcomes'] as Array<Record<string, unknown>>;
    expect(outcomes.find((o) => o['model'] === 'missing_mart')).toMatchObject({ project: 'paint-shop', status: 'failed', refreshedAt: null, error: expect.stringMatching(/no_such_mart/) });
    expect(outcomes.find((o) => o['model'] === 'colour_pick')).toMatchObject({ status: 'refreshed', predictions: 80, horizon: '2d', default: 0, aggregate: 'max' });
  });

  it('answers 404 NO_OUTCOME for a model without an outcome, over HTTP and the transport, and forgets labels of a pruned outcome', async () => {
    for (const model of ['unlabelled', 'Colour_Pick', 'x'.repeat(90)]) {
      const none = await callService(svc, 'GET', `/v1/models/${model}/live-quality`);
      expect([model, none.status, none.json['code']]).toEqual([model, 404, 'NO_OUTCOME']);
    }
    for (const model of ['unlabelled', 'a\u0000b']) {
      await expect(svc.app.get(PeerClients).get('dwh-ingest').send(LiveQualityMessage, { model, windowHours: 24 })).rejects.toMatchObject({ status: 404, code: 'NO_OUTCOME' });
    }
    const unknownRefresh = await callService(svc, 'POST', '/v1/outcomes/refresh', { models: ['unlabelled'] });
    expect([unknownRefresh.status, unknownRefresh.json['code']]).toEqual([404, 'NO_OUTCOME']);
    const bad = await callService(svc, 'GET', '/v1/models/colour_pick/live-quality?window_hours=0');
    expect([bad.status, bad.json['code']]).toEqual([400, 'INVALID_WINDOW']);

    await db.query(`DELETE FROM "dwh".project_objects WHERE kind = 'outcome' AND name = 'grader'`);
    await refresh();
    expect((await labels('grader')).size).toBe(0);
    expect((await callService(svc, 'GET', '/v1/models/grader/live-quality')).json['code']).toBe('NO_OUTCOME');
    expect((await labels('colour_pick')).size).toBe(80);

    // A prediction removed from the log by hand leaves the labels with the next full refresh.
    await db.query(`DELETE FROM "dwh".prediction_log WHERE prediction_id = 'cp-1'`);
    await refresh({ models: ['colour_pick'] });
    expect((await labels('colour_pick')).has('cp-1')).toBe(true);
    await refresh({ models: ['colour_pick'], full: true });
    expect((await labels('colour_pick')).has('cp-1')).toBe(false);
  });
});
