// The platform the console's browser tests (and its screenshots) run against: the four services as
// processes (platform-processes.mjs), the console as a fifth process, and real data put through the
// services' own APIs: tracking events (some rejected, so there are failed events to browse and
// replay), a mart with a feature view and service, two training runs of a small model (curves,
// calibration, a gate decision each) and V2 predictions so serving has traffic and drift to show.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';
import YAML from 'yaml';
import { createPlatformClient, PlatformApiError, TrackingClient } from '../client/from-source.mjs';
import { poll } from '../runner/demo-pipeline.mjs';
import { entryPoint } from '../runner/services.mjs';
import { root, startPlatform, waitServed } from './platform-processes.mjs';
import { seededRandom } from './seeded-random.mjs';

export const CONSOLE_MODEL = 'console_demo';
const ITEMS = 800;
const DAY = 86_400_000;

/** Customers with a few numeric and categorical features an hour before their label. */
function customers() {
  const rnd = seededRandom(22);
  const now = Date.now();
  return Array.from({ length: ITEMS }, (_, i) => {
    const labelAt = new Date(now - 40 * DAY + Math.floor((i * 40 * DAY) / ITEMS) + 60_000);
    const visits = Math.floor(rnd() * 40);
    const spend = Math.round(rnd() * rnd() * 50000) / 100;
    const tenure = Math.floor(rnd() * 700);
    const plan = rnd() < 0.1 ? null : ['free', 'plus', 'pro'][Math.floor(rnd() * 3)];
    const z = 0.08 * visits - 2 + spend / 300 - tenure / 900 + (plan === 'pro' ? 0.9 : plan === 'plus' ? 0.3 : 0);
    const label = rnd() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    return { customer_id: `c-${String(i).padStart(4, '0')}`, feature_at: new Date(labelAt.getTime() - 3_600_000), label_at: labelAt, visits, spend, tenure, plan, label };
  });
}

/** Tracking events over the last hours: most valid, some rejected for different reasons. */
export function trackingBatches(now = Date.now()) {
  const rnd = seededRandom(5);
  const events = [];
  for (let i = 0; i < 240; i++) {
    const at = new Date(now - Math.floor(rnd() * 6 * 3_600_000)).toISOString();
    const userId = `u-${Math.floor(rnd() * 50)}`;
    const kind = i % 12;
    if (kind === 0) events.push({ type: 'track', messageId: `console-bad-price-${i}`, event: 'product_viewed', userId, timestamp: at, properties: { product_id: `p-${i}`, price: 'twelve' } });
    else if (kind === 1 && i % 24 === 1) events.push({ type: 'track', messageId: `console-unplanned-${i}`, event: 'wishlist_added', userId, timestamp: at, properties: { product_id: `p-${i}` } });
    else if (kind === 2 && i % 24 === 2) events.push({ type: 'track', messageId: `console-missing-${i}`, event: 'added_to_cart', userId, timestamp: at, properties: { product_id: `p-${i}`, price: 10 } });
    else events.push({ type: 'track', messageId: `console-ok-${i}`, event: 'page_viewed', userId, timestamp: at, properties: { path: `/p/${i % 17}` } });
  }
  // A retry of a few events already sent: duplicates.
  const retries = events.slice(3, 9).filter((e) => e.messageId.startsWith('console-ok-'));
  return [events.slice(0, 120), events.slice(120), retries];
}

/**
 * The console test's warehouse project: the shop's tracking plan, a customers source imported from a
 * CSV (a few bad rows, so the import has rejected rows), and models from both sources to marts, built
 * once, so the lineage graph has sources, staging, marts (with tests and freshness) and the feature
 * view reading a mart.
 */
