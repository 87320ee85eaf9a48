// The platform's main job, run by `npm start` once the services are ready: a realistic product
// history goes through the warehouse, becomes marts, features, a baseline and a trained model that
// must beat it, a promoted champion and live predictions. Each step is recorded in
// .data/demo/state.json, so a later start reuses the data and resumes instead of starting over.
import fs from 'node:fs';
import path from 'node:path';
import { createProductWorld, rankAuc, worldFromManifest, DAY_MS, DEFAULT_MANIFEST } from '../demo/product-history.mjs';
import { sendHistory } from '../demo/send-events.mjs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../cli/program.mjs';

/** The shop's project files, in this repository (the job's `root` is where its data lives). */
const SHOP_PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/acme-shop');

export const URLS = {
  dwh: 'http://127.0.0.1:3001',
  features: 'http://127.0.0.1:3002',
  trainer: 'http://127.0.0.1:3003',
  serving: 'http://127.0.0.1:3004',
};
export const MODEL = 'purchase_propensity';
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * `DEMO_SCENARIO=shift`: the history holds a behaviour change of one segment that began six weeks
 * ago (US users browse 4x as much and order a quarter as often), and the first champion is the
 * model the platform would have trained the day it began (`overrides.end`). Labels take 7 days, so
 * this is how a demo can compress time honestly: once live predictions flow (the simulator), drift,
 * retraining, the gate and a new champion follow with nobody touching anything.
 */
export const SHIFT_SCENARIO = { daysAgo: 42, country: 'US', orderFactor: 0.25, sessionFactor: 4 };

/** `POST /v1/model-specs`, naming the spec's project when one owns it (otherwise the trainer answers 409). */
const declareSpec = (urls, spec, project) => http('POST', `${urls.trainer}/v1/model-specs${project ? `?project=${encodeURIComponent(project)}` : ''}`, spec);

/** While the as-of champion is trained, new data must not retrain the model on its own. */
async function holdAutomaticRetraining(urls) {
  const record = await http('GET', `${urls.trainer}/v1/model-specs/${MODEL}`);
  const { schedule, ...held } = record.spec;
  void schedule;
  await declareSpec(urls, { ...held, triggers: { onDrift: true } }, record.project);
  return { spec: record.spec, project: record.project ?? null };
}

/**
 * The services define nothing themselves: the shop is a project like any other (examples/acme-shop),
 * applied through the public CLI exactly as a team applies its own (`npx mlp apply examples/acme-shop`).
 * Applying an unchanged project changes nothing, so a restart re-applies it safely.
 */
async function applyShopProject({ urls, say, env }) {
  let pending = '';
  const out = new Writable({
    write(chunk, _enc, done) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const l of lines) if (l.trim()) say(`project:   ${l}`);
      done();
    },
  });
  const cliEnv = { ...env, MLP_DWH_URL: urls.dwh, MLP_FEATURES_URL: urls.features, MLP_TRAINER_URL: urls.trainer, MLP_SERVING_URL: urls.serving };
  const code = await runCli(['apply', SHOP_PROJECT, '--yes'], { stdout: out, stderr: out, env: cliEnv, cwd: path.dirname(SHOP_PROJECT) });
  if (pending.trim()) say(`project:   ${pending}`);
  if (code !== 0) throw new Error(`mlp apply examples/acme-shop failed (exit ${code}); see the lines above`);
}

export async function http(method, url, body, { ok = [200, 201, 202], timeoutMs = 600_000 } = {}) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { text };
  }
  if (!ok.includes(res.status)) {
    const err = new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
    err.status = res.status;
    err.body = json;
    throw err;
  }
  return json;
}

