// Calls the end-to-end tests make of a started platform (see platform-processes.mjs) the same way:
// a POST whose answer must be 200, materialising views to the end, a training run to its end.
import assert from 'node:assert/strict';
import { http, poll } from '../runner/demo-pipeline.mjs';

/** POSTs `body` with `requestId` (logged with the predictions it makes) and answers its JSON; anything but 200 fails the test. */
export async function callOk(url, body, requestId) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId }, body: JSON.stringify(body) });
  const json = await res.json();
  assert.equal(res.status, 200, `${requestId}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/** Materialises `views` up to now and waits until every materialization succeeded. */
export async function materializeViews(urls, views) {
  const mats = await http('POST', `${urls.features}/v1/materialize-incremental`, { end: new Date().toISOString(), views }, { timeoutMs: 60_000 });
  for (const m of mats.materializations) {
    const done = await poll(async () => {
      const s = await http('GET', `${urls.features}/v1/materializations/${m.id}`);
      return ['succeeded', 'failed'].includes(String(s.status).toLowerCase()) ? s : undefined;
    }, { what: 'materialization', timeoutMs: 120_000 });
    assert.equal(String(done.status).toLowerCase(), 'succeeded', JSON.stringify(done));
  }
}

/** Starts a training run of `model` and answers it once finished; a run that did not succeed fails the test. */
export async function trainToEnd(urls, model, timeoutMs = 300_000) {
  const { id } = await http('POST', `${urls.trainer}/v1/training-runs`, { model });
  const run = await poll(async () => {
    const r = await http('GET', `${urls.trainer}/v1/training-runs/${id}`);
    return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : undefined;
  }, { what: `training run of ${model}`, timeoutMs });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error ?? run));
  return run;
}