export const WAREHOUSE_MODELS = [
  {
    name: 'stg_console_page_views',
    layer: 'staging',
    materialized: 'view',
    description: 'Page views from the tracking events',
    sql: "SELECT message_id, user_id, properties->>'path' AS path, derived_at AS viewed_at, loaded_at FROM events WHERE event = 'page_viewed'",
  },
  {
    name: 'mart_console_page_paths',
    layer: 'marts',
    materialized: 'table',
    description: 'Views and visitors per page path',
    sql: 'SELECT path, count(*) AS views, count(DISTINCT user_id) AS visitors, max(loaded_at) AS loaded_at FROM stg_console_page_views GROUP BY path',
    tests: [{ kind: 'not_null', column: 'path' }, { kind: 'unique', columns: ['path'] }],
    freshness: { column: 'loaded_at', warn_after: '1d', error_after: '7d' },
  },
  {
    name: 'mart_console_customers',
    layer: 'marts',
    materialized: 'table',
    description: 'One row per customer: features an hour before the label',
    sql: 'SELECT customer_id, feature_at, label_at, visits, spend, tenure, plan, label, loaded_at FROM src_console_customers',
    // A warn test the data does not meet (the pro plan is not listed yet): published, and reported.
    tests: [{ kind: 'unique', columns: ['customer_id'] }, { kind: 'not_null', column: 'label' }, { kind: 'accepted_values', column: 'plan', values: ['free', 'plus'], severity: 'warn' }],
    freshness: { column: 'loaded_at', warn_after: '1d', error_after: '7d' },
  },
];

/** The customers as CSV, with three rows the source's declaration refuses. */
function customersCsv(rows) {
  const lines = ['customer_id,feature_at,label_at,visits,spend,tenure,plan,label'];
  for (const r of rows) lines.push([r.customer_id, r.feature_at.toISOString(), r.label_at.toISOString(), r.visits, r.spend, r.tenure, r.plan ?? '', r.label].join(','));
  lines.push('c-9001,2026-13-01T00:00:00Z,2026-12-01T00:00:00Z,3,10,5,free,0', 'c-9002,2026-12-01T00:00:00Z,2026-12-01T01:00:00Z,-4,10,5,plus,1', 'c-9003,2026-12-01T00:00:00Z,2026-12-01T01:00:00Z,4,10,5,pro,');
  return `${lines.join('\n')}\n`;
}

/** The seed talks to the services through the platform's client (@mlp/client), as a product team would. */
function platformClient(urls) {
  return createPlatformClient({ urls: { dwhIngest: urls.dwh, featureStore: urls.features, trainer: urls.trainer, modelServing: urls.serving }, timeoutMs: 120_000 });
}

async function seedWarehouse(urls) {
  const { warehouse, imports } = platformClient(urls);
  // The warehouse knows no events of its own: the shop's tracking plan, applied as a project would.
  const plan = YAML.parse(fs.readFileSync(`${root}/examples/acme-shop/sources/tracking-plan.yaml`, 'utf8'));
  await warehouse.applyProject({
    project: 'console-test',
    description: 'console test data',
    event_schemas: plan.events,
    sources: [
      {
        name: 'console_customers',
        description: 'Customers with their activity and whether they upgraded (console test data)',
        primary_key: ['customer_id'],
        columns: [
          { name: 'customer_id', type: 'text', required: true, pattern: '^c-[0-9]{4}$' },
          { name: 'feature_at', type: 'timestamptz', required: true },
          { name: 'label_at', type: 'timestamptz', required: true },
          { name: 'visits', type: 'bigint', required: true, minimum: 0 },
          { name: 'spend', type: 'double', required: true, minimum: 0 },
          { name: 'tenure', type: 'bigint', required: true, minimum: 0 },
          { name: 'plan', type: 'text' },
          { name: 'label', type: 'integer', required: true },
        ],
        freshness: { warn_after: '1d', error_after: '7d' },
      },
    ],
    models: WAREHOUSE_MODELS,
  });
  // One request per batch (no size or timer trigger); the third batch repeats messageIds: duplicates.
  const tracking = new TrackingClient({ baseUrl: urls.dwh, flushAt: 10_000, flushIntervalMs: 0, maxRetries: 2 });
  for (const batch of trackingBatches()) {
    for (const event of batch) tracking.track(event);
    const sent = await tracking.flush();
    if (sent.failed > 0) throw new Error(`${sent.failed} tracking events not delivered`);
  }
  await tracking.close();
  await imports.upload('console_customers', customersCsv(customers()), { format: 'csv' });
  // Built once now (a scheduled run may hold the lock for a moment), then the SLAs measured.
  const run = await poll(async () => {
    return warehouse.runTransformations({ project: 'console-test' }).catch((err) => (err instanceof PlatformApiError && err.code === 'RUN_IN_PROGRESS' ? undefined : Promise.reject(err)));
  }, { what: 'warehouse models built', timeoutMs: 60_000 });
  if (run.status !== 'success') throw new Error(`the console-test models did not build: ${JSON.stringify(run.models)}`);
  await warehouse.sla();
}