export async function poll(check, { timeoutMs = 600_000, intervalMs = 1000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function loadState(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

const fmt = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));
const metric = (v) => (typeof v === 'number' ? v.toFixed(4) : 'n/a');

/** Runs (or resumes) the demo; returns the summary it printed. */
export async function runDemoPipeline({ root, say, env = process.env, urls = URLS }) {
  const stateFile = path.join(root, '.data', 'demo', 'state.json');
  const manifestPath = path.join(root, '.data', 'demo', 'history.json');
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  const state = loadState(stateFile);
  const save = () => fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);

  const scenario = env.DEMO_SCENARIO ?? 'steady';
  if (!['steady', 'shift'].includes(scenario)) throw new Error(`DEMO_SCENARIO must be steady or shift, got ${scenario}`);
  say('project: applying examples/acme-shop (npx mlp apply examples/acme-shop)');
  await applyShopProject({ urls, say, env });

  // 1. The product's history, sent the way a product platform sends it.
  let world;
  if (state.history && fs.existsSync(manifestPath)) {
    world = worldFromManifest(manifestPath);
    say(`history: reusing ${fmt(world.users.length)} users already sent (${fmt(state.history.totals.accepted)} events accepted)`);
    const sent = state.scenario?.name ?? 'steady';
    if (sent !== scenario) say(`history: DEMO_SCENARIO=${scenario} ignored: this data was generated as '${sent}' (remove .data/ to start over)`);
  } else {
    const end = Math.floor(Date.now() / 60_000) * 60_000;
    const { daysAgo, ...change } = SHIFT_SCENARIO;
    const shifts = scenario === 'shift' ? [{ from: end - daysAgo * DAY_MS, ...change }] : [];
    world = createProductWorld({
      users: Number(env.DEMO_USERS ?? 3000),
      weeks: Number(env.DEMO_WEEKS ?? 12),
      seed: Number(env.DEMO_SEED ?? 42),
      end,
      shifts,
    });
    if (scenario === 'shift') {
      const held = await holdAutomaticRetraining(urls);
      state.scenario = { name: 'shift', since: new Date(shifts[0].from).toISOString(), ...change, spec: held.spec, project: held.project };
      save();
      say(`scenario: since ${state.scenario.since.slice(0, 10)} ${change.country} users browse x${change.sessionFactor} and order x${change.orderFactor}; the champion will be trained as of that day`);
    }
    say(`history: ${fmt(world.users.length)} users over ${(world.end - world.start) / (7 * 86_400_000)} weeks -> POST ${urls.dwh}/v1/batch`);
    const sent = await sendHistory(world, { baseUrl: urls.dwh, manifestPath, truthSource: 'true_propensity', progress: env.DEMO_PROGRESS === 'off' ? null : process.stderr });
    if (sent.totals.unsent > 0 || sent.spend?.error) {
      throw new Error(`sending the history did not finish: ${JSON.stringify(sent.totals)} ${sent.spend?.error ?? ''}`);
    }
    if (sent.truth?.error) say(`history: the true propensities could not be imported (${sent.truth.error}); the summary will lack that comparison`);
    state.history = { totals: sent.totals, seconds: sent.seconds, spend: sent.spend, truth: sent.truth };
    save();
    say(`history: ${fmt(sent.totals.accepted)} events accepted, ${fmt(sent.totals.rejected)} rejected (kept in failed events), ${fmt(sent.totals.duplicates)} duplicates, in ${sent.seconds.toFixed(1)} s`);
  }

  // 2. Marts, built in dependency order and tested.
  say(`marts: building and testing (POST ${urls.dwh}/v1/transformations/run)`);
  const run = await runTransformations(urls);
  state.transformations = summariseTransformations(run);
  save();
  for (const line of state.transformations.lines) say(`marts:   ${line}`);

  // 3. Features: the mart refresh triggers materialization; make sure it has run up to now.
  say(`features: materializing the online store (POST ${urls.features}/v1/materialize-incremental)`);
  await materializeOnline(urls, say);

  // 4. A baseline (the proof of concept), then the real model that must beat it.
  if (!state.training?.model) {
    state.training = state.training ?? {};
    const asOf = state.scenario ? { end: state.scenario.since } : {};
    if (!state.training.baseline) {
      state.training.baseline = await train(urls, say, { algorithm: { kind: 'baseline' }, ...asOf }, 'baseline');
      save();
    }
    state.training.model = await train(urls, say, state.scenario ? asOf : undefined, state.scenario ? `model (as of ${state.scenario.since.slice(0, 10)})` : 'model');
    save();
  } else say(`training: reusing run ${state.training.model.id} (champion v${state.training.model.modelVersion ?? '?'})`);

  if (state.scenario && !state.scenario.restored) {
    // Automation back on: drift, new marts and the schedule retrain from here.
    await declareSpec(urls, state.scenario.spec, state.scenario.project);
    state.scenario.restored = true;
    save();
  }

  // 5. Serving picks up the champion (model.promoted event, or its periodic reconcile).
  say(`serving: waiting for model-serving to load the champion of ${MODEL}`);
  // The champion the registry names, not whichever version serving had loaded before the promotion arrived.
  state.champion = await championOf(urls);
  await poll(
    async () => {
      const r = await http('GET', `${urls.serving}/v1/models/${MODEL}`, undefined, { ok: [200, 404] });
      const available = (r.model_version_status ?? []).some((v) => v.state === 'AVAILABLE' && Number(v.version) === state.champion?.version);
      return available && r.labels?.champion === state.champion?.version ? true : undefined;
    },
    { what: 'the champion to be served', timeoutMs: 180_000 },
  );
  const userId = world.users[0].id;
  const prediction = await http('POST', `${urls.serving}/v1/models/${MODEL}/predict-entities`, { entities: { user_id: [userId] } });
  state.prediction = { userId, prediction };
  save();

  const summary = summarise(state, world, urls);
  for (const line of summary) say(line);
  return summary;
}

