import { createHash } from 'node:crypto';
import { standInServer, type Received, type StandIn } from './testing/stand-in-server';
import { FeaturesClient } from './features-client';
import { ImportsClient, type ImportProgress } from './imports-client';
import { createPlatformClient } from './platform-client';
import { PredictionsClient } from './predictions-client';
import { RegistryClient } from './registry-client';
import { WarehouseClient } from './warehouse-client';
import type { ModelSpec } from './generated/contract-types';

const call = (r: Received) => [r.method, r.url, r.json];

describe('service clients send the routes and bodies the controllers take', () => {
  let server: StandIn;
  afterEach(() => server?.close());

  it('features: online features by entity, as the answer and as rows', async () => {
    const answer = {
      metadata: { feature_names: ['customer_id', 'orders:count_30d'] },
      results: [
        { values: [1, 2], statuses: ['PRESENT', 'PRESENT'], event_timestamps: [null, null] },
        { values: [4, null], statuses: ['PRESENT', 'NOT_FOUND'], event_timestamps: ['2026-01-01T00:00:00Z', null] },
      ],
    };
    server = await standInServer(() => ({ json: answer }));
    const features = new FeaturesClient({ baseUrl: server.url });
    const request = { features: ['orders:count_30d'], entities: { customer_id: [1, 2] } };
    expect(await features.online(request)).toEqual(answer);
    expect(await features.onlineRows(request)).toEqual([
      { customer_id: 1, 'orders:count_30d': 4 },
      { customer_id: 2, 'orders:count_30d': null },
    ]);
    expect(server.received.map(call)).toEqual([
      ['POST', '/v1/online-features', request],
      ['POST', '/v1/online-features', request],
    ]);
  });

  it('features: definitions are applied, listed and looked up; an unknown feature service is a 404 with its code', async () => {
    const plan = { project: 'shop', dry_run: true, created: [{ kind: 'feature_view', name: 'orders', version: 1 }], changed: [], removed: [], unchanged: [], sources: [] };
    server = await standInServer((req) =>
      req.url === '/v1/apply'
        ? { json: plan }
        : req.url === '/v1/feature-views'
          ? { json: { feature_views: [{ name: 'orders', version: 2 }] } }
          : req.url === '/v1/feature-services'
            ? { json: { feature_services: [{ name: 'churn_inputs' }] } }
            : req.url === '/v1/freshness'
              ? { json: { status: 'OK', views: [{ view: 'orders', version: 2, status: 'FRESH', age_seconds: 12 }] } }
              : req.url === '/v1/feature-services/churn_inputs'
                ? { json: { name: 'churn_inputs', features: ['orders:count_30d'], project: 'shop' } }
                : req.url === '/v1/feature-views/orders'
                  ? { json: { name: 'orders', project: 'shop', version: 2, versions: [{ version: 1 }, { version: 2 }] } }
                  : { status: 404, json: { error: 'unknown feature service x/y', code: 'UNKNOWN_FEATURE_SERVICE', details: [] } },
    );
    const features = new FeaturesClient({ baseUrl: server.url });
    const request = { project: 'shop', dry_run: true, feature_views: [] };
    expect(await features.apply(request)).toEqual(plan);
    expect(await features.featureViews()).toEqual([{ name: 'orders', version: 2 }]);
    expect(await features.featureServices()).toEqual([{ name: 'churn_inputs' }]);
    expect((await features.freshness()).views[0]?.age_seconds).toBe(12);
    expect((await features.featureService('churn_inputs')).project).toBe('shop');
    await expect(features.featureService('x/y')).rejects.toMatchObject({ status: 404, code: 'UNKNOWN_FEATURE_SERVICE' });
    expect((await features.featureView('orders')).versions.map((v) => v.version)).toEqual([1, 2]);
    expect(server.received.map(call)).toEqual([
      ['POST', '/v1/apply', request],
      ['GET', '/v1/feature-views', undefined],
      ['GET', '/v1/feature-services', undefined],
      ['GET', '/v1/freshness', undefined],
      ['GET', '/v1/feature-services/churn_inputs', undefined],
      ['GET', '/v1/feature-services/x%2Fy', undefined],
      ['GET', '/v1/feature-views/orders', undefined],
    ]);
  });

  it('features: a training set streams row by row, lines split across chunks, and ends with its metadata', async () => {
    const meta = { rows: 2, columns: ['customer_id', 'event_timestamp', 'orders:count_30d'], features: ['orders:count_30d'], fingerprint: `sha256:${'a'.repeat(64)}`, created_at: '2026-01-01T00:00:00Z' };
    server = await standInServer(() => ({
      chunks: ['{"customer_id":1,"event_timestamp":"2026-01-01T00:00:00Z","orders:count_30d":3}\n{"customer_id":2,"event_', 'timestamp":"2026-01-02T00:00:00Z","orders:count_30d":null}\n', `{"_metadata":${JSON.stringify(meta)}}\n`],
      headers: { 'x-dataset-columns': meta.columns.join(','), 'x-feature-view-versions': 'orders@v2' },
    }));
    const request = { features: ['orders:count_30d'], label_source: { sql: 'SELECT customer_id, event_timestamp FROM dwh.mart_x', start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' } };
    const set = await new FeaturesClient({ baseUrl: server.url }).trainingSet(request);
    expect(set.columns).toEqual(meta.columns);
    expect(set.viewVersions).toEqual(['orders@v2']);
    const rows = [];
    for await (const row of set.rows()) rows.push(row);
    expect(rows).toEqual([
      { customer_id: 1, event_timestamp: '2026-01-01T00:00:00Z', 'orders:count_30d': 3 },
      { customer_id: 2, event_timestamp: '2026-01-02T00:00:00Z', 'orders:count_30d': null },
    ]);
    expect(set.metadata).toEqual(meta);
    expect(server.received.map(call)).toEqual([['POST', '/v1/historical-features', { ...request, format: 'ndjson' }]]);
  });

  it('features: a training set outlives the timeout once it streams, and the caller signal still stops it', async () => {
    // 80 lines 5 ms apart stream for 400 ms or more, well past the 250 ms timeout (which only bounds
    // the wait for the answer's head: generous, so a busy machine does not time out the head itself).
    const lines = Array.from({ length: 80 }, (_, i) => `{"customer_id":${i}}\n`);
    server = await standInServer(() => ({ chunks: [...lines, `{"_metadata":{"rows":80,"columns":["customer_id"],"features":[],"fingerprint":"sha256:x","created_at":"2026-01-01T00:00:00Z"}}\n`] }));
    const features = new FeaturesClient({ baseUrl: server.url, timeoutMs: 250 });
    const whole = await features.trainingSet({ features: ['orders:count_30d'] });
    let n = 0;
    for await (const _row of whole.rows()) n++;
    expect(n).toBe(80);

    const controller = new AbortController();
    const partial = await features.trainingSet({ features: ['orders:count_30d'] }, { signal: controller.signal, timeoutMs: 0 });
    const read: unknown[] = [];
    const reading = (async () => {
      for await (const row of partial.rows()) {
        read.push(row);
        if (read.length === 2) controller.abort();
      }
    })();
    await expect(reading).rejects.toBeDefined();
    expect(read.length).toBeLessThan(80);
  });

  describe('a training set is checked whole before it is trusted', () => {
    const sha = (text: string | Buffer) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const metaLine = (rows: number, fingerprint: string) => `{"_metadata":${JSON.stringify({ rows, columns: ['city', 'n'], features: ['n'], fingerprint, created_at: '2026-01-01T00:00:00Z' })}}\n`;
    // A multi-byte character split between two chunks: the hash must be over the bytes, not a re-encoding.
    const rowLines = '{"city":"Zürich","n":1}\n{"city":"Kraków","n":2}\n';
    const bytes = Buffer.from(rowLines, 'utf8');
    const split = bytes.indexOf(Buffer.from('ü')) + 1;
    const read = async (set: { rows(): AsyncGenerator<unknown> }) => {
      const out: unknown[] = [];
      for await (const row of set.rows()) out.push(row);
      return out;
    };

    it('verifies the fingerprint against the exact row bytes received and exposes the answer headers', async () => {
      server = await standInServer(() => ({ chunks: [bytes.subarray(0, split), bytes.subarray(split), metaLine(2, sha(bytes))], headers: { 'x-feature-service-version': '7', 'x-dataset-rows': '2' } }));
      const set = await new FeaturesClient({ baseUrl: server.url }).trainingSet({ feature_service: 'city_n' }, { sha256: () => createHash('sha256') });
      expect(set.headers.get('x-feature-service-version')).toBe('7');
      expect(await read(set)).toEqual([
        { city: 'Zürich', n: 1 },
        { city: 'Kraków', n: 2 },
      ]);
      expect(set.fingerprint).toBe(sha(rowLines));
      expect(server.received[0]?.headers['accept']).toBe('application/x-ndjson');
    });

    it('refuses rows whose bytes do not hash to the declared fingerprint (retryable), and leaves metadata unset', async () => {
      server = await standInServer(() => ({ chunks: [rowLines, metaLine(2, sha('something else'))] }));
      const set = await new FeaturesClient({ baseUrl: server.url }).trainingSet({ feature_service: 'city_n' }, { sha256: () => createHash('sha256') });
      await expect(read(set)).rejects.toMatchObject({ name: 'PlatformApiError', code: 'DATASET_FINGERPRINT_MISMATCH', retryable: true });
      expect(set.metadata).toBeUndefined();
      expect(set.fingerprint).toBeUndefined();
    });

    it('without a hash function takes the declared fingerprint unchecked', async () => {
      server = await standInServer(() => ({ chunks: [rowLines, metaLine(2, 'sha256:declared')] }));
      const set = await new FeaturesClient({ baseUrl: server.url }).trainingSet({ feature_service: 'city_n' });
      expect(await read(set)).toHaveLength(2);
      expect(set.fingerprint).toBe('sha256:declared');
    });

    it.each([
      ['no _metadata line', rowLines, 'TRAINING_SET_INCOMPLETE', true],
      ['fewer rows than declared', `${rowLines}${metaLine(3, 'sha256:x')}`, 'TRAINING_SET_INCOMPLETE', true],
      ['a line that is not JSON', '{"city":"Zürich"\n', 'TRAINING_SET_MALFORMED', false],
      ['a line that is not an object', '[1,2]\n', 'TRAINING_SET_MALFORMED', false],
      ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d, 0x0a]), 'TRAINING_SET_MALFORMED', false],
      ['a row after the _metadata line', `${metaLine(0, 'sha256:x')}{"city":"Bern","n":3}\n`, 'TRAINING_SET_MALFORMED', false],
    ])('refuses a set with %s', async (_case, body, code, retryable) => {
      server = await standInServer(() => ({ chunks: [body] }));
      const set = await new FeaturesClient({ baseUrl: server.url }).trainingSet({ feature_service: 'city_n' });
      await expect(read(set)).rejects.toMatchObject({ code, retryable });
    });

    it('reports a body that breaks off as NETWORK_ERROR, and a caller timeout signal as TIMEOUT', async () => {
      server = await standInServer(() => ({ chunks: ['{"city":"Bern","n":3}\n{"ci'], cut: true }));
      const features = new FeaturesClient({ baseUrl: server.url });
      await expect(read(await features.trainingSet({ feature_service: 'city_n' }))).rejects.toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
      await server.close();

      const slow = Array.from({ length: 100 }, (_, i) => `{"n":${i}}\n`);
      server = await standInServer(() => ({ chunks: slow }));
      const set = await new FeaturesClient({ baseUrl: server.url }).trainingSet({ feature_service: 'city_n' }, { signal: AbortSignal.timeout(100) });
      await expect(read(set)).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    });
  });

  it('predictions: V2 infer by policy, by version and by alias (resolved through the registry), predict by entity, TF-Serving predict', async () => {
    server = await standInServer((req) => (req.url === '/v1/models/churn' ? { json: { name: 'churn', aliases: { champion: 7, challenger: null } } } : { json: { ok: true } }));
    const platform = createPlatformClient({ urls: { modelServing: server.url, trainer: server.url }, token: 'tok' });
    const predictions = platform.predictions as PredictionsClient;
    const infer = { inputs: [{ name: 'amount', shape: [1], datatype: 'FP64', data: [12.5] }] };
    await predictions.infer('churn', infer);
    await predictions.infer('churn', infer, { version: 3 });
    await predictions.infer('churn', infer, { version: 'champion' });
    await expect(predictions.infer('churn', infer, { version: 'challenger' })).rejects.toThrow('has no challenger');
    await predictions.predictEntities('churn', { customer_id: [1, 'c-2'] }, { stickyKey: 'user-9' });
    await predictions.predictEntities('churn', { customer_id: [1] }, { version: 2 });
    await predictions.tfPredict('churn', { instances: [{ amount: 1 }] });
    await predictions.tfPredict('churn', { instances: [[1]] }, { version: 4 });
    await predictions.tfPredict('churn', { inputs: { amount: [1] } }, { label: 'challenger' });
    expect(server.received.map(call)).toEqual([
      ['POST', '/v2/models/churn/infer', infer],
      ['POST', '/v2/models/churn/versions/3/infer', infer],
      ['GET', '/v1/models/churn', undefined],
      ['POST', '/v2/models/churn/versions/7/infer', infer],
      ['POST', '/v1/models/churn/predict-entities', { entities: { customer_id: [1, 'c-2'] } }],
      ['POST', '/v1/models/churn/predict-entities', { entities: { customer_id: [1] }, version: 2 }],
      ['POST', '/v1/models/churn:predict', { instances: [{ amount: 1 }] }],
      ['POST', '/v1/models/churn/versions/4:predict', { instances: [[1]] }],
      ['POST', '/v1/models/churn/labels/challenger:predict', { inputs: { amount: [1] } }],
    ]);
    expect(server.received[4].headers['x-sticky-key']).toBe('user-9');
    expect(server.received.every((r) => r.headers['authorization'] === 'Bearer tok')).toBe(true);
  });

  it('predictions: the model status of serving (TF-Serving shape); a model it does not know is a 404', async () => {
    const status = { model_version_status: [{ version: '3', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }], labels: { champion: 3, challenger: null } };
    server = await standInServer((req) => (req.url === '/v1/models/churn' ? { json: status } : { status: 404, json: { error: 'model nope is not served', code: 'MODEL_NOT_FOUND', details: [] } }));
    const predictions = new PredictionsClient({ baseUrl: server.url });
    expect(await predictions.modelStatus('churn')).toEqual(status);
    await expect(predictions.modelStatus('nope')).rejects.toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND' });
    expect(server.received.map(call)).toEqual([
      ['GET', '/v1/models/churn', undefined],
      ['GET', '/v1/models/nope', undefined],
    ]);
  });

  it('predictions: batch jobs are created and their results read page after page, each row once, in the run of the first page', async () => {
    const item = (k: string) => ({ entity: { user_id: k }, model: 'churn', version: 2, score: 0.5, outputs: [0.5], asOf: '2026-12-01T00:00:00.000Z', scoredAt: '2026-12-07T00:00:00.000Z' });
    const pages: Record<string, unknown> = {
      '': { job: '7', run: 3, items: [item('a'), item('b')], nextCursor: 'c1' },
      c1: { job: '7', run: 3, items: [item('c')], nextCursor: 'c2' },
      c2: { job: '7', run: 3, items: [], nextCursor: null },
    };
    server = await standInServer((req) => {
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/v1/batch-jobs/7/results') return { json: pages[url.searchParams.get('cursor') ?? ''] };
      return { status: 201, json: { id: '7' } };
    });
    const predictions = new PredictionsClient({ baseUrl: server.url });
    const job = { model: 'churn', source: { mart: 'mart_users', key: 'user_id' }, results: { table: 'scores_churn', mode: 'append' as const } };
    expect(await predictions.createBatchJob(job)).toEqual({ id: '7' });
    const keys: string[] = [];
    for await (const r of predictions.allBatchResults('7', { limit: 2 })) keys.push(r.entity['user_id']);
    expect(keys).toEqual(['a', 'b', 'c']);
    expect(server.received.map(call)).toEqual([
      ['POST', '/v1/batch-jobs', job],
      ['GET', '/v1/batch-jobs/7/results?limit=2', undefined],
      ['GET', '/v1/batch-jobs/7/results?run=3&limit=2&cursor=c1', undefined],
      ['GET', '/v1/batch-jobs/7/results?run=3&limit=2&cursor=c2', undefined],
    ]);
  });

  it('predictions: V2 metadata of the champion or of a version, and input drift', async () => {
    const meta = { name: 'churn', versions: ['2', '3'], platform: 'mlp', inputs: [{ name: 'orders', datatype: 'FP64', shape: [-1] }], outputs: [], parameters: { version: '3' } };
    server = await standInServer(() => ({ json: meta }));
    const predictions = new PredictionsClient({ baseUrl: server.url });
    expect((await predictions.metadata('churn')).parameters.version).toBe('3');
    await predictions.metadata('churn', { version: 2 });
    await predictions.drift('churn', { version: 2 });
    expect(server.received.map(call)).toEqual([
      ['GET', '/v2/models/churn', undefined],
      ['GET', '/v2/models/churn/versions/2', undefined],
      ['GET', '/v1/models/churn/drift?version=2', undefined],
    ]);
  });

  it('features: incremental materialization is queued and its jobs followed', async () => {
    const job = { id: 7, view: 'orders', version: 2, status: 'PENDING' };
    server = await standInServer((req) => ({ status: req.method === 'POST' ? 202 : 200, json: req.method === 'POST' ? { materializations: [job] } : { ...job, status: 'SUCCEEDED' } }));
    const features = new FeaturesClient({ baseUrl: server.url });
    expect(await features.materializeIncremental({ end: '2026-01-01T00:00:00Z', views: ['orders'] })).toEqual([job]);
    expect((await features.materialization(7)).status).toBe('SUCCEEDED');
    expect(server.received.map(call)).toEqual([
      ['POST', '/v1/materialize-incremental', { end: '2026-01-01T00:00:00Z', views: ['orders'] }],
      ['GET', '/v1/materializations/7', undefined],
    ]);
  });

  it('predictions: an alias is read from the trainer once per aliasTtlMs, not per call', async () => {
    let champion = 7;
    server = await standInServer((req) => (req.url === '/v1/models/churn' ? { json: { name: 'churn', aliases: { champion, challenger: null } } } : { json: {} }));
    const predictions = createPlatformClient({ urls: { modelServing: server.url, trainer: server.url }, aliasTtlMs: 100 }).predictions as PredictionsClient;
    const infer = { inputs: [{ name: 'amount', shape: [1], datatype: 'FP64', data: [1] }] };
    await predictions.infer('churn', infer, { version: 'champion' });
    champion = 8;
    await predictions.infer('churn', infer, { version: 'champion' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    await predictions.infer('churn', infer, { version: 'champion' });
    expect(server.received.map((r) => r.url)).toEqual(['/v1/models/churn', '/v2/models/churn/versions/7/infer', '/v2/models/churn/versions/7/infer', '/v1/models/churn', '/v2/models/churn/versions/8/infer']);
  });

  it('imports: streams the file with its content type and Idempotency-Key, reporting progress', async () => {
    const result = { importId: 'i1', source: 'orders', status: 'completed', rowsAccepted: 2, rowsRejected: 0, idempotencyKey: 'k1', replayed: false, startedAt: 'x', finishedAt: 'y' };
    server = await standInServer(() => ({ status: 201, json: result }));
    const imports = new ImportsClient({ baseUrl: server.url });
    const csv = 'order_id,amount\n1,12.5\n2,3\n';
    const progress: ImportProgress[] = [];
    async function* chunks() {
      yield 'order_id,amount\n';
      yield new TextEncoder().encode('1,12.5\n2,3\n');
    }
    expect(await imports.upload('orders', chunks(), { format: 'csv', idempotencyKey: 'k1', onProgress: (p) => progress.push(p) })).toEqual({ ...result, idempotencyKey: 'k1' });
    const file = new File([csv], 'orders.csv');
    const second = await imports.upload('orders', file);
    await imports.upload('events', '{"a":1}\n', { format: 'ndjson' });
    const [first, fromFile, ndjson] = server.received;
    expect([first.method, first.url, first.body, first.headers['content-type'], first.headers['idempotency-key']]).toEqual(['POST', '/v1/imports/orders', csv, 'text/csv', 'k1']);
    expect(progress).toEqual([
      { bytesSent: 16, totalBytes: undefined },
      { bytesSent: csv.length, totalBytes: undefined },
    ]);
    expect([fromFile.body, fromFile.headers['content-type']]).toEqual([csv, 'text/csv']);
    expect(fromFile.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.idempotencyKey).toBe(fromFile.headers['idempotency-key']);
    expect([ndjson.url, ndjson.body, ndjson.headers['content-type']]).toEqual(['/v1/imports/events', '{"a":1}\n', 'application/x-ndjson']);
    await expect(imports.upload('orders', 'a,b\n')).rejects.toThrow('give format');
  });

  it('registry: model specs, models, versions, aliases and training runs', async () => {
    const audit = { model: 'churn', entries: [{ id: 1, alias: 'champion', from: null, to: 1, actor: 'promotion-gate', reason: 'beats the baseline', runId: null, at: '2026-12-07T09:58:05.902Z' }] };
    const specPlan = { project: 'shop', dry_run: false, created: [{ name: 'churn' }], changed: [], removed: [], unchanged: [] };
    server = await standInServer((req) => ({
      json:
        req.url === '/v1/models'
          ? { models: [{ name: 'churn' }] }
          : req.url.includes('/versions?')
            ? req.url.includes('cursor=')
              ? { versions: [{ version: 1 }], nextCursor: null }
              : { versions: [{ version: 2 }], nextCursor: 'after-2' }
            : req.url.startsWith('/v1/training-runs?')
              ? { runs: [{ id: 'r' }] }
              : req.url.endsWith('/audit')
                ? audit
                : req.url === '/v1/model-specs/apply'
                  ? specPlan
                  : { id: 'r1', status: 'queued' },
    }));
    const registry = new RegistryClient({ baseUrl: server.url });
    expect(await registry.applySpecs({ project: 'shop', specs: [] })).toEqual(specPlan);
    expect(await registry.models()).toEqual([{ name: 'churn' }]);
    expect(await registry.versions('churn')).toEqual([{ version: 2 }, { version: 1 }]); // both pages
    await registry.version('churn', 2);
    await registry.moveAlias('churn', { alias: 'champion', version: 2, reason: 'rollback after incident' });
    expect((await registry.aliasAudit('churn')).entries[0]?.to).toBe(1);
    expect(await registry.startRun({ model: 'churn', overrides: { seed: 7 } })).toEqual({ id: 'r1', status: 'queued' });
    expect(await registry.runs({ model: 'churn', status: 'succeeded', limit: 5 })).toEqual([{ id: 'r' }]);
    await registry.run('r1');
    await registry.cancelRun('r1');
    const spec = { name: 'churn', featureService: 'churn_inputs' } as unknown as ModelSpec;
    await registry.putSpec(spec);
    await registry.putSpec(spec, { project: 'shop' });
    await registry.holdoutPredictions('r1', { limit: 20 });
    await registry.specs({ project: 'shop' });
    expect(server.received.map(call)).toEqual([
      ['POST', '/v1/model-specs/apply', { project: 'shop', specs: [] }],
      ['GET', '/v1/models', undefined],
      ['GET', '/v1/models/churn/versions?limit=500', undefined],
      ['GET', '/v1/models/churn/versions?limit=500&cursor=after-2', undefined],
      ['GET', '/v1/models/churn/versions/2', undefined],
      ['POST', '/v1/models/churn/aliases', { alias: 'champion', version: 2, reason: 'rollback after incident' }],
      ['GET', '/v1/models/churn/audit', undefined],
      ['POST', '/v1/training-runs', { model: 'churn', overrides: { seed: 7 } }],
      ['GET', '/v1/training-runs?model=churn&status=succeeded&limit=5', undefined],
      ['GET', '/v1/training-runs/r1', undefined],
      ['POST', '/v1/training-runs/r1/cancel', undefined],
      ['POST', '/v1/model-specs', spec],
      ['POST', '/v1/model-specs?project=shop', spec],
      ['GET', '/v1/training-runs/r1/holdout-predictions?limit=20', undefined],
      ['GET', '/v1/model-specs?project=shop', undefined],
    ]);
  });

  it('features: entities, a view\'s materializations and its statistics', async () => {
    const entity = { name: 'customer', join_key: 'customer_id', value_type: 'int64', project: 'shop' };
    const job = { id: 4, view: 'orders', version: 2, status: 'SUCCEEDED' };
    const stats = { view: 'orders', version: 2, materialization_id: 4, computed_at: '2026-01-01T00:00:00.000Z', features: [{ feature: 'count_30d', count: 3 }] };
    server = await standInServer((req) =>
      req.url === '/v1/entities'
        ? { json: { entities: [entity] } }
        : req.url.startsWith('/v1/materializations')
          ? { json: { materializations: [job] } }
          : req.url === '/v1/feature-views/orders/stats'
            ? { json: stats }
            : { status: 404, json: { error: 'no statistics yet', code: 'NOT_FOUND', details: [] } },
    );
    const features = new FeaturesClient({ baseUrl: server.url });
    expect(await features.entities()).toEqual([entity]);
    expect(await features.materializations({ view: 'orders', limit: 10 })).toEqual([job]);
    expect(await features.materializations()).toEqual([job]);
    expect(await features.viewStats('orders')).toEqual(stats);
    await expect(features.viewStats('a b')).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(server.received.map(call)).toEqual([
      ['GET', '/v1/entities', undefined],
      ['GET', '/v1/materializations?view=orders&limit=10', undefined],
      ['GET', '/v1/materializations', undefined],
      ['GET', '/v1/feature-views/orders/stats', undefined],
      ['GET', '/v1/feature-views/a%20b/stats', undefined],
    ]);
  });

  it('warehouse: the KPIs and one KPI\'s points over a date range', async () => {
    const kpi = { name: 'daily_revenue', project: 'shop', description: null, unit: 'EUR', dimensional: true };
    const series = { name: 'daily revenue', unit: 'EUR', from: '2026-01-01', to: '2026-01-31', points: [{ date: '2026-01-02', value: 10, dimension: 'web' }] };
    server = await standInServer((req) => (req.url === '/v1/kpis' ? { json: { kpis: [kpi] } } : { json: series }));
    const warehouse = new WarehouseClient({ baseUrl: server.url });
    expect(await warehouse.kpis()).toEqual([kpi]);
    expect(await warehouse.kpi('daily revenue', { from: '2026-01-01', to: '2026-01-31' })).toEqual(series);
    await warehouse.kpi('daily_revenue', { dimension: 'web' });
    expect(server.received.map(call)).toEqual([
      ['GET', '/v1/kpis', undefined],
      ['GET', '/v1/kpis/daily%20revenue?from=2026-01-01&to=2026-01-31', undefined],
      ['GET', '/v1/kpis/daily_revenue?dimension=web', undefined],
    ]);
  });

  it('predictions: served models, the traffic policy read and changed, traffic stats, drift history and live quality', async () => {
    const policy = { canaryWeight: 0.25, stickyKey: 'entity', shadow: false, maxBatchSize: 32, maxBatchDelayMs: 2 };
    const served = { ready: true, models: [{ name: 'churn', champion: 3, challenger: null, policy }] };
    const stats = { model: 'churn', from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T01:00:00.000Z', bucketSeconds: 300, latencyRelativeError: 0.01, points: [] };
    const history = { model: 'churn', version: 3, from: stats.from, to: stats.to, bucketSeconds: 60, minObservations: 50, warnThreshold: 0.1, driftThreshold: 0.25, features: [] };
    const quality = { model: 'churn', windowHours: 24, groups: [] };
    server = await standInServer((req) =>
      req.url === '/v1/models'
        ? { json: served }
        : req.url === '/v1/models/churn/traffic-policy'
          ? { json: req.method === 'PUT' ? { ...policy, ...(req.json as object) } : policy }
          : req.url.includes('/traffic-stats')
            ? { json: stats }
            : req.url.includes('/drift/history')
              ? { json: history }
              : req.url.includes('/live-quality')
                ? { json: quality }
                : { status: 404, json: { error: 'unknown model', code: 'MODEL_NOT_FOUND', details: [] } },
    );
    const predictions = new PredictionsClient({ baseUrl: server.url });
    expect(await predictions.servedModels()).toEqual(served);
    expect(await predictions.trafficPolicy('churn')).toEqual(policy);
    expect(await predictions.setTrafficPolicy('churn', { canaryWeight: 0.5, shadow: true })).toEqual({ ...policy, canaryWeight: 0.5, shadow: true });
    expect(await predictions.trafficStats('churn', { from: stats.from, bucket: 300 })).toEqual(stats);
    expect(await predictions.driftHistory('churn')).toEqual(history);
    await predictions.driftHistory('churn', { from: stats.from, to: stats.to, bucket: 60, version: 2 });
    expect(await predictions.liveQuality('churn')).toEqual(quality);
    await predictions.liveQuality('churn', { windowHours: 6, version: 3 });
    await expect(predictions.trafficPolicy('x/y')).rejects.toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND' });
    expect(server.received.map(call)).toEqual([
      ['GET', '/v1/models', undefined],
      ['GET', '/v1/models/churn/traffic-policy', undefined],
      ['PUT', '/v1/models/churn/traffic-policy', { canaryWeight: 0.5, shadow: true }],
      ['GET', `/v1/models/churn/traffic-stats?from=${encodeURIComponent(stats.from)}&bucket=300`, undefined],
      ['GET', '/v1/models/churn/drift/history', undefined],
      ['GET', `/v1/models/churn/drift/history?from=${encodeURIComponent(stats.from)}&to=${encodeURIComponent(stats.to)}&bucket=60&version=2`, undefined],
      ['GET', '/v1/models/churn/live-quality', undefined],
      ['GET', '/v1/models/churn/live-quality?window_hours=6&version=3', undefined],
      ['GET', '/v1/models/x%2Fy/traffic-policy', undefined],
    ]);
  });

  it('registry: versions and runs one page at a time, with the cursor to the next (null on the last)', async () => {
    server = await standInServer((req) =>
      req.url.startsWith('/v1/models/churn/versions')
        ? { json: req.url.includes('cursor=') ? { versions: [{ version: 1 }], nextCursor: null } : { versions: [{ version: 3 }, { version: 2 }], nextCursor: 'after-2' } }
        : req.url.includes('cursor=')
          ? { json: { runs: [{ id: 'r1' }] } }
          : { json: { runs: [{ id: 'r3' }, { id: 'r2' }], nextCursor: 'after-r2' } },
    );
    const registry = new RegistryClient({ baseUrl: server.url });
    expect(await registry.versionsPage('churn', { limit: 2 })).toEqual({ versions: [{ version: 3 }, { version: 2 }], nextCursor: 'after-2' });
    expect(await registry.versionsPage('churn', { limit: 2, cursor: 'after-2' })).toEqual({ versions: [{ version: 1 }], nextCursor: null });
    expect(await registry.runsPage({ model: 'churn', limit: 2 })).toEqual({ runs: [{ id: 'r3' }, { id: 'r2' }], nextCursor: 'after-r2' });
    // An answer without nextCursor is the last page too.
    expect(await registry.runsPage({ model: 'churn', limit: 2, cursor: 'after-r2' })).toEqual({ runs: [{ id: 'r1' }], nextCursor: null });
    expect(server.received.map(call)).toEqual([
      ['GET', '/v1/models/churn/versions?limit=2', undefined],
      ['GET', '/v1/models/churn/versions?limit=2&cursor=after-2', undefined],
      ['GET', '/v1/training-runs?model=churn&limit=2', undefined],
      ['GET', '/v1/training-runs?model=churn&limit=2&cursor=after-r2', undefined],
    ]);
  });

  it('registry: searches and run comparison', async () => {
    const search = { id: 's1', model: 'churn', status: 'running', trials: [] };
    server = await standInServer((req) =>
      req.url.startsWith('/v1/runs/compare')
        ? { json: { runs: [], differences: ['algorithm.l2'], commonMetrics: [] } }
        : req.url.startsWith('/v1/searches?')
          ? { json: { searches: [search] } }
          : req.url === '/v1/searches/missing'
            ? { status: 404, json: { error: 'search missing not found', code: 'SEARCH_NOT_FOUND', details: [] } }
            : { json: search },
    );
    const registry = new RegistryClient({ baseUrl: server.url });
    const plan = { strategy: 'grid' as const, parameters: { l2: { values: [0, 0.01] } }, budget: { maxTrials: 2 } };
    expect(await registry.startSearch({ model: 'churn', plan })).toEqual(search);
    await registry.search('s1');
    await registry.cancelSearch('s1');
    expect(await registry.searches({ model: 'churn', limit: 3 })).toEqual([search]);
    expect((await registry.compareRuns(['r1', 'r2'])).differences).toEqual(['algorithm.l2']);
    await expect(registry.search('missing')).rejects.toMatchObject({ status: 404, code: 'SEARCH_NOT_FOUND' });
    expect(server.received.map(call)).toEqual([
      ['POST', '/v1/searches', { model: 'churn', plan }],
      ['GET', '/v1/searches/s1', undefined],
      ['POST', '/v1/searches/s1/cancel', undefined],
      ['GET', '/v1/searches?model=churn&limit=3', undefined],
      ['GET', '/v1/runs/compare?ids=r1%2Cr2', undefined],
      ['GET', '/v1/searches/missing', undefined],
    ]);
  });

  it('warehouse: transformation runs, SLAs, projects apply', async () => {
    server = await standInServer((req) => ({ json: req.url.startsWith('/v1/transformations/runs?') ? { runs: [] } : req.url === '/v1/projects' ? { projects: [] } : {} }));
    const warehouse = new WarehouseClient({ baseUrl: server.url });
    await warehouse.runTransformations({ models: ['mart_orders'], fullRefresh: true });
    await warehouse.transformationRuns({ limit: 3 });
    await warehouse.transformationRun('t1');
    await warehouse.sla();
    await warehouse.applyProject({ project: 'shop', dry_run: true });
    await warehouse.projects();
    await warehouse.project('shop');
    await warehouse.refreshOutcomes({ models: ['churn'] });
    await warehouse.liveQuality('churn', { windowHours: 24 });
    expect(server.received.map(call)).toEqual([
      ['POST', '/v1/transformations/run', { models: ['mart_orders'], fullRefresh: true }],
      ['GET', '/v1/transformations/runs?limit=3', undefined],
      ['GET', '/v1/transformations/runs/t1', undefined],
      ['GET', '/v1/sla', undefined],
      ['POST', '/v1/warehouse/apply', { project: 'shop', dry_run: true }],
      ['GET', '/v1/projects', undefined],
      ['GET', '/v1/projects/shop', undefined],
      ['POST', '/v1/outcomes/refresh', { models: ['churn'] }],
      ['GET', '/v1/models/churn/live-quality?windowHours=24', undefined],
    ]);
  });

  it('warehouse: events stats, failed events and their replay (with its Idempotency-Key), lineage, import runs; one feature view', async () => {
    const stats = { from: 'a', to: 'b', bucket: 'hour', buckets: [], totals: { accepted: 1, rejected: 2, duplicates: 0 }, topCodes: [], topEvents: [] };
    server = await standInServer((req) =>
      req.url.includes('/v1/events/stats')
        ? { json: stats }
        : req.url.endsWith('/v1/failed-events/replay')
          ? { status: 400, json: { error: 'name the failed events to replay', code: 'REPLAY_FILTER_REQUIRED', details: [] } }
          : { json: { items: [], nextCursor: null, nodes: [], edges: [] } },
    );
    const warehouse = new WarehouseClient({ baseUrl: `${server.url}/api/dwh-ingest` });
    expect(await warehouse.eventStats({ from: '2026-12-07T00:00:00Z', bucket: 'hour', top: 5 })).toEqual(stats);
    await warehouse.failedEvents({ code: 'UNPLANNED_EVENT', status: 'pending', limit: 50, cursor: '42' });
    await expect(warehouse.replayFailedEvents({}, { idempotencyKey: 'k-1' })).rejects.toMatchObject({ status: 400, code: 'REPLAY_FILTER_REQUIRED' });
    await warehouse.lineage();
    await new ImportsClient({ baseUrl: server.url }).runs({ source: 'orders', limit: 10, cursor: 'c' });
    await new FeaturesClient({ baseUrl: server.url }).featureView('orders/x');
    expect(server.received.map(call)).toEqual([
      ['GET', '/api/dwh-ingest/v1/events/stats?from=2026-12-07T00%3A00%3A00Z&bucket=hour&top=5', undefined],
      ['GET', '/api/dwh-ingest/v1/failed-events?code=UNPLANNED_EVENT&status=pending&limit=50&cursor=42', undefined],
      ['POST', '/api/dwh-ingest/v1/failed-events/replay', {}],
      ['GET', '/api/dwh-ingest/v1/lineage', undefined],
      ['GET', '/v1/imports/runs?source=orders&limit=10&cursor=c', undefined],
      ['GET', '/v1/feature-views/orders%2Fx', undefined],
    ]);
    expect(server.received[2].headers['idempotency-key']).toBe('k-1');
  });
});
