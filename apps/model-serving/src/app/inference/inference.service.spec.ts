import type { ModelArtifact } from '@mlp/contracts';
import type { Logger } from '@mlp/runtime';
import { PlatformError } from '@mlp/runtime';
import { baselineArtifact, registryEntry } from '../../testing/model-fixtures';
import { LoadedModel, type ModelArm } from '../models/loaded-model';
import type { PredictionLogWriter } from '../prediction-log/prediction-log-writer';
import { InferenceService, type ModelInputs, type PredictRequest } from './inference.service';
import { modelRows, type ModelRows } from './model-rows';
import type { PredictionObserver } from './prediction-observer';
import type { Route, VersionResolver } from './version-resolver';

/** Two raw rows of the demo features, as a protocol would have read them. */
const columns = [[3, null], [10, 1], ['pro', 'free']];
const tensorInputs: ModelInputs = { rowsFor: (artifact) => modelRows(artifact, columns, 2) };

/** The inference path around real model versions, with its collaborators recorded. */
function setUp(route: () => Route) {
  const observed: Array<{ version: number; arm: ModelArm | 'shadow'; rows: number }> = [];
  const failures: Array<{ version?: number; code: string }> = [];
  const warnings: string[] = [];
  let observe = (_model: LoadedModel, _arm: ModelArm | 'shadow', _rows: ModelRows, _out: Float32Array) => undefined as void;
  let room = true;
  const observer = {
    observe: (model: LoadedModel, arm: ModelArm | 'shadow', rows: ModelRows, out: Float32Array) => {
      observe(model, arm, rows, out);
      observed.push({ version: model.version, arm, rows: rows.rows });
    },
    failed: (_name: string, model: LoadedModel | undefined, err: unknown) => failures.push({ version: model?.version, code: (err as PlatformError).code ?? String(err) }),
  } as unknown as PredictionObserver;
  const resolver = {
    resolve: () => {
      const r = route();
      if (!r.model.acquire()) throw new Error('resolved an unloaded version');
      return r;
    },
  } as unknown as VersionResolver;
  const log = { assertRoom: () => {
    if (!room) throw new PlatformError(503, 'PREDICTION_LOG_FULL', 'full');
  } } as unknown as PredictionLogWriter;
  const logger = { warn: (_o: unknown, message: string) => warnings.push(message) } as unknown as Logger;
  const inference = new InferenceService(resolver, observer, log, logger);
  const request = (inputs: ModelInputs = tensorInputs): PredictRequest => ({ model: 'rule', target: { policy: true }, sticky: { requestId: 'r1' }, requestId: 'r1', inputs });
  return {
    inference,
    request,
    observed,
    failures,
    warnings,
    onObserve: (f: typeof observe) => (observe = f),
    logIsFull: () => (room = false),
  };
}

const load = (version: number, delayMs = 0, artifact: ModelArtifact = baselineArtifact('rule', version)) =>
  LoadedModel.load(registryEntry(artifact), { maxBatchSize: 8, maxBatchDelayMs: delayMs });

