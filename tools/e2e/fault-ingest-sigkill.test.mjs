// Fault: dwh-ingest is killed with SIGKILL while clients send events (the process has no chance
// to drain), then restarted as the kubelet would. Every event dwh-ingest acknowledged before or
// after must be in the warehouse exactly once (acknowledged means committed: dwh-ingest answers 200
// only after the commit), every batch the kill interrupted is retried by its client until it is
// acknowledged, and readiness heals. Bounded: about 25 s; loopback only; its own database.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { serverErrors, startFaultIngest, startWatchedLoad, warehouseCheck } from './ingest-load.mjs';
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
    const failed = load.failures.filter((at) => at >= killedAt);
    const figures = {
      fault: 'SIGKILL dwh-ingest',
      sent: load.sent.size,
      acknowledged: load.acked.size,
      acknowledgedBeforeKill: ackedBeforeKill,
      stored: check.stored,
      lost: check.lost,
      doubled: check.doubled,
      failedAttempts: failed.length,
      committedButUnanswered: load.duplicates.count,
      attemptOutcomes: Object.fromEntries(load.outcomes),
      secondsToReady: (readyAt - killedAt) / 1000,
      secondsWithoutAcknowledgement: failed.length ? (Math.max(...failed) - killedAt) / 1000 : 0,
    };
    t.diagnostic(JSON.stringify(figures));
    if (process.env.FAULT_FIGURES_FILE) fs.appendFileSync(process.env.FAULT_FIGURES_FILE, `${JSON.stringify(figures)}\n`);

    assert.ok(ackedBeforeKill > 0 && load.acked.size > ackedBeforeKill, 'events were acknowledged before and after the kill');
    assert.equal(check.lost, 0, `acknowledged but not stored: ${check.lostSample.join(', ')}`);
    assert.equal(check.doubled, 0);
    assert.deepEqual(serverErrors(load.outcomes), {}, 'a fault is a 503 or a refused connection, never another 5xx');
    assert.equal(load.acked.size, load.sent.size, 'every batch the kill interrupted was acknowledged on retry');
    assert.equal(check.stored, load.sent.size, 'the warehouse holds exactly what was sent');
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
