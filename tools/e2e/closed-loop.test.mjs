// The whole loop end to end: the four services as real processes (the built apps) on a real
// PostgreSQL (a fresh database on DATABASE_URL), the main job of `npm start` on a small product
// history, and a promotion observed as a change of model_version in a prediction answer.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createPlatformClient } from '../client/from-source.mjs';
import { http, poll, runDemoPipeline, MODEL } from '../runner/demo-pipeline.mjs';
import { startPlatform } from './platform-processes.mjs';

let platform;
let urls;

before(async () => {
  platform = await startPlatform({ offset: Number(process.env.E2E_PORT_OFFSET ?? 21000), name: 'e2e' });
  urls = platform.urls;
});

after(async () => {
  await platform?.stop();
});

test('events become marts, features, a promoted champion and predictions; a promotion changes model_version', { timeout: 900_000 }, async (t) => {
  const said = [];
  const stateRoot = platform.dataDir;
  const summary = await runDemoPipeline({
    root: stateRoot,
    say: (line) => said.push(line),
    env: { DEMO_USERS: '400', DEMO_WEEKS: '6', DEMO_SEED: '7' },
    urls
  }).catch((err) => {
    for (const tail of platform.logTails()) t.diagnostic(tail);
    t.diagnostic(said.join('\n'));
    throw err;
  });
  const state = JSON.parse(fs.readFileSync(path.join(stateRoot, '.data', 'demo', 'state.json'), 'utf8'));
  const api = createPlatformClient({ urls: { dwhIngest: urls.dwh, featureStore: urls.features, trainer: urls.trainer, modelServing: urls.serving } });

  // Events: accepted through the tracking API, the deliberately broken ones rejected and kept.
  assert.ok(state.history.totals.accepted > 10_000, `accepted ${state.history.totals.accepted}`);
  assert.ok(state.history.totals.rejected > 0);
  // No client call reads failed events yet (the console's page will add one): a plain GET.
  const failed = await http('GET', `${urls.dwh}/v1/failed-events?limit=5`, undefined);
  assert.ok((failed.items ?? failed.events ?? failed.failedEvents ?? []).length > 0, 'rejected events are kept for replay');

  // Marts: built and tested.
  assert.equal(state.transformations.status, 'success');
  const sla = await api.warehouse.sla();
  assert.ok(JSON.stringify(sla).includes('mart_user_activity_daily'));

  // Features online: a known user has present features.
  const online = await api.features.online({ feature_service: 'purchase_propensity', entities: { user_id: [state.prediction.userId] } });
  assert.ok(online.results.some((r) => r.statuses.includes('PRESENT')), 'online features are materialized');

  // The champion beat the baseline and is what serving answers with.
  assert.ok(state.champion, 'a champion was promoted');
  assert.ok(state.champion.metrics.candidate.auc > state.champion.metrics.baseline.auc, 'the champion beats the baseline');
  const first = state.prediction.prediction.predictions?.[0] ?? state.prediction.prediction.results?.[0];
  assert.equal(first.version, state.champion.version);
  assert.ok(summary.some((l) => l.includes('champion:')));

  // A promotion: move the champion alias to another registered version; serving swaps to it.
  const model = await api.registry.model(MODEL);
  const other = model.latestVersion !== state.champion.version ? model.latestVersion : state.champion.version - 1;
  assert.ok(other >= 1 && other !== state.champion.version, 'another version exists to promote');
  await api.registry.moveAlias(MODEL, { alias: 'champion', version: other, reason: 'e2e: promote another version' });
  const swapped = await poll(
    async () => {
      const p = await api.predictions.predictEntities(MODEL, { user_id: [state.prediction.userId] });
      const row = p.predictions?.[0] ?? p.results?.[0];
      return row.version === other ? row : undefined;
    },
    { what: 'serving to answer with the promoted version', timeoutMs: 60_000, intervalMs: 500 },
  );
  assert.equal(swapped.version, other);
  const audit = await api.registry.aliasAudit(MODEL);
  assert.ok(JSON.stringify(audit).includes('e2e: promote another version'), 'the move is in the audit log');
});