describe('InferenceService: the one inference path', () => {
  it('answers synchronously, without a promise, when nothing has to wait, and releases the version', async () => {
    const v1 = await load(1);
    const t = setUp(() => ({ model: v1, arm: 'champion' }));
    const answer = t.inference.predict(t.request());
    expect(answer).not.toBeInstanceOf(Promise);
    const p = answer as Exclude<typeof answer, Promise<unknown>>;
    expect([p.model.version, p.arm, p.rows.rows, p.outputs.length]).toEqual([1, 'champion', 2, 2]);
    expect(t.observed).toEqual([{ version: 1, arm: 'champion', rows: 2 }]);
    expect(v1.inFlightRequests).toBe(0);
  });

  it('answers through a promise, by the same path, when the batcher waits or the rows come later', async () => {
    const coalescing = await load(1, 5);
    const t = setUp(() => ({ model: coalescing, arm: 'champion' }));
    const queued = t.inference.predict(t.request());
    expect(queued).toBeInstanceOf(Promise);
    expect(coalescing.inFlightRequests).toBe(1); // held until the answer is in
    expect((await queued).outputs).toHaveLength(2);
    expect(coalescing.inFlightRequests).toBe(0);
    const direct = await load(2);
    const u = setUp(() => ({ model: direct, arm: 'pinned' }));
    const later = u.inference.predict(u.request({ rowsFor: async (a) => tensorInputs.rowsFor(a) }));
    expect(later).toBeInstanceOf(Promise);
    expect((await later).arm).toBe('pinned');
    expect(u.observed).toEqual([{ version: 2, arm: 'pinned', rows: 2 }]);
    expect(direct.inFlightRequests).toBe(0);
  });

  it('counts a failure once, against the version that handled it, and releases the version, whichever step failed', async () => {
    const v1 = await load(1);
    const t = setUp(() => ({ model: v1, arm: 'champion' }));
    const bad = { rowsFor: () => { throw new PlatformError(400, 'MISSING_INPUT', 'no'); } };
    expect(() => t.inference.predict(t.request(bad))).toThrow('no');
    await expect(t.inference.predict(t.request({ rowsFor: async () => { throw new PlatformError(502, 'BAD_PEER_REPLY', 'later'); } }))).rejects.toThrow('later');
    t.onObserve(() => {
      throw new PlatformError(500, 'NON_FINITE_PREDICTION', 'NaN');
    });
    expect(() => t.inference.predict(t.request())).toThrow('NaN');
    expect(t.failures).toEqual([
      { version: 1, code: 'MISSING_INPUT' },
      { version: 1, code: 'BAD_PEER_REPLY' },
      { version: 1, code: 'NON_FINITE_PREDICTION' },
    ]);
    expect(v1.inFlightRequests).toBe(0);
  });

  it('refuses up front what the prediction log could not take: no prediction is made', async () => {
    const v1 = await load(1);
    const t = setUp(() => ({ model: v1, arm: 'champion' }));
    t.logIsFull();
    expect(() => t.inference.predict(t.request())).toThrow('full');
    expect(t.observed).toEqual([]);
    expect(t.failures).toEqual([{ version: 1, code: 'PREDICTION_LOG_FULL' }]);
  });

  it('counts a failure before any version was chosen without one, and a refused read like any failure', () => {
    const t = setUp(() => {
      throw new PlatformError(404, 'MODEL_NOT_FOUND', 'nope');
    });
    expect(() => t.inference.predict(t.request())).toThrow('nope');
    expect(() => t.inference.read('rule', () => {
      throw new PlatformError(400, 'INVALID_INFER_REQUEST', 'inputs must be a non-empty array');
    })).toThrow('non-empty');
    expect(t.failures).toEqual([
      { version: undefined, code: 'MODEL_NOT_FOUND' },
      { version: undefined, code: 'INVALID_INFER_REQUEST' },
    ]);
  });

  it('scores the challenger in shadow mode on the same inputs; its failures never reach the caller', async () => {
    const champion = await load(1);
    const challenger = await load(2, 0, baselineArtifact('rule', 2, 5));
    const t = setUp(() => ({ model: champion, arm: 'champion', shadow: challenger }));
    const p = t.inference.predict(t.request());
    expect(p).not.toBeInstanceOf(Promise);
    expect(t.observed).toEqual([
      { version: 1, arm: 'champion', rows: 2 },
      { version: 2, arm: 'shadow', rows: 2 },
    ]);
    const onlyChampion: ModelInputs = { rowsFor: (a) => (a === challenger.artifact ? Promise.reject(new Error('feature store down')) : tensorInputs.rowsFor(a)) };
    expect((t.inference.predict(t.request(onlyChampion)) as { arm: string }).arm).toBe('champion');
    await new Promise((r) => setImmediate(r));
    expect(t.warnings).toEqual(['shadow scoring failed (the caller was not affected)']);
    expect(t.failures).toEqual([]);
    expect([champion.inFlightRequests, challenger.inFlightRequests]).toEqual([0, 0]);
  });
});
