// Fault: dwh-ingest is killed with SIGKILL while clients send events (the process has no chance
// to drain), then restarted as the kubelet would. Every event dwh-ingest acknowledged before or
// after must be in the warehouse exactly once (acknowledged means committed: dwh-ingest answers 200
// only after the commit), every batch the kill interrupted is retried by its client until it is
// acknowledged, and readiness heals. Bounded: about 25 s; loopback only; its own database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNothingLost, loadFigures, reportFigures, startFaultIngest, startWatchedLoad, warehouseCheck } from './ingest-load.mjs';
import { scratchDatabase, startServiceProcess, waitReady } from './service-process.mjs';

const LOAD_BEFORE_MS = 3000;
const LOAD_AFTER_MS = 5000;

test('SIGKILL of dwh-ingest under load: nothing acknowledged is lost or doubled, and readiness heals', { timeout: 110_000 }, async (t) => {
  const db = await scratchDatabase('fault_kill');
  const started = await startFaultIngest(db.url);
  const { env } = started;
  let { dwh } = started;
  let watch;
  let load;
  try {
    const prefix = `kill-${Date.now().toString(36)}`;
    ({ watch, load } = await startWatchedLoad(dwh, prefix));
    await new Promise((r) => setTimeout(r, LOAD_BEFORE_MS));
    const ackedBeforeKill = load.acked.size;

    const killedAt = Date.now();
    assert.deepEqual(await dwh.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
    dwh = startServiceProcess('dwh-ingest', env); // the kubelet restarts the container
    await waitReady(dwh.url, { exited: dwh.exited, timeoutMs: 60_000 });
    const readyAt = Date.now();
    await new Promise((r) => setTimeout(r, LOAD_AFTER_MS));
    await load.stop();
    await watch.stop();

    const check = await warehouseCheck(db.url, { prefix, acked: load.acked });
    reportFigures(t, {
      fault: 'SIGKILL dwh-ingest',
      acknowledgedBeforeKill: ackedBeforeKill,
      ...loadFigures(load, check, killedAt),
      secondsToReady: (readyAt - killedAt) / 1000,
    });

    assert.ok(ackedBeforeKill > 0 && load.acked.size > ackedBeforeKill, 'events were acknowledged before and after the kill');
    assertNothingLost(load, check);
    assert.equal((await fetch(`${dwh.url}/readyz`)).status, 200);
  } catch (err) {
    t.diagnostic(dwh.output().slice(-3000));
    throw err;
  } finally {
    await load?.stop(0);
    await watch?.stop();
    await dwh.stop('SIGKILL');
    await db.drop();
  }
});