/** Materializes every online view up to now and waits for it (a failed view throws). */
export async function materializeOnline(urls, say) {
  const mats = await http('POST', `${urls.features}/v1/materialize-incremental`, { end: new Date().toISOString() });
  const ids = (mats.materializations ?? []).map((m) => m.id);
  const done = await Promise.all(
    ids.map((id) =>
      poll(
        async () => {
          const m = await http('GET', `${urls.features}/v1/materializations/${id}`);
          return ['succeeded', 'failed'].includes(String(m.status).toLowerCase()) ? m : undefined;
        },
        { what: `materialization ${id}` },
      ),
    ),
  );
  for (const m of done) say(`features:   ${m.view}@v${m.version}: ${String(m.status).toLowerCase()}, ${fmt(m.rows_written)} rows written to the online store`);
  const failedMats = done.filter((m) => String(m.status).toLowerCase() !== 'succeeded');
  if (failedMats.length) throw new Error(`materialization failed: ${failedMats.map((m) => `${m.view}: ${m.error}`).join('; ')}`);
  return done;
}

export async function runTransformations(urls) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await http('POST', `${urls.dwh}/v1/transformations/run`, {});
    } catch (err) {
      // Another run (the schedule) holds the lock: wait for it and try again.
      if (err.status !== 409 || attempt > 60) throw err;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

function summariseTransformations(run) {
  const models = run.models ?? run.results ?? [];
  const lines = models.map((m) => {
    const tests = m.tests ?? [];
    const failed = tests.filter((t) => t.status && t.status !== 'pass' && t.status !== 'passed');
    return `${m.name ?? m.model}: ${m.status}${m.rowsAffected !== undefined ? `, ${fmt(m.rowsAffected)} rows` : ''}, tests ${tests.length - failed.length}/${tests.length} passed`;
  });
  return { status: run.status, lines: lines.length ? lines : [`run ${run.id ?? ''}: ${run.status}`] };
}

/** Queues a training run of the demo model (waiting out a run already under way) and waits for its end. */
export async function train(urls, say, overrides, label) {
  const body = { model: MODEL, ...(overrides ? { overrides } : {}) };
  let accepted;
  for (;;) {
    try {
      accepted = await http('POST', `${urls.trainer}/v1/training-runs`, body);
      break;
    } catch (err) {
      // A run the mart refresh triggered is under way: let it finish, then ask for ours.
      if (err.status !== 409) throw err;
      say(`training: another ${MODEL} run is in progress (triggered by the new data); waiting for it`);
      await poll(
        async () => {
          const active = await Promise.all(['queued', 'running'].map((status) => http('GET', `${urls.trainer}/v1/training-runs?model=${MODEL}&status=${status}`)));
          return active.every((r) => r.runs.length === 0);
        },
        { what: 'the running training run', timeoutMs: 1_800_000, intervalMs: 2000 },
      );
    }
  }
  say(`training: ${label} run ${accepted.id} queued`);
  let lastProgress = -1;
  const run = await poll(
    async () => {
      const r = await http('GET', `${urls.trainer}/v1/training-runs/${accepted.id}`);
      const pct = Math.round((r.progress ?? 0) * 100);
      if (pct >= lastProgress + 20 || (TERMINAL.has(r.status) && pct !== lastProgress)) {
        lastProgress = pct;
        const curve = r.curves?.at(-1);
        say(`training:   ${label} ${r.status} ${pct}%${curve ? ` epoch ${curve.epoch} loss ${curve.loss.toFixed(4)}` : ''}`);
      }
      return TERMINAL.has(r.status) ? r : undefined;
    },
    { what: `${label} training run`, timeoutMs: 1_800_000, intervalMs: 1500 },
  );
  if (run.status !== 'succeeded') throw new Error(`${label} training ${run.status}: ${run.error ?? ''}`);
  say(`training: ${label} v${run.modelVersion} ${run.gate?.promoted ? 'PROMOTED to champion' : 'kept as candidate'}: ${run.gate?.reason ?? ''}`);
  return run;
}

function summarise(state, world, urls) {
  const h = state.history.totals;
  const c = state.champion;
  const lines = [
    '',
    '================ the platform is running ================',
    `events:    ${fmt(h.accepted)} accepted, ${fmt(h.rejected)} rejected (see ${urls.dwh}/v1/failed-events), ${fmt(h.duplicates)} duplicates`,
    `marts:     ${state.transformations.status}; freshness and data tests at ${urls.dwh}/v1/sla`,
  ];
  if (c) {
    const m = c.metrics ?? {};
    const own = m.candidate ?? {};
    const vsTruth = typeof m.reference?.auc === 'number' ? `, true propensities ${metric(m.reference.auc)} (gap ${(m.reference.auc - own.auc).toFixed(4)})` : ', true propensities not imported';
    lines.push(`champion:  ${MODEL} v${c.version} (${c.backend ?? 'tfjs'}), held-out AUC ${metric(own.auc)} vs baseline ${metric(m.baseline?.auc)}${vsTruth}`);
  } else lines.push(`champion:  none yet for ${MODEL}`);
  lines.push(`serving:   version ${state.champion?.version} live; ${state.prediction.userId} -> ${JSON.stringify(firstScore(state.prediction.prediction))}`);
  lines.push('try it:');
  lines.push(`  curl -s -X POST ${urls.serving}/v1/models/${MODEL}/predict-entities -H 'content-type: application/json' -d '{"entities": {"user_id": ["${world.users[1].id}"]}}'`);
  lines.push(`  node tools/demo/status.mjs          # health, SLAs, champion, drift, webhooks`);
  lines.push(`  node tools/demo/simulator.mjs       # live traffic; --shift to cause drift and retraining`);
  if (state.scenario) {
    lines.push(
      `scenario:  the champion knows the shop as of ${state.scenario.since.slice(0, 10)}; ${state.scenario.country} users have behaved differently since.`,
      `           Start the simulator: its predictions show the drift, the trainer retrains, and the gate promotes a new champion.`,
    );
  }
  return lines;
}

/** The champion as the registry has it, with the held-out metrics of the run that produced it. */
async function championOf(urls) {
  const model = await http('GET', `${urls.trainer}/v1/models/${MODEL}`, undefined, { ok: [200, 404] });
  const version = model.aliases?.champion ?? model.champion ?? null;
  if (!version) return undefined;
  const v = await http('GET', `${urls.trainer}/v1/models/${MODEL}/versions/${version}`);
  const runId = v.runId ?? v.lineage?.runId ?? v.lineage?.run;
  const run = runId ? await http('GET', `${urls.trainer}/v1/training-runs/${runId}`, undefined, { ok: [200, 404] }) : {};
  return { version, runId, metrics: run.metrics ?? v.metrics ?? {}, backend: run.backend ?? v.lineage?.backend };
}

function firstScore(p) {
  const r = p.predictions?.[0] ?? p.results?.[0] ?? p;
  return { score: r.score, version: r.version ?? r.model_version, arm: r.arm };
}

export { rankAuc, DEFAULT_MANIFEST };
