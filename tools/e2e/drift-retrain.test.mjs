// The loop's automated half, end to end in accelerated time: a segment of users changes behaviour,
// serving sees its live inputs drift away from what the champion was trained on, the drift event
// makes the trainer retrain, the gate promotes the new model because it is better on the recent
// held-out window, and serving swaps to it - with nobody touching anything after the first model.
//
// Time is compressed the honest way, by the main job's `DEMO_SCENARIO=shift`: labels need 7 days,
// so a real deployment learns a new behaviour only a week after it starts. Here the product history
// already contains six weeks of the changed behaviour, and the first champion is trained "as of" the
// day the change began (`overrides.end`), i.e. it is the model the platform would have had then.
// Everything after that (drift, retraining, gate, promotion, swap) is the platform's own doing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createPlatformClient } from '../client/from-source.mjs';
import { MODEL, poll, runDemoPipeline } from '../runner/demo-pipeline.mjs';
import { startPlatform } from './platform-processes.mjs';

let platform;
let urls;

before(async () => {
  platform = await startPlatform({
    offset: Number(process.env.E2E_DRIFT_PORT_OFFSET ?? 22000),
    name: 'drift',
    // A short window and frequent checks, so drift shows after a few hundred predictions.
    env: { DRIFT_WINDOW: '2000', DRIFT_MIN_OBSERVATIONS: '200', DRIFT_CHECK_INTERVAL_MS: '500' },
  });
  urls = platform.urls;
});

after(async () => {
  await platform?.stop();
});

async function query(sql, params = []) {
  const client = new pg.Client({ connectionString: platform.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const predictionRow = (answer) => answer.predictions?.[0];

test('a behaviour shift drifts the inputs, drift retrains, the gate promotes the better model and serving swaps to it', { timeout: 900_000 }, async (t) => {
  const said = [];
  const say = (line) => said.push(line);
  try {
    await runDemoPipeline({
      root: platform.dataDir,
      say,
      env: { DEMO_USERS: '600', DEMO_WEEKS: '12', DEMO_SEED: '11', DEMO_SCENARIO: 'shift', DEMO_PROGRESS: 'off' },
      urls,
    });
    const state = JSON.parse(fs.readFileSync(path.join(platform.dataDir, '.data', 'demo', 'state.json'), 'utf8'));
    assert.equal(state.scenario?.restored, true, 'automatic retraining is back on after the as-of champion');
    const first = state.training.model;
    assert.ok(first.gate?.promoted, `the as-of model is promoted over the baseline: ${first.gate?.reason}`);
    assert.equal(Date.parse(first.dataset.end), Date.parse(state.scenario.since), 'it was trained on data up to the change only');
    const v1 = first.modelVersion;
    const api = createPlatformClient({ urls: { featureStore: urls.features, trainer: urls.trainer, modelServing: urls.serving } });

    // Product traffic: users active in the last days ask for predictions, as they would on the site.
    const active = (await query(`SELECT DISTINCT user_id FROM dwh.mart_user_activity_daily WHERE activity_date >= current_date - 3 ORDER BY user_id`)).map((r) => r.user_id);
    assert.ok(active.length >= 100, `enough recently active users (${active.length})`);
    await poll(
      async () => predictionRow(await api.predictions.predictEntities(MODEL, { user_id: [active[0]] }))?.version === v1,
      { what: `serving to answer with v${v1}`, timeoutMs: 120_000, intervalMs: 500 },
    );

    // Drift: the live inputs of the shifted segment move away from v1's training distribution.
    let sentBatches = 0;
    const drift = await poll(
      async () => {
        for (let i = 0; i < active.length; i += 100) {
          await api.predictions.predictEntities(MODEL, { user_id: active.slice(i, i + 100) });
          sentBatches++;
        }
        const report = await api.predictions.drift(MODEL, { version: v1 });
        return report.features?.some((f) => f.status === 'drift') ? report : undefined;
      },
      { what: 'input drift to be detected', timeoutMs: 180_000, intervalMs: 500 },
    );
    const drifting = drift.features.filter((f) => f.status === 'drift').map((f) => f.feature);
    assert.ok(drifting.some((f) => /page_view|product_view|active_days/.test(f)), `browsing features drift: ${drifting.join(', ')}`);
    assert.equal(drift.baseline, 'training', 'drift is measured against the distribution v1 was trained on');

    // The drift event reached the trainer, which retrained; the gate judged both on the recent window.
    const retrain = await poll(
      async () => {
        const runs = await api.registry.runs({ model: MODEL });
        const r = runs.find((x) => String(x.trigger).startsWith('drift:'));
        return r && ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
      },
      { what: 'the drift-triggered training run to finish', timeoutMs: 600_000, intervalMs: 1000 },
    );
    assert.equal(retrain.status, 'succeeded', retrain.error);
    const { candidate, champion } = retrain.metrics;
    assert.ok(candidate.auc > champion.auc, `the retrained model is better on the recent window: ${candidate.auc} vs ${champion.auc}`);
    const full = await api.registry.run(retrain.id);
    assert.ok(full.gate?.promoted, `the gate promoted it: ${full.gate?.reason}`);
    const v2 = full.modelVersion;
    assert.notEqual(v2, v1);

    // model.promoted -> serving loads and swaps; the product sees the new version.
    const swapped = await poll(
      async () => {
        const row = predictionRow(await api.predictions.predictEntities(MODEL, { user_id: [active[1]] }));
        return row?.version === v2 ? row : undefined;
      },
      { what: `serving to answer with v${v2}`, timeoutMs: 120_000, intervalMs: 500 },
    );
    assert.equal(swapped.version, v2);
    const audit = await api.registry.aliasAudit(MODEL);
    assert.ok(JSON.stringify(audit).includes(`drift:v${v1}`) || JSON.stringify(audit).includes(String(v2)), 'the promotion is in the audit log');
    t.diagnostic(`v${v1} -> v${v2} after ${sentBatches} prediction batches; drifting: ${drifting.join(', ')}; AUC ${champion.auc.toFixed(4)} -> ${candidate.auc.toFixed(4)}`);
  } catch (err) {
    for (const tail of platform.logTails()) t.diagnostic(tail);
    t.diagnostic(said.join('\n'));
    throw err;
  }
});
