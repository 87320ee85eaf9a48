// Teams bring their own data through the public CLI, on the four services as real processes over a
// real PostgreSQL. The static example (examples/warm-colours: a CSV, no events, no timestamps) goes
// from its project files to a served V2 prediction whose answers are the trainer's own held-out
// scores, and whose live quality is computed from the project's declared outcome; a failing `error`
// data test keeps a bad file away from the published mart; the shop example applies beside it, and
// another project can neither take nor prune what a project owns.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { runCli } from '../cli/program.mjs';
import { compareExamples } from '../docs/example-shapes.mjs';
import { createPlatformClient } from '../client/from-source.mjs';
import { poll } from '../runner/demo-pipeline.mjs';
import { root, startPlatform, waitServed } from './platform-processes.mjs';

const COLOURS = path.join(root, 'examples', 'warm-colours');
const SHOP = path.join(root, 'examples', 'acme-shop');

let platform;
let urls;
let db;
/** The services through the platform's client (@mlp/client); the CLI under test uses it too. */
let api;

before(async () => {
  platform = await startPlatform({ offset: Number(process.env.E2E_PROJECTS_PORT_OFFSET ?? 27000), name: 'projects', env: { OUTCOMES_REFRESH_SECONDS: '0' } });
  urls = platform.urls;
  api = createPlatformClient({ urls: { dwhIngest: urls.dwh, featureStore: urls.features, trainer: urls.trainer, modelServing: urls.serving }, timeoutMs: 120_000 });
  db = new pg.Client({ connectionString: platform.databaseUrl });
  await db.connect();
});

after(async () => {
  await db?.end();
  await platform?.stop();
});

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs `mlp <args> --json` against this platform; answers the exit code, the JSON it printed and stderr. */
async function mlp(...args) {
  const out = sink();
  const err = sink();
  const env = { PATH: process.env.PATH, MLP_DWH_URL: urls.dwh, MLP_FEATURES_URL: urls.features, MLP_TRAINER_URL: urls.trainer, MLP_SERVING_URL: urls.serving };
  const code = await runCli([...args, '--json'], { stdout: out.stream, stderr: err.stream, env, cwd: root });
  let json;
  try {
    json = out.text() ? JSON.parse(out.text()) : undefined;
  } catch {
    json = { text: out.text() };
  }
  return { code, json, stderr: err.text(), stdout: out.text() };
}

