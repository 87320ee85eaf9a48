// Fault: PostgreSQL restarts while clients send events to dwh-ingest. It runs on its own embedded
// PostgreSQL (never the machine's shared server), stopped with a fast shutdown (connections cut,
// in-flight transactions rolled back) and started again a few seconds later on the same data.
// While it is down dwh-ingest answers 503 and readiness says so; once it is back readiness heals
// by itself (no restart of dwh-ingest), every event acknowledged before, during or after is in the
// warehouse exactly once, and every batch the outage refused is acknowledged on retry.
// Bounded: about 40 s (most of it the new cluster's initdb); loopback only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startEmbeddedPostgres } from '../../libs/runtime/src/lib/embedded-postgres.mjs';
import { assertNothingLost, loadFigures, reportFigures, startFaultIngest, startWatchedLoad, warehouseCheck } from './ingest-load.mjs';
import { freePort, waitReady } from './service-process.mjs';

const LOAD_BEFORE_MS = 3000;
const DOWN_MS = 3000;
const LOAD_AFTER_MS = 5000;

test('PostgreSQL restarted under load: dwh-ingest answers 503, heals by itself, loses and doubles nothing acknowledged', { timeout: 110_000 }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlp-fault-pg-'));
  const port = await freePort();
  let pg = await startEmbeddedPostgres({ dataDir, port, database: 'fault' });
  const { dwh } = await startFaultIngest(pg.url);
  let watch;
  let load;
  try {
    const prefix = `pgrestart-${Date.now().toString(36)}`;
    ({ watch, load } = await startWatchedLoad(dwh, prefix));
    await new Promise((r) => setTimeout(r, LOAD_BEFORE_MS));
    const ackedBeforeStop = load.acked.size;

    const stoppedAt = Date.now();
    await pg.stop();
    await new Promise((r) => setTimeout(r, DOWN_MS));
    const ackedWhileDown = load.acked.size;
    const restartedAt = Date.now();
    pg = await startEmbeddedPostgres({ dataDir, port, database: 'fault' });
    const backAt = Date.now();
    // dwh-ingest is not restarted: its pool reconnects.
    await waitReady(dwh.url, { exited: dwh.exited, timeoutMs: 60_000 });
    const readyAt = Date.now();
    await new Promise((r) => setTimeout(r, LOAD_AFTER_MS));
    await load.stop();
    await watch.stop();

    const check = await warehouseCheck(pg.url, { prefix, acked: load.acked });
    const figures = {
      fault: 'PostgreSQL restart',
      acknowledgedBeforeStop: ackedBeforeStop,
      acknowledgedWhileStopping: ackedWhileDown - ackedBeforeStop,
      ...loadFigures(load, check, stoppedAt),
      readinessChanges: watch.changes.map((c) => `${((c.at - stoppedAt) / 1000).toFixed(1)}s:${c.status}`),
      secondsDown: (backAt - stoppedAt) / 1000,
      secondsToStartPostgres: (backAt - restartedAt) / 1000,
      secondsFromPostgresBackToReady: (readyAt - backAt) / 1000,
    };
    reportFigures(t, figures);

    assert.ok(ackedBeforeStop > 0 && load.acked.size > ackedWhileDown, 'events were acknowledged before and after the outage');
    assert.ok(watch.changes.some((c) => c.at > stoppedAt && c.status === 503), 'readiness said 503 while PostgreSQL was down');
    assert.ok(figures.failedAttempts > 0 && load.outcomes.get('503') > 0, 'the outage was answered 503');
    assertNothingLost(load, check);
    assert.ok(readyAt - backAt < 15_000, `ready ${(readyAt - backAt) / 1000} s after PostgreSQL was back`);
  } catch (err) {
    t.diagnostic(dwh.output().slice(-3000));
    throw err;
  } finally {
    await load?.stop(0);
    await watch?.stop();
    await dwh.stop('SIGTERM');
    await pg.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