async function seedFeatures(urls) {
  const { features } = platformClient(urls);
  await features.apply({
    entities: [{ name: 'customer', join_key: 'customer_id', value_type: 'string' }],
    feature_views: [
      {
        name: 'customer_activity',
        entities: ['customer'],
        features: [
          { name: 'visits', type: 'int64' },
          { name: 'spend', type: 'float64' },
          { name: 'tenure', type: 'int64' },
          { name: 'plan', type: 'string' },
        ],
        source: { sql: 'SELECT customer_id, feature_at AS event_timestamp, visits, spend, tenure, plan FROM dwh.mart_console_customers' },
        ttl_seconds: 90 * 86400,
        online: true,
      },
    ],
    feature_services: [{ name: CONSOLE_MODEL, features: ['customer_activity:visits', 'customer_activity:spend', 'customer_activity:tenure', 'customer_activity:plan'] }],
  });
  const mats = await features.materializeIncremental({ end: new Date().toISOString(), views: ['customer_activity'] });
  for (const m of mats) {
    const done = await poll(async () => {
      const s = await features.materialization(m.id);
      return ['succeeded', 'failed'].includes(String(s.status).toLowerCase()) ? s : undefined;
    }, { what: 'materialization', timeoutMs: 120_000 });
    if (String(done.status).toLowerCase() !== 'succeeded') throw new Error(`materialization failed: ${JSON.stringify(done)}`);
  }
}

async function trainOnce(urls, overrides) {
  const { registry } = platformClient(urls);
  const { id } = await registry.startRun({ model: CONSOLE_MODEL, overrides });
  const run = await poll(async () => {
    const r = await registry.run(id);
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  }, { what: `training run ${id}`, timeoutMs: 300_000 });
  if (run.status !== 'succeeded') throw new Error(`training run ${id} ${run.status}: ${run.error}`);
  return run;
}

async function seedModels(urls) {
  const { registry } = platformClient(urls);
  await registry.putSpec({
    name: CONSOLE_MODEL,
    description: 'Will a customer upgrade within a week (console test data)',
    featureService: CONSOLE_MODEL,
    labelSource: { sql: 'SELECT customer_id, label_at AS event_timestamp, label FROM dwh.mart_console_customers', joinKeys: ['customer_id'], labelColumn: 'label' },
    task: 'binary_classification',
    algorithm: { kind: 'logistic_regression', epochs: 30, batchSize: 64, learningRate: 0.05 },
    primaryMetric: 'auc',
    split: { lookbackDays: 60, holdoutDays: 12, validationFraction: 0.15 },
    promotion: { minEvalRows: 20 },
    seed: 7,
  });
  const first = await trainOnce(urls);
  const second = await trainOnce(urls, { algorithm: { kind: 'mlp', hiddenUnits: [8], dropout: 0, epochs: 25, batchSize: 64, learningRate: 0.01 }, seed: 11 });
  const model = await registry.model(CONSOLE_MODEL);
  const champion = model.aliases?.champion ?? null;
  if (champion === null) throw new Error(`no champion after two runs: ${JSON.stringify(model)}`);
  await waitServed(urls.serving, CONSOLE_MODEL, champion);
  return { runs: [first.id, second.id], champion };
}

/**
 * The outcome that labels the model's live predictions: the customer's label in the mart, known at
 * once (no time column). Stored where the warehouse apply (`POST /v1/warehouse/apply`) keeps it.
 */
async function seedOutcome(db) {
  await db.query(`INSERT INTO dwh.projects (name, description, version) VALUES ('console-test', 'console test data', 1) ON CONFLICT (name) DO NOTHING`);
  const definition = { model: CONSOLE_MODEL, sql: 'SELECT customer_id, label FROM dwh.mart_console_customers', keys: ['customer_id'], label_column: 'label' };
  await db.query(
    `INSERT INTO dwh.project_objects (kind, name, project, definition, definition_sha256, version) VALUES ('outcome', $1, 'console-test', $2::jsonb, md5($2::text), 1)
     ON CONFLICT (kind, name) DO UPDATE SET definition = EXCLUDED.definition`,
    [CONSOLE_MODEL, JSON.stringify(definition)],
  );
}

/**
 * Real V2 predictions of held-out rows, each naming its customer (`parameters.entity`), so serving
 * has a request rate, latencies, drift and live quality to show; then the warehouse labels them.
 */