const expectOk = (r, what) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}\n${r.stdout.slice(0, 2000)}\n${r.code === 1 ? platform.logTails(1500).join('\n') : ''}`);

function readCsv(file) {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], i === 0 ? v : Number(v)])));
}

/** AUC by counting pairs: the share of (positive, negative) pairs ranked right, ties half. */
function pairAuc(scores, labels) {
  let right = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      right += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return right / pairs;
}

const planCounts = (plan) => Object.fromEntries(['created', 'changed', 'removed'].map((k) => [k, (plan?.[k] ?? []).length]));

test('a static CSV goes from project files to a served V2 prediction, labelled by its outcome, through the CLI', { timeout: 900_000 }, async (t) => {
  const colours = readCsv(path.join(COLOURS, 'data', 'colours.csv'));
  let version;
  let runId;

  await t.test('validate and plan change nothing; apply creates everything; a second apply changes nothing', async () => {
    expectOk(await mlp('validate', COLOURS), 'validate');
    const plan = await mlp('plan', COLOURS);
    expectOk(plan, 'plan');
    assert.equal(plan.json.dry_run, true);
    assert.ok(plan.json.services.warehouse.plan.created.some((i) => i.kind === 'model' && i.name === 'mart_colours'), JSON.stringify(plan.json.services.warehouse));
    const projects = await api.warehouse.projects();
    assert.equal(JSON.stringify(projects).includes('warm-colours'), false, 'a plan wrote the project');

    const applied = await mlp('apply', COLOURS, '--yes');
    expectOk(applied, 'apply');
    assert.equal(applied.json.applied, true);
    const again = await mlp('apply', COLOURS, '--yes');
    expectOk(again, 'second apply');
    for (const [service, result] of Object.entries(again.json.services)) assert.deepEqual(planCounts(result.plan), { created: 0, changed: 0, removed: 0 }, service);
  });

  await t.test('import and run: the published mart holds exactly the CSV', async () => {
    const imported = await mlp('import', 'colours', path.join(COLOURS, 'data', 'colours.csv'));
    expectOk(imported, 'import');
    assert.equal(imported.json.rowsAccepted, colours.length);
    assert.equal(imported.json.rowsRejected, 0);
    const replay = await mlp('import', 'colours', path.join(COLOURS, 'data', 'colours.csv'));
    expectOk(replay, 'import again');
    assert.equal(replay.json.replayed, true);

    const run = await mlp('run');
    expectOk(run, 'run');
    const mart = run.json.models.find((m) => m.model === 'mart_colours');
    assert.equal(mart.status, 'built', JSON.stringify(mart));
    const { rows } = await db.query(`SELECT colour_id, r, g, b, is_warm FROM dwh.mart_colours ORDER BY colour_id`);
    assert.deepEqual(
      rows.map((r) => ({ colour_id: r.colour_id, r: Number(r.r), g: Number(r.g), b: Number(r.b), is_warm: Number(r.is_warm) })),
      [...colours].sort((a, b) => a.colour_id.localeCompare(b.colour_id)),
    );
  });

  await t.test('train through the gate, promote, and serve: V2 over raw values answers the trainer\'s own scores', async () => {
    const trained = await mlp('train', 'warm_colour', '--wait', '--interval', '0.5');
    expectOk(trained, 'train');
    assert.equal(trained.json.status, 'succeeded', JSON.stringify(trained.json.error ?? trained.json));
    version = trained.json.modelVersion;
    runId = trained.json.id;
    assert.ok(trained.json.metrics.candidate.auc > 0.9, `held-out AUC ${trained.json.metrics.candidate.auc}`);
    const registry = await api.registry.model('warm_colour');
    if (!JSON.stringify(registry).includes(`"champion":${version}`)) expectOk(await mlp('promote', 'warm_colour', String(version), '--reason', 'first model of the walkthrough'), 'promote');
    await waitServed(urls.serving, 'warm_colour', version);

    const holdout = await api.registry.holdoutPredictions(runId, { limit: 5000 });
    assert.ok(holdout.rows.length >= 80, `held-out rows: ${holdout.rows.length}`);
    const meta = await api.predictions.metadata('warm_colour');
    assert.deepEqual(meta.inputs.map((i) => [i.name, i.datatype]).sort(), [['colour_rgb:b', 'INT64'], ['colour_rgb:g', 'INT64'], ['colour_rgb:r', 'INT64']]);
    const rows = holdout.rows;
    const byId = new Map(colours.map((c) => [c.colour_id, c]));
    // The client sends what it has: the colour's channels from the CSV, and its id for the outcome.
    const inputs = ['r', 'g', 'b'].map((c) => ({ name: `colour_rgb:${c}`, datatype: 'INT64', shape: [rows.length], data: rows.map((r) => byId.get(r.keys.colour_id)[c]) }));
    const res = await api.predictions.infer('warm_colour', { id: 'walkthrough', inputs, parameters: { entity: { colour_id: rows.map((r) => r.keys.colour_id) } } });
    const got = res.outputs[0].data;
    const bad = rows.map((r, i) => [r, got[i]]).filter(([r, g]) => typeof g !== 'number' || Math.abs(g - r.score) > 1e-5);
    assert.deepEqual(bad.slice(0, 5).map(([r, g]) => ({ colour: r.keys.colour_id, served: g, trainer: r.score })), [], `${bad.length} of ${rows.length} served answers differ`);

    // Live quality from the project's outcome (the colour's known label), for a model called over V2.
    const quality = await poll(async () => {
      await api.warehouse.refreshOutcomes({});
      const q = await api.warehouse.liveQuality('warm_colour', { windowHours: 24 });
      const labelled = (q.versions ?? q.groups ?? []).reduce((n, g) => n + (g.labelled ?? 0), 0);
      return labelled >= rows.length ? q : undefined;
    }, { what: 'live predictions labelled by the outcome', timeoutMs: 120_000, intervalMs: 2000 });
    const group = (quality.versions ?? quality.groups).find((g) => Number(g.version) === Number(version));
    const want = pairAuc(got, rows.map((r) => byId.get(r.keys.colour_id).is_warm));
    assert.ok(Math.abs(group.auc - want) < 1e-9, `live AUC ${group.auc}, pairs ${want}`);
  });

  await t.test('a failing error test keeps a one-class file away from the published mart and sends nothing downstream', async () => {
    const before = await db.query(`SELECT md5(string_agg(colour_id || r || g || b || is_warm, ',' ORDER BY colour_id)) AS h, count(*)::int AS n FROM dwh.mart_colours`);
    const refreshedBefore = await db.query(`SELECT count(*)::int AS n FROM dwh.outbox WHERE payload::text LIKE '%mart_colours%'`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-bad-'));
    const bad = path.join(dir, 'warm-only.csv');
    fs.writeFileSync(bad, `colour_id,r,g,b,is_warm\n${Array.from({ length: 1200 }, (_, i) => `w${String(i).padStart(4, '0')},${200 + (i % 56)},${i % 200},${i % 40},1`).join('\n')}\n`);
    expectOk(await mlp('import', 'colours', bad), 'import of the bad file');
    const run = await mlp('run');
    assert.equal(run.code, 1, `a run with a failing error test must exit 1\n${run.stdout.slice(0, 1500)}`);
    const mart = run.json.models.find((m) => m.model === 'mart_colours');
    assert.equal(mart.status, 'failed', JSON.stringify(mart));
    const failing = mart.tests.find((x) => x.status === 'fail');
    assert.match(failing.test, /both_classes_in_proportion/);
    assert.ok(failing.sample.length >= 1, 'the run shows the offending rows');
    const after = await db.query(`SELECT md5(string_agg(colour_id || r || g || b || is_warm, ',' ORDER BY colour_id)) AS h, count(*)::int AS n FROM dwh.mart_colours`);
    assert.deepEqual(after.rows[0], before.rows[0], 'the published mart changed');
    const refreshedAfter = await db.query(`SELECT count(*)::int AS n FROM dwh.outbox WHERE payload::text LIKE '%mart_colours%'`);
    assert.equal(refreshedAfter.rows[0].n, refreshedBefore.rows[0].n, 'a mart-refreshed event was sent for a mart that failed its tests');
  });

  await t.test("the API reference's examples (written for this project) have the shape of the real answers", async () => {
    // The docs' examples name this project's objects; each route's real answer is compared with them.
    const checks = {
      dwh: [{ route: '/v1/projects/{name}', params: { name: 'warm-colours' } }, { route: '/v1/sla' }],
      features: [
        { route: '/v1/feature-views/{name}', params: { name: 'colour_rgb' } },
        { route: '/v1/feature-services/{name}', params: { name: 'warm_colour' } },
        { route: '/v1/freshness' },
      ],
      trainer: [
        { route: '/v1/models/{name}', params: { name: 'warm_colour' } },
        { route: '/v1/models/{name}/versions/{version}', params: { name: 'warm_colour', version } },
        { route: '/v1/models/{name}/versions/{version}/artifact', params: { name: 'warm_colour', version } },
        { route: '/v1/training-runs/{id}', params: { id: runId } },
      ],
      serving: [{ route: '/v2/models/{model}', params: { model: 'warm_colour' } }, { route: '/v1/models/{model}', params: { model: 'warm_colour' } }],
    };
    const differences = [];
    // CAPTURE_EXAMPLES_DIR=dir keeps each real answer (dir/<service>.<route>.json) to write the examples from.
    const captureDir = process.env.CAPTURE_EXAMPLES_DIR;
    for (const [service, routes] of Object.entries(checks)) {
      const doc = await (await fetch(`${urls[service]}/openapi.json`)).json();
      for (const r of await compareExamples({ baseUrl: urls[service], doc, routes })) {
        for (const d of r.differences) differences.push(`${service} GET ${r.route}: ${d}`);
        if (captureDir && r.answer !== undefined) {
          fs.mkdirSync(captureDir, { recursive: true });
          fs.writeFileSync(path.join(captureDir, `${service}${r.route.replace(/[/{}]+/g, '.').replace(/\.$/, '')}.json`), `${JSON.stringify(r.answer, null, 2)}\n`);
        }
      }
    }
    assert.deepEqual(differences, []);
  });

  await t.test('projects side by side: the shop applies beside it; another project can neither take nor prune its objects', async () => {
    expectOk(await mlp('apply', SHOP, '--yes'), 'apply acme-shop');
    const shop = await api.warehouse.project('acme-shop');
    assert.equal(shop.name ?? shop.project?.name, 'acme-shop');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-thief-'));
    fs.mkdirSync(path.join(dir, 'models'));
    fs.writeFileSync(path.join(dir, 'mlp.yaml'), 'name: other-team\n');
    fs.writeFileSync(path.join(dir, 'models', 'mart_colours.sql'), '/* mlp\nlayer: marts\nmaterialized: view\n*/\nSELECT colour_id FROM src_colours\n');
    const taken = await mlp('apply', dir, '--yes');
    assert.equal(taken.code, 1, taken.stdout);
    assert.match(taken.stderr + taken.stdout, /warm-colours/, 'the refusal names the owner');

    fs.rmSync(path.join(dir, 'models', 'mart_colours.sql'));
    fs.writeFileSync(path.join(dir, 'models', 'mart_other_colour_ids.sql'), '/* mlp\nlayer: marts\nmaterialized: view\n*/\nSELECT colour_id FROM mart_colours\n');
    expectOk(await mlp('apply', dir, '--yes', '--prune'), 'apply of a second project that reads the first one\'s mart');
    fs.rmSync(path.join(dir, 'models', 'mart_other_colour_ids.sql'));
    expectOk(await mlp('apply', dir, '--yes', '--prune'), 'prune of the second project');
    const owned = await db.query(`SELECT project, kind, name FROM dwh.project_objects WHERE project = 'warm-colours' ORDER BY kind, name`);
    assert.deepEqual(owned.rows.map((r) => `${r.kind}:${r.name}`), ['model:mart_colours', 'outcome:warm_colour', 'source:colours']);
    const mart = await db.query(`SELECT count(*)::int AS n FROM dwh.mart_colours`);
    assert.equal(mart.rows[0].n, 400);
    const specs = await api.registry.specs();
    assert.ok(specs.some((m) => m.spec.name === 'warm_colour'));
  });
});
