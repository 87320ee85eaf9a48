import type { BaselineHistogram } from '@mlp/contracts';
import { createLogger } from '@mlp/runtime';
import type { PlatformConfig } from '@mlp/service-kit';
import { createTestDatabase, type TestDatabase } from '@mlp/service-kit/testing';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { baselineArtifact, registryEntry } from '../../testing/model-fixtures';
import { migrateServingSchema, poolDatabase, testPool } from '../../testing/serving-database';
import { LoadedModel } from '../models/loaded-model';
import type { ModelStore } from '../models/model-store';
import { DriftBaselines } from './drift-baselines';

// Baselines against a real PostgreSQL (explicit ones survive a restart) and a real HTTP server
// playing the feature store's statistics endpoint; the model store is a stand-in that announces loads.
const log = createLogger('drift-baselines-test', 'silent');
const plan: BaselineHistogram = { feature: 'user_profile:plan', kind: 'categorical', proportions: { free: 0.5, plus: 0.3, pro: 0.2, __other__: 0 } };
const statsBase = { type: 'numeric', count: 1000, null_count: 0, null_rate: 0, mean: null, std: null, min: null, max: null, quantiles: null };

describe('drift baselines', () => {
  let db: TestDatabase;
  let pool: Pool;
  let server: http.Server;
  let url: string;
  const requests: Array<{ url: string; authorization?: string }> = [];
  /** Path -> JSON answer of the statistics server (absent: 404). */
  const answers = new Map<string, unknown>();
  let model: LoadedModel;

  const start = () => {
    const loaded: Array<(m: LoadedModel) => void> = [];
    const store = { onLoaded: (l: (m: LoadedModel) => void) => loaded.push(l) } as unknown as ModelStore;
    const config = { env: { FEATURE_STORE_URL: `${url}/`, FEATURE_STORE_TOKEN: 'fs-token' } } as unknown as PlatformConfig;
    const baselines = new DriftBaselines(store, poolDatabase(pool), config, log);
    const changes: string[] = [];
    baselines.onChange((m, v) => changes.push(`${m}@${v}`));
    return { baselines, changes, load: (m: LoadedModel) => loaded.forEach((l) => l(m)) };
  };
  const sources = (b: DriftBaselines, m: LoadedModel) => Object.fromEntries(b.of(m).sources);

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrateServingSchema(db.url);
    pool = testPool(db.url);
    server = http.createServer((req, res) => {
      requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
      const body = answers.get(req.url ?? '');
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: 'not found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    model = await LoadedModel.load(registryEntry(baselineArtifact('churn', 2)));
  }, 60000);

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await pool.end();
    await db.drop();
  });

  beforeEach(() => {
    requests.length = 0;
    answers.clear();
  });

  it('falls back to the preprocessing when nothing else is known', () => {
    const { baselines } = start();
    expect(sources(baselines, model)).toEqual({ 'user_activity:orders_7d': 'preprocessing', 'user_activity:revenue_7d': 'preprocessing' });
  });

  it('asks the feature store for each view of a loaded version once, with its token, and takes the usable histograms', async () => {
    answers.set('/v1/feature-views/user_activity/stats', {
      view: 'user_activity',
      version: 1,
      materialization_id: 1,
      computed_at: new Date().toISOString(),
      features: [
        { ...statsBase, feature: 'orders_7d', histogram: { edges: [0, 1, 2, 5], counts: [50, 30, 20] } },
        { ...statsBase, feature: 'revenue_7d', histogram: null },
      ],
    });
    const { baselines, changes } = start();
    expect(await baselines.fetchFeatureStoreBaseline(model)).toBe(1);
    expect(requests.map((r) => [r.url, r.authorization]).sort()).toEqual([
      ['/v1/feature-views/user_activity/stats', 'Bearer fs-token'],
      ['/v1/feature-views/user_profile/stats', 'Bearer fs-token'],
    ]);
    expect(changes).toEqual(['churn@2']);
    expect(sources(baselines, model)).toEqual({ 'user_activity:orders_7d': 'feature_store', 'user_activity:revenue_7d': 'preprocessing' });
    expect(baselines.of(model).histograms.find((b) => b.feature === 'user_activity:orders_7d')).toEqual({
      feature: 'user_activity:orders_7d',
      kind: 'numeric',
      edges: [0, 1, 2, 5],
      proportions: [0, 0.5, 0.3, 0.2, 0],
    });
  });

  it('retries a feature store that gave nothing, at most once a minute, and not once it answered', async () => {
    const { baselines, changes, load } = start();
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000_000);
      load(model); // the model store announces the version
      await new Promise((r) => setTimeout(r, 200));
      expect(requests).toHaveLength(2);
      expect(changes).toEqual([]);
      now.mockReturnValue(1_000_000 + 59_000);
      baselines.retryFeatureStore(model);
      await new Promise((r) => setTimeout(r, 200));
      expect(requests).toHaveLength(2);
      answers.set('/v1/feature-views/user_profile/stats', {
        view: 'user_profile',
        version: 1,
        materialization_id: 3,
        computed_at: new Date().toISOString(),
        features: [{ ...statsBase, type: 'text', count: 100, null_count: 0, feature: 'plan', histogram: { values: ['free', 'pro'], counts: [60, 40] } }],
      });
      now.mockReturnValue(1_000_000 + 61_000);
      baselines.retryFeatureStore(model);
      await new Promise((r) => setTimeout(r, 200));
      expect(requests).toHaveLength(4);
      expect(changes).toEqual(['churn@2']);
      expect(sources(baselines, model)['user_profile:plan']).toBe('feature_store');
      now.mockReturnValue(1_000_000 + 200_000);
      baselines.retryFeatureStore(model);
      await new Promise((r) => setTimeout(r, 200));
      expect(requests).toHaveLength(4);
    } finally {
      now.mockRestore();
    }
  });

  it('stores an explicit baseline that replaces every other source and is there again after a restart', async () => {
    const first = start();
    await first.baselines.setExplicit(model, [plan]);
    expect(first.changes).toEqual(['churn@2']);
    expect(first.baselines.of(model)).toEqual({ histograms: [plan], sources: new Map([['user_profile:plan', 'explicit']]) });
    const { rows } = await pool.query(`SELECT model, version, baseline FROM "serving".drift_baselines`);
    expect(rows).toEqual([{ model: 'churn', version: 2, baseline: [plan] }]);

    const restarted = start();
    restarted.baselines.onApplicationBootstrap();
    for (let i = 0; i < 50 && sources(restarted.baselines, model)['user_profile:plan'] !== 'explicit'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sources(restarted.baselines, model)).toEqual({ 'user_profile:plan': 'explicit' });
  });

  it('refuses an explicit baseline naming features the model does not use, storing nothing', async () => {
    const { baselines, changes } = start();
    await expect(baselines.setExplicit(model, [{ feature: 'other:thing', kind: 'categorical', proportions: { a: 1 } }])).rejects.toMatchObject({ status: 400 });
    await expect(baselines.setExplicit(model, [{ feature: 'user_activity:orders_7d', kind: 'numeric', edges: [0, 1], proportions: [1] }])).rejects.toMatchObject({ status: 400, code: 'INVALID_BASELINE' });
    expect(changes).toEqual([]);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "serving".drift_baselines WHERE baseline::text LIKE '%other:thing%' OR baseline::text LIKE '%orders_7d%'`);
    expect(rows[0].n).toBe(0);
  });
});
