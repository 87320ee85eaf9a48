// `mlp` commands against stand-ins for the four services: what each command sends (bodies,
// headers, order), what it prints, and its exit code.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApplyRequests } from './project/apply-requests.mjs';
import { checkProject } from './project/check-project.mjs';
import { runCli } from './program.mjs';
import { closedPortUrl, sink, startStandIns } from './stand-in-services.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const VALID = path.join(here, 'test-fixtures/valid');
const INVALID = path.join(here, 'test-fixtures/invalid');
const TOKEN = 'tok-3f9a1c-secret';

let svc;
let tmp;
before(async () => {
  svc = await startStandIns();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-cli-'));
});
after(async () => {
  await svc.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => svc.reset());

async function mlp(args, { env = {}, cwd = tmp, stdin } = {}) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(args, { stdout, stderr, stdin: stdin ?? { isTTY: false }, cwd, env: { ...svc.env, MLP_TOKEN: TOKEN, ...env } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const plan = (over = {}) => ({ created: [], changed: [], removed: [], unchanged: [], ...over });
const warehousePlan = (dry) => plan({ project: 'shop-analytics', dry_run: dry, version: dry ? 0 : 1, created: [{ kind: 'source', name: 'orders' }, { kind: 'model', name: 'stg_orders' }], changed: [{ kind: 'kpi', name: 'orders_per_day', fields: ['sql'], changes: ['recomputed'] }] });
const featuresPlan = (dry) => plan({ dry_run: dry, created: [{ kind: 'feature_view', name: 'customer_orders', version: 1 }], sources: [] });
const specsPlan = (dry) => plan({ project: 'shop-analytics', dry_run: dry, unchanged: [{ name: 'churn' }] });

function routeApplies({ features } = {}) {
  svc.route('dwh', 'POST /v1/warehouse/apply', (r) => ({ body: warehousePlan(r.body.dry_run) }));
  svc.route('features', 'POST /v1/apply', features ?? ((r) => ({ body: featuresPlan(r.body.dry_run) })));
  svc.route('trainer', 'POST /v1/model-specs/apply', (r) => ({ body: specsPlan(r.body.dry_run) }));
}

const expectedBodies = (options) => buildApplyRequests(checkProject(VALID), options).map((r) => r.body);

describe('mlp validate', () => {
  it('exits 0 on a valid project and sends nothing', async () => {
    const r = await mlp(['validate', VALID]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^project shop-analytics is valid: 1 source, 1 event schema, 2 models, 1 outcome, 1 KPI, 1 entity, 1 feature view, 1 feature service, 1 model spec$/m);
    assert.equal(svc.requests.length, 0);
  });

  it('exits 2 and lists every problem with file, line and field', async () => {
    const r = await mlp(['validate', '--dir', INVALID]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^mlp: 12 problems in the project files/);
    assert.match(r.stderr, /^ {2}models\/mart_customer_orders.yaml:8 tests\[1\].column: must match/m);
    assert.match(r.stderr, /^ {2}models\/stg_orders.sql:3 materialized: must be one of/m);
    assert.match(r.stderr, /^ {2}training\/churn_rule.yaml:10 algorithm.expression: the rule names basket, .* \(RULE_UNKNOWN_FEATURE\)$/m);
  });

  it('with --json prints one JSON document, errors included', async () => {
    const r = await mlp(['validate', INVALID, '--json']);
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.error.code, 'INVALID_PROJECT');
    assert.equal(doc.error.exitCode, 2);
    assert.deepEqual(doc.error.problems.find((p) => p.file === 'models/stg_orders.sql'), { file: 'models/stg_orders.sql', line: 3, path: 'materialized', message: 'must be one of "view", "table", "incremental"', severity: 'error' });
  });
});

describe('mlp plan', () => {
  it('dry-runs all three services with exactly the project\'s requests and the token in a header', async () => {
    routeApplies();
    const r = await mlp(['plan', VALID, '--full-refresh', 'orders']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      svc.requests.map((q) => `${q.service} ${q.method} ${q.path}`),
      ['dwh POST /v1/warehouse/apply', 'features POST /v1/apply', 'trainer POST /v1/model-specs/apply'],
    );
    assert.deepEqual(svc.requests.map((q) => q.body), expectedBodies({ dryRun: true, prune: false, fullRefresh: ['orders'] }));
    // The same requests, spelled out where it matters.
    assert.equal(svc.requests[0].body.dry_run, true);
    assert.deepEqual(svc.requests[0].body.full_refresh, ['orders']);
    assert.deepEqual(svc.requests[2].body.specs.map((s) => s.name), ['churn']);
    assert.equal(svc.requests[1].body.project, 'shop-analytics');
    for (const q of svc.requests) {
      assert.equal(q.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(q.headers['content-type'], 'application/json');
      assert.ok(!q.path.includes(TOKEN) && !JSON.stringify(q.query).includes(TOKEN));
    }
    assert.match(r.stdout, /^warehouse \(dwh-ingest at http:\/\/127\.0\.0\.1:\d+\)\n {2}\+ source {2}orders\n {2}\+ model {3}stg_orders\n {2}~ kpi {5}orders_per_day {2}fields: sql\n {6}recomputed$/m);
    assert.match(r.stdout, /^model specs \(trainer at .*\)\n {2}no changes \(1 unchanged\)$/m);
    assert.match(r.stdout, /Plan: 3 to create, 1 to change, 0 to remove\.$/m);
    assert.ok(!(r.stdout + r.stderr).includes(TOKEN));
  });

  it('refuses an unknown --full-refresh name before sending anything (exit 2)', async () => {
    const r = await mlp(['plan', VALID, '--full-refresh', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--full-refresh nope: not a source or model of project shop-analytics/);
    assert.equal(svc.requests.length, 0);
  });

  it('checks that a feature service the project does not declare exists on the feature store', async () => {
    const dir = path.join(tmp, 'outside-service');
    fs.cpSync(VALID, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'training/churn.yaml'), fs.readFileSync(path.join(dir, 'training/churn.yaml'), 'utf8').replace('featureService: churn_features', 'featureService: shared_features'));
    routeApplies();
    svc.route('features', 'GET /v1/feature-services/shared_features', { status: 404, body: { error: 'unknown feature service shared_features', code: 'UNKNOWN_FEATURE_SERVICE', details: [] } });
    const r = await mlp(['plan', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /training\/churn.yaml:3 featureService: no feature service shared_features in this project nor on the feature store/);
    assert.deepEqual(svc.requests.map((q) => `${q.method} ${q.path}`), ['GET /v1/feature-services/shared_features']);
    svc.route('features', 'GET /v1/feature-services/shared_features', { body: { name: 'shared_features', features: ['v:x'] } });
    svc.requests.length = 0;
    const ok = await mlp(['plan', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /warning: training\/churn.yaml:3 featureService: feature service shared_features is not in this project/);
  });

  it('exits 3 when a service cannot be reached', async () => {
    routeApplies();
    const r = await mlp(['plan', VALID], { env: { MLP_TRAINER_URL: await closedPortUrl() } });
    assert.equal(r.code, 3);
    assert.match(r.stdout, /model specs \(trainer at .*\)\n {2}! trainer is unreachable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});

describe('mlp apply', () => {
  it('with --yes applies warehouse, features and model specs in that order, for real', async () => {
    routeApplies();
    const r = await mlp(['apply', VALID, '--yes', '--prune']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(svc.requests.map((q) => q.body), expectedBodies({ dryRun: false, prune: true }));
    assert.deepEqual(svc.requests.map((q) => q.service), ['dwh', 'features', 'trainer']);
    assert.match(r.stdout, /Applied: 3 created, 1 changed, 0 removed\.$/m);
  });

  it('stops at the first service that refuses: later services are not called, the refusal is told in file terms', async () => {
    routeApplies({
      features: (q) =>
        q.body.dry_run
          ? { body: featuresPlan(true) }
          : { status: 400, body: { error: 'invalid feature view', code: 'VALIDATION_FAILED', details: [{ path: '$.feature_views[0].source.sql', code: 'SOURCE_INVALID', message: 'column revenue does not exist' }] } },
    });
    const r = await mlp(['apply', VALID, '--yes']);
    assert.equal(r.code, 1);
    assert.deepEqual(svc.requests.map((q) => `${q.service} ${q.body.dry_run}`), ['dwh false', 'features false']);
    assert.match(r.stdout, /features \(feature-store at .*\)\n {2}! feature-store refused \(HTTP 400 VALIDATION_FAILED\): invalid feature view\n {6}features\/customers.yaml:14 feature_views\[0\]\.source\.sql: column revenue does not exist \(SOURCE_INVALID\)/);
    assert.match(r.stdout, /model specs \(trainer at .*\)\n {2}\(not applied\)/);
    assert.match(r.stderr, /apply stopped: feature-store refused the features; applied before it: warehouse; not applied: model specs/);
  });

  it('a name another project owns (409) stops the apply at the warehouse', async () => {
    routeApplies();
    svc.route('dwh', 'POST /v1/warehouse/apply', {
      status: 409,
      body: { error: 'model stg_orders is owned by project billing', code: 'NAME_OWNED_BY_ANOTHER_PROJECT', details: [{ path: '$.models[1].name', code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: 'owned by project billing' }] },
    });
    const r = await mlp(['apply', VALID, '--yes', '--json']);
    assert.equal(r.code, 1);
    assert.equal(svc.requests.length, 1);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.applied, false);
    assert.equal(doc.services.warehouse.error.code, 'NAME_OWNED_BY_ANOTHER_PROJECT');
    assert.deepEqual(doc.services.warehouse.error.problems[0], { file: 'models/stg_orders.sql', line: 1, path: 'name', message: 'owned by project billing (NAME_OWNED_BY_ANOTHER_PROJECT)', code: 'NAME_OWNED_BY_ANOTHER_PROJECT' });
    assert.deepEqual(doc.services.features, { skipped: true });
  });

  it('without --yes and off a terminal sends nothing (exit 2)', async () => {
    routeApplies();
    const r = await mlp(['apply', VALID]);
    assert.equal(r.code, 2);
    assert.equal(svc.requests.length, 0);
    assert.match(r.stderr, /apply needs --yes when its input is not a terminal/);
  });

  it('without --yes on a terminal shows the plan, asks, and applies only on yes', async () => {
    routeApplies();
    const { PassThrough } = await import('node:stream');
    const answer = (text) => {
      const stdin = new PassThrough();
      stdin.isTTY = true;
      setTimeout(() => stdin.write(`${text}\n`), 20);
      return stdin;
    };
    const no = await mlp(['apply', VALID], { stdin: answer('n') });
    assert.equal(no.code, 1);
    assert.deepEqual(svc.requests.map((q) => q.body.dry_run), [true, true, true]);
    assert.match(no.stderr, /Apply these changes to project shop-analytics\? \[y\/N\]/);
    svc.requests.length = 0;
    const yes = await mlp(['apply', VALID], { stdin: answer('yes') });
    assert.equal(yes.code, 0, yes.stderr);
    assert.deepEqual(svc.requests.map((q) => q.body.dry_run), [true, true, true, false, false, false]);
    assert.match(yes.stdout, /Plan: 3 to create[\s\S]*Applied: 3 created/);
  });

  it('without --yes and nothing to change says so and exits 0 without asking', async () => {
    svc.route('dwh', 'POST /v1/warehouse/apply', (q) => ({ body: plan({ project: 'shop-analytics', dry_run: q.body.dry_run, version: 1, unchanged: [{ kind: 'source', name: 'orders' }] }) }));
    svc.route('features', 'POST /v1/apply', (q) => ({ body: plan({ dry_run: q.body.dry_run, sources: [] }) }));
    svc.route('trainer', 'POST /v1/model-specs/apply', (q) => ({ body: specsPlan(q.body.dry_run) }));
    const r = await mlp(['apply', VALID], { stdin: { isTTY: true } });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Nothing to apply\.$/m);
    assert.equal(svc.requests.length, 3);
  });
});

describe('mlp import', () => {
  it('streams the file with its content type and the file digest as Idempotency-Key, and prints the counts', async () => {
    const file = path.join(tmp, 'orders.csv');
    const content = 'order_id,customer_id,amount,ordered_at\no1,c1,10.5,2026-01-01T00:00:00Z\no2,c2,-1,2026-01-02T00:00:00Z\n';
    fs.writeFileSync(file, content);
    svc.route('dwh', 'POST /v1/imports/orders', (q) => ({ status: 201, body: { importId: 'imp-1', source: 'orders', status: 'completed', rowsAccepted: 1, rowsRejected: 1, idempotencyKey: q.headers['idempotency-key'], replayed: false, startedAt: 'a', finishedAt: 'b' } }));
    const r = await mlp(['import', 'orders', 'orders.csv']);
    assert.equal(r.code, 0, r.stderr);
    const q = svc.requests[0];
    assert.equal(q.raw.toString('utf8'), content);
    assert.equal(q.headers['content-type'], 'text/csv');
    assert.equal(q.headers['idempotency-key'], `sha256-${createHash('sha256').update(content).digest('hex')}`);
    assert.equal(q.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(r.stdout, /^import\s+source\s+accepted\s+rejected\s+replayed\nimp-1\s+orders\s+1\s+1\s+no$/m);
    assert.match(r.stderr, /1 row rejected: GET http:\/\/127\.0\.0\.1:\d+\/v1\/imports\/runs\/imp-1\/rejected-rows/);
  });

  it('takes NDJSON by extension or --format, and refuses an unknown format (exit 2)', async () => {
    fs.writeFileSync(path.join(tmp, 'rows.jsonl'), '{"a":1}\n');
    fs.writeFileSync(path.join(tmp, 'rows.txt'), '{"a":1}\n');
    svc.route('dwh', 'POST /v1/imports/orders', { status: 200, body: { importId: 'imp-2', source: 'orders', rowsAccepted: 1, rowsRejected: 0, replayed: true } });
    assert.equal((await mlp(['import', 'orders', 'rows.jsonl'])).code, 0);
    assert.equal(svc.requests[0].headers['content-type'], 'application/x-ndjson');
    assert.equal((await mlp(['import', 'orders', 'rows.txt', '--format', 'ndjson', '--idempotency-key', 'k-1'])).code, 0);
    assert.equal(svc.requests[1].headers['idempotency-key'], 'k-1');
    const bad = await mlp(['import', 'orders', 'rows.txt']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot tell the format of .*rows.txt/);
    assert.equal((await mlp(['import', 'orders', 'missing.csv'])).code, 2);
    assert.equal(svc.requests.length, 2);
  });

  it('a refused import exits 1 with the service\'s code', async () => {
    fs.writeFileSync(path.join(tmp, 'x.csv'), 'a\n1\n');
    svc.route('dwh', 'POST /v1/imports/nosuch', { status: 404, body: { error: 'unknown source nosuch', code: 'UNKNOWN_SOURCE', details: [] } });
    const r = await mlp(['import', 'nosuch', 'x.csv']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^mlp: dwh-ingest refused \(HTTP 404 UNKNOWN_SOURCE\): unknown source nosuch$/m);
  });
});

describe('mlp run', () => {
  const runAnswer = (status, models) => ({ runId: 'run-1', trigger: 'api', status, startedAt: 'a', finishedAt: 'b', models });
  const model = (name, status, tests = [], error) => ({ model: name, materialized: 'table', status, rowsAffected: 3, watermark: null, durationMs: 12, tests, ...(error ? { error } : {}) });

  it('sends the models and full refresh, prints each model and exits 0 on success', async () => {
    svc.route('dwh', 'POST /v1/transformations/run', { body: runAnswer('success', [model('stg_orders', 'built'), model('mart_customer_orders', 'unchanged')]) });
    const r = await mlp(['run', 'stg_orders', '--full-refresh']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(svc.requests[0].body, { models: ['stg_orders'], fullRefresh: true });
    assert.match(r.stdout, /^stg_orders\s+table\s+built\s+3\s+12\s+-$/m);
    const all = await mlp(['run']);
    assert.equal(all.code, 0);
    assert.deepEqual(svc.requests[1].body, {});
  });

  it('prints failing tests with a sample and exits 1 when an error test failed', async () => {
    svc.route('dwh', 'POST /v1/transformations/run', {
      body: runAnswer('tests_failed', [model('mart_customer_orders', 'built', [{ test: 'unique(customer_id)', severity: 'error', status: 'fail', failures: 2, sample: [{ customer_id: 'c1', n: 2 }] }, { test: 'not_null(customer_id)', severity: 'error', status: 'pass', failures: 0, sample: [] }])]),
    });
    const r = await mlp(['run']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /1\/2 passed/);
    assert.match(r.stdout, /^ {2}mart_customer_orders\s+unique\(customer_id\)\s+error\s+2\s+\[\{"customer_id":"c1","n":2\}\]$/m);
  });

  it('exits 1 when a model failed and says why', async () => {
    svc.route('dwh', 'POST /v1/transformations/run', { body: runAnswer('failed', [model('stg_orders', 'failed', [], 'relation "src_orders" does not exist'), model('mart_customer_orders', 'skipped', [], 'an upstream model failed')]) });
    const r = await mlp(['run']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^failed: stg_orders: relation "src_orders" does not exist$/m);
  });
});

describe('mlp train, runs, promote, rollback', () => {
  const finished = {
    id: 'r-1', model: 'churn', status: 'succeeded', progress: 1, durationMs: 4200, modelVersion: 4, error: null,
    metrics: { candidate: { auc: 0.81234, log_loss: 0.4 }, baseline: { auc: 0.5, log_loss: 0.69 } },
    gate: { promoted: true, reason: 'beats the champion by 0.02', code: 'PROMOTED', comparedWith: 'champion', candidate: 0.81234, reference: 0.79, referenceVersion: 3 },
  };

  it('train --wait polls to the end and prints metrics and the gate decision', async () => {
    let polls = 0;
    svc.route('trainer', 'POST /v1/training-runs', { status: 202, body: { id: 'r-1', status: 'queued' } });
    svc.route('trainer', 'GET /v1/training-runs/r-1', () => (++polls < 3 ? { body: { ...finished, status: 'running', progress: polls / 3, metrics: null, gate: null } } : { body: finished }));
    const r = await mlp(['train', 'churn', '--wait', '--interval', '0.05']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(svc.requests[0].body, { model: 'churn' });
    assert.equal(polls, 3);
    assert.match(r.stdout, /^training run r-1 for churn: succeeded in 4\.2 s, version 4$/m);
    assert.match(r.stdout, /^candidate\s+0\.8123\s+0\.4$/m);
    assert.match(r.stdout, /^gate: promoted \(PROMOTED\): candidate 0\.8123 vs champion v3 0\.79: beats the champion by 0\.02$/m);
  });

  it('train --wait rides out a short trainer outage while polling', async () => {
    let polls = 0;
    svc.route('trainer', 'POST /v1/training-runs', { status: 202, body: { id: 'r-3', status: 'queued' } });
    svc.route('trainer', 'GET /v1/training-runs/r-3', () => (++polls === 1 ? { status: 503, body: { error: 'database down', code: 'DEPENDENCY_UNAVAILABLE', details: [] } } : { body: { ...finished, id: 'r-3' } }));
    const r = await mlp(['train', 'churn', '--wait', '--interval', '0.05']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /trainer is unreachable .* HTTP 503 DEPENDENCY_UNAVAILABLE: database down; still waiting \(1\/10\)/);
  });

  it('train --wait exits 1 when the run failed; without --wait it only starts it', async () => {
    svc.route('trainer', 'POST /v1/training-runs', { status: 202, body: { id: 'r-2', status: 'queued' } });
    svc.route('trainer', 'GET /v1/training-runs/r-2', { body: { ...finished, id: 'r-2', status: 'failed', metrics: null, gate: null, modelVersion: null, error: 'no labelled rows' } });
    const r = await mlp(['train', 'churn', '--wait', '--interval', '0.05']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error: no labelled rows/);
    const started = await mlp(['train', 'churn']);
    assert.equal(started.code, 0);
    assert.match(started.stdout, /training run r-2 for churn: queued/);
  });

  it('runs lists runs with the filters as query parameters', async () => {
    svc.route('trainer', 'GET /v1/training-runs', { body: { runs: [{ ...finished, trigger: 'api', createdAt: '2026-12-07T09:00:00.000Z' }] } });
    const r = await mlp(['runs', 'churn', '--status', 'succeeded', '--limit', '5']);
    assert.equal(r.code, 0);
    assert.deepEqual(svc.requests[0].query, { model: 'churn', status: 'succeeded', limit: '5' });
    svc.route('trainer', 'GET /v1/training-runs', { body: { runs: [] } });
    assert.match((await mlp(['runs', 'churn'])).stdout, /^no training runs of churn$/m);
    assert.match(r.stdout, /^r-1\s+churn\s+succeeded\s+api\s+2026-12-07T09:00:00.000Z\s+4\.2\s+4\s+promoted$/m);
  });

  it('promote moves the champion with the reason; a missing reason is a usage error', async () => {
    svc.route('trainer', 'POST /v1/models/churn/aliases', (q) => ({ body: { model: 'churn', alias: q.body.alias, version: q.body.version, previousVersion: 3, changed: true } }));
    const r = await mlp(['promote', 'churn', '5', '--reason', 'better offline and in the A/B test']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(svc.requests[0].body, { alias: 'champion', version: 5, reason: 'better offline and in the A/B test' });
    assert.match(r.stdout, /^champion of churn: v3 -> v5$/m);
    assert.equal((await mlp(['promote', 'churn', '5'])).code, 2);
    assert.equal((await mlp(['promote', 'churn', 'five', '--reason', 'because'])).code, 2);
    assert.equal(svc.requests.length, 1);
  });

  it('rollback without a version goes back to where the champion was before its last move', async () => {
    svc.route('trainer', 'GET /v1/models/churn/audit', { body: { model: 'churn', entries: [{ alias: 'champion', from: null, to: 2 }, { alias: 'challenger', from: null, to: 4 }, { alias: 'champion', from: 2, to: 3 }] } });
    svc.route('trainer', 'POST /v1/models/churn/aliases', (q) => ({ body: { model: 'churn', alias: 'champion', version: q.body.version, previousVersion: 3, changed: true } }));
    const r = await mlp(['rollback', 'churn', '--reason', 'live AUC dropped']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(svc.requests[1].body, { alias: 'champion', version: 2, reason: 'live AUC dropped' });
    assert.match(r.stdout, /champion of churn: v3 -> v2/);
  });
});

describe('mlp search, compare', () => {
  const R1 = '1b2c3d4e-0000-4000-8000-000000000001';
  const R2 = '1b2c3d4e-0000-4000-8000-000000000002';
  const trial = (index, runId, l2, auc) => ({ index, runId, status: 'succeeded', params: { l2 }, validationMetric: auc, metrics: null, error: null });
  const done = {
    id: 's-1', model: 'churn', status: 'succeeded', metric: 'auc', direction: 'max',
    trials: [trial(0, R1, 0, 0.71234), trial(1, R2, 0.01, 0.7345)],
    winner: { index: 1, runId: R2, params: { l2: 0.01 }, validationMetric: 0.7345 },
    finalRun: { runId: 'f-1', status: 'succeeded', modelVersion: 5, gate: { promoted: true, reason: 'beats the champion by 0.01', code: 'PROMOTED', comparedWith: 'champion', candidate: 0.74, reference: 0.73, referenceVersion: 4 } },
    error: null, errorCode: null,
  };

  it('search --wait starts the declared search, follows it and prints the trials, the winner and the gate', async () => {
    let polls = 0;
    svc.route('trainer', 'POST /v1/searches', { status: 202, body: { ...done, status: 'running', winner: null, finalRun: null } });
    svc.route('trainer', 'GET /v1/searches/s-1', () => (++polls < 2 ? { body: { ...done, status: 'registering', finalRun: null } } : { body: done }));
    const r = await mlp(['search', 'churn', '--wait', '--interval', '0.05']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(svc.requests[0].body, { model: 'churn' });
    assert.match(r.stdout, /^search s-1 for churn: succeeded \(2 trials, auc higher is better\)$/m);
    assert.match(r.stdout, /^ +1 +succeeded +0\.7345 +l2=0\.01 +winner$/m);
    assert.match(r.stdout, /^final run f-1: succeeded, version 5$/m);
    assert.match(r.stdout, /^gate: promoted \(PROMOTED\)/m);
  });

  it('search exits 1 with the code when no trial succeeded; a refused plan is the service\'s 400', async () => {
    svc.route('trainer', 'POST /v1/searches', { status: 202, body: { ...done, status: 'running', winner: null, finalRun: null } });
    svc.route('trainer', 'GET /v1/searches/s-1', { body: { ...done, status: 'failed', winner: null, finalRun: null, error: 'none of 2 trials succeeded', errorCode: 'NO_SUCCESSFUL_TRIAL' } });
    const failed = await mlp(['search', 'churn', '--wait', '--interval', '0.05']);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /^error \(NO_SUCCESSFUL_TRIAL\): none of 2 trials succeeded$/m);
    svc.route('trainer', 'POST /v1/searches', { status: 400, body: { error: 'model churn declares no search: send a plan', code: 'NO_SEARCH_PLAN', details: [] } });
    const refused = await mlp(['search', 'churn']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /declares no search/);
  });

  it('compare prints the settings that differ and the common metrics, one column per run', async () => {
    const run = (id, l2, auc) => ({ id, status: 'succeeded', trial: true, algorithm: { kind: 'logistic_regression', l2 }, metrics: { validation: { auc, rows: 30 } }, modelVersion: null });
    svc.route('trainer', 'GET /v1/runs/compare', { body: { runs: [run(R1, 0, 0.71234), run(R2, 0.01, 0.7345)], differences: ['algorithm.l2'], commonMetrics: ['validation.auc', 'validation.rows'] } });
    const r = await mlp(['compare', R1, R2]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(svc.requests[0].query, { ids: `${R1},${R2}` });
    assert.match(r.stdout, /^algorithm\.l2\s+0\s+0\.01$/m);
    assert.match(r.stdout, /^validation\.auc\s+0\.7123\s+0\.7345$/m);
    assert.equal((await mlp(['compare', R1])).code, 2);
    assert.equal((await mlp(['compare', R1, 'not-a-run'])).code, 2);
    assert.equal(svc.requests.length, 1);
  });
});

describe('mlp status', () => {
  it('shows each service\'s view of the project and exits 3 when one is unreachable', async () => {
    svc.route('dwh', 'GET /v1/projects/shop-analytics', { body: { name: 'shop-analytics', description: null, owner: 'data-team', version: 2, applied_at: '2026-12-07T09:00:00Z', applied_by: null, objects: { source: 1, model: 2 } } });
    svc.route('dwh', 'GET /v1/sla', { body: { status: 'warn', checkedAt: 'x', checks: [{ dataset: 'orders', check: 'freshness', status: 'warn', measured: 90000, warnAfter: 86400, errorAfter: 259200, reason: 'stale', since: null }, { dataset: 'events', check: 'freshness', status: 'ok', measured: 1, warnAfter: 1, errorAfter: 2, reason: 'ok', since: null }] } });
    svc.route('features', 'GET /v1/feature-views', { body: { feature_views: [{ name: 'customer_orders', version: 2, online: true, source_status: 'READY' }, { name: 'other_team_view', version: 1, online: true }] } });
    svc.route('features', 'GET /v1/freshness', { body: { status: 'OK', views: [{ view: 'customer_orders', version: 2, age_seconds: 120.4, sla_seconds: 600, status: 'OK' }] } });
    svc.route('trainer', 'GET /v1/models/churn', { body: { name: 'churn', latestVersion: 4, aliases: { champion: 3, challenger: 4 } } });
    const r = await mlp(['status', VALID], { env: { MLP_SERVING_URL: await closedPortUrl() } });
    assert.equal(r.code, 3);
    assert.match(r.stdout, /version 2, applied 2026-12-07T09:00:00Z: 1 source, 2 model/);
    assert.match(r.stdout, /^ {2}orders\s+freshness\s+warn\s+90000\s+stale$/m);
    assert.doesNotMatch(r.stdout, /^ {2}events/m);
    assert.match(r.stdout, /^ {2}customer_orders\s+2\s+yes\s+READY\s+OK\s+120$/m);
    assert.doesNotMatch(r.stdout, /other_team_view/);
    assert.match(r.stdout, /! model-serving is unreachable/);
    assert.match(r.stdout, /^ {2}churn\s+yes\s+4\s+3\s+4\s+\?$/m);
  });

  it('says when the project was never applied', async () => {
    svc.route('dwh', 'GET /v1/projects/shop-analytics', { status: 404, body: { error: 'project shop-analytics not found', code: 'PROJECT_NOT_FOUND', details: [] } });
    svc.route('trainer', 'GET /v1/models/churn', { status: 404, body: { error: 'model churn not found', code: 'MODEL_NOT_FOUND', details: [] } });
    svc.route('features', 'GET /v1/feature-views', { body: { feature_views: [] } });
    svc.route('features', 'GET /v1/freshness', { body: { status: 'OK', views: [] } });
    svc.route('serving', 'GET /v1/models/churn', { status: 404, body: { error: 'model churn not found', code: 'MODEL_NOT_FOUND', details: [] } });
    const r = await mlp(['status', VALID, '--json']);
    assert.equal(r.code, 0, r.stdout);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.warehouse.summary, null);
    assert.deepEqual(doc.models.specs, [{ name: 'churn', registered: false, latest_version: null, champion: null, challenger: null, serving: null }]);
  });

  it('a warehouse without the projects API is an error, not "never applied"', async () => {
    svc.route('features', 'GET /v1/feature-views', { body: { feature_views: [] } });
    svc.route('features', 'GET /v1/freshness', { body: { status: 'OK', views: [] } });
    const r = await mlp(['status', VALID]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /warehouse \(dwh-ingest at .*\)\n {2}! dwh-ingest refused \(HTTP 404 ROUTE_NOT_FOUND\)/);
  });
});

describe('usage errors and configuration', () => {
  it('exits 2 on an unknown command or option, 0 on --help', async () => {
    assert.equal((await mlp(['deploy'])).code, 2);
    assert.equal((await mlp(['plan', '--no-such-option'])).code, 2);
    assert.equal((await mlp(['--help'])).code, 0);
    assert.equal((await mlp(['promote', 'churn'])).code, 2);
    const json = await mlp(['plan', '--no-such-option', '--json']);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stdout).error.code, 'USAGE');
  });

  it('reads URLs and the token from a config file, flags winning over environment over file', async () => {
    svc.route('trainer', 'GET /v1/training-runs', { body: { runs: [] } });
    const cfg = path.join(tmp, 'cfg.yaml');
    fs.writeFileSync(cfg, `urls:\n  trainer: ${svc.urls.trainer}\ntoken: from-file\n`, { mode: 0o600 });
    const r = await mlp(['runs', '--config', cfg], { env: { MLP_TRAINER_URL: '', MLP_TOKEN: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(svc.requests[0].headers.authorization, 'Bearer from-file');
    await mlp(['runs', '--config', cfg, '--token', 'from-flag'], { env: { MLP_TRAINER_URL: '' } });
    assert.equal(svc.requests[1].headers.authorization, 'Bearer from-flag');
    fs.writeFileSync(cfg, 'urls:\n  trainr: http://x\n');
    const bad = await mlp(['runs', '--config', cfg]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown service trainr under urls/);
  });

  it('refuses a service URL with a query string (tokens never go in URLs)', async () => {
    const r = await mlp(['runs'], { env: { MLP_TRAINER_URL: 'http://127.0.0.1:1/?token=x' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /MLP_TRAINER_URL: a service URL has no query/);
  });
});

describe('mlp init', () => {
  it('writes a skeleton with one example of each kind that validates, and refuses to overwrite it', async () => {
    const dir = path.join(tmp, 'new-project');
    const r = await mlp(['init', dir, '--name', 'team-x']);
    assert.equal(r.code, 0, r.stderr);
    const project = checkProject(dir);
    assert.deepEqual(project.problems, []);
    assert.equal(project.name, 'team-x');
    for (const list of ['sources', 'eventSchemas', 'models', 'outcomes', 'kpis', 'entities', 'featureViews', 'featureServices', 'specs']) assert.ok(project[list].length > 0, list);
    // Editors find the schema of each file from its first line.
    const first = fs.readFileSync(path.join(dir, 'models/mart_customer_orders.yaml'), 'utf8').split('\n')[0];
    const ref = first.replace('# yaml-language-server: $schema=', '');
    assert.ok(fs.existsSync(path.resolve(dir, 'models', ref)), ref);
    assert.match(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'), /^\.mlp\/$/m);
    const inRepo = path.join(tmp, 'in-repo');
    fs.mkdirSync(inRepo);
    fs.writeFileSync(path.join(inRepo, '.gitignore'), 'node_modules/');
    assert.equal((await mlp(['init', inRepo, '--name', 'in-repo'])).code, 0);
    assert.equal(fs.readFileSync(path.join(inRepo, '.gitignore'), 'utf8'), 'node_modules/\n# Local CLI configuration (service URLs and a token): never commit it.\n.mlp/\n');
    const again = await mlp(['init', dir, '--name', 'team-x']);
    assert.equal(again.code, 2);
    assert.equal((await mlp(['init', path.join(tmp, 'Bad Name')])).code, 2);
    const url = await mlp(['init', path.join(tmp, 'p2'), '--name', 'p2', '--schema-base', 'https://example.org/schemas/project/']);
    assert.equal(url.code, 0);
    assert.equal(fs.readFileSync(path.join(tmp, 'p2/kpis/orders_per_day.yaml'), 'utf8').split('\n')[0], '# yaml-language-server: $schema=https://example.org/schemas/project/kpi.schema.json');
  });
});