async function seedPredictions(urls, runId) {
  const { predictions, registry, warehouse } = platformClient(urls);
  const meta = await predictions.metadata(CONSOLE_MODEL);
  const holdout = await registry.holdoutPredictions(runId, { limit: 200 });
  for (let i = 0; i < holdout.rows.length; i += 20) {
    const rows = holdout.rows.slice(i, i + 20);
    await predictions.infer(CONSOLE_MODEL, {
      parameters: { entity: { customer_id: rows.map((r) => r.keys.customer_id) } },
      inputs: meta.inputs.map((input) => ({ name: input.name, datatype: input.datatype, shape: [rows.length], data: rows.map((r) => r.features[input.name] ?? null) })),
    });
  }
  // The prediction log reaches the warehouse in the background: relabel until it is there.
  await poll(async () => {
    // 409: the warehouse's own scheduled refresh is running; ask again.
    const refreshed = await warehouse.refreshOutcomes({ models: [CONSOLE_MODEL] }).catch((err) => (err instanceof PlatformApiError && err.status === 409 ? undefined : Promise.reject(err)));
    return refreshed?.models?.[0]?.labelled > 0 ? refreshed : undefined;
  }, { what: `${CONSOLE_MODEL} predictions labelled`, timeoutMs: 60_000 });
}

/** Everything the console's pages show, put through the services' APIs (the mart is written directly: the warehouse is PostgreSQL). */
export async function seedConsoleData(urls, db) {
  await seedWarehouse(urls);
  await seedFeatures(urls);
  await seedOutcome(db);
  const models = await seedModels(urls);
  await seedPredictions(urls, models.runs[0]);
  return models;
}

/**
 * Starts the console against a running platform. `env` adds to (or overrides) its environment, e.g.
 * PLATFORM_PROFILE=production with AUTH_TOKENS. Returns its URL, its output and a stop function.
 */
export async function startConsole(platform, { httpPort, tcpPort, env = {} }) {
  const entry = entryPoint(root, 'console');
  if (!fs.existsSync(entry)) throw new Error('console is not built: npx nx run console:build');
  // Another process on the port would answer the readiness probe in the console's place.
  if (await fetch(`http://127.0.0.1:${httpPort}/healthz`).then(() => true, () => false)) throw new Error(`port ${httpPort} is in use: the console cannot start there`);
  const output = [];
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: platform.databaseUrl,
      PORT: String(httpPort),
      TCP_PORT: String(tcpPort),
      DWH_INGEST_URL: platform.urls.dwh,
      FEATURE_STORE_URL: platform.urls.features,
      TRAINER_URL: platform.urls.trainer,
      MODEL_SERVING_URL: platform.urls.serving,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (c) => output.push(c.toString()));
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  try {
    await poll(async () => {
      if (child.exitCode !== null) throw new Error(`console exited ${child.exitCode}: ${output.join('').slice(-2000)}`);
      return (await fetch(`${url}/readyz`).catch(() => ({ status: 0 }))).status === 200;
    }, { what: 'console ready', timeoutMs: 60_000, intervalMs: 250 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop, output: () => output.join('') };
}

/**
 * The four services on `offset`, seeded, and the console beside them (HTTP 3005 + offset).
 * `consoleEnv` adds to the console's environment.
 */
export async function startConsolePlatform({ offset, name = 'console', consoleEnv = {} }) {
  const platform = await startPlatform({ offset, name, env: { DRIFT_MIN_OBSERVATIONS: '50', DRIFT_CHECK_INTERVAL_MS: '500', TRAFFIC_STATS_FLUSH_MS: '1000' } });
  const db = new pg.Client({ connectionString: platform.databaseUrl });
  let consoleApp;
  try {
    await db.connect();
    const models = await seedConsoleData(platform.urls, db);
    consoleApp = await startConsole(platform, { httpPort: 3005 + offset, tcpPort: 4005 + offset, env: consoleEnv });
    return {
      ...platform,
      db,
      models,
      console: consoleApp,
      stop: async () => {
        await consoleApp.stop();
        await db.end().catch(() => undefined);
        await platform.stop();
      },
    };
  } catch (err) {
    await consoleApp?.stop();
    await db.end().catch(() => undefined);
    for (const tail of platform.logTails()) process.stderr.write(`${tail}\n`);
    await platform.stop();
    throw err;
  }
}
