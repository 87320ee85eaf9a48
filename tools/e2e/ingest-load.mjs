// Tracking load for the fault tests: the platform's own tracking client (@mlp/client's TrackingClient,
// what product teams use) on a few lanes sends batches of events with unique messageIds to
// dwh-ingest, each batch retried by the client with the same ids until it is acknowledged (a 200).
// What was acknowledged is then checked against the warehouse: lost (acknowledged, not stored) and
// doubled (stored twice) must both be zero. Each attempt's outcome is seen through the client's
// `fetch` option, so the test still reports what every request met.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import pg from 'pg';
import { TrackingClient, WarehouseClient } from '../client/from-source.mjs';
import { freePort, startServiceProcess, waitReady } from './service-process.mjs';

const event = (id) => ({
  messageId: id,
  userId: `fault-user-${id.length % 50}`,
  event: 'product_viewed',
  timestamp: new Date().toISOString(),
  properties: { product_id: 'p1', price: 9.5 },
});

/**
 * A fault run's dwh-ingest on `databaseUrl`: its own ports, no timers adding load of their own. Answers
 * its environment (to start it again after a kill) and the running process.
 */
export async function startFaultIngest(databaseUrl) {
  const env = {
    DATABASE_URL: databaseUrl,
    PORT: String(await freePort()),
    TCP_PORT: String(await freePort()),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TRANSFORM_INTERVAL_SECONDS: '0',
    SLA_CHECK_INTERVAL_SECONDS: '0',
  };
  return { env, dwh: startServiceProcess('dwh-ingest', env) };
}

/** Once dwh-ingest is ready: its load's event declared, then a readiness watch and the load itself. */
export async function startWatchedLoad(dwh, prefix) {
  await waitReady(dwh.url, { exited: dwh.exited });
  await declareLoadEvent(dwh.url);
  return { watch: readinessWatch(dwh.url), load: ingestLoad({ url: dwh.url, prefix }) };
}

/**
 * Declares the load's event in the tracking plan, as a project does (the warehouse knows no events
 * of its own): a project `fault-load` with the `product_viewed` schema.
 */
export async function declareLoadEvent(url) {
  await new WarehouseClient({ baseUrl: url }).applyProject({
    project: 'fault-load',
    event_schemas: [
      {
        name: 'product_viewed',
        version: '1-0-0',
        schema: { type: 'object', required: ['product_id', 'price'], properties: { product_id: { type: 'string' }, price: { type: 'number', minimum: 0 } } },
      },
    ],
  });
}

/** Thrown by the lanes' retry wait once the drain time is over: the batch stays unacknowledged. */
class GaveUp extends Error {}

/**
 * @param {{ url: string, clients?: number, batch?: number, prefix: string, requestTimeoutMs?: number }} options
 */
export function ingestLoad({ url, clients = 4, batch = 100, prefix, requestTimeoutMs = 5000 }) {
  const acked = new Set();
  const sent = new Set();
  const outcomes = new Map(); // "200", "503", "ECONNREFUSED", "timeout", ...
  const failures = []; // times of failed attempts
  // Events a retry found already stored: committed by an attempt whose answer never arrived.
  const duplicates = { count: 0 };
  let producing = true;
  let giveUpAt = Infinity;
  let seq = 0;

  // Every request the client makes, and what it met: a status, a timeout or the network error's code.
  const observedFetch = async (input, init) => {
    let outcome;
    try {
      const res = await fetch(input, init);
      outcome = String(res.status);
      if (res.status !== 200) failures.push(Date.now());
      return res;
    } catch (err) {
      outcome = init?.signal?.aborted ? 'timeout' : (err?.cause?.code ?? err?.name ?? 'error');
      failures.push(Date.now());
      throw err;
    } finally {
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
  };

  const lane = async (c) => {
    let rejected;
    const client = new TrackingClient({
      baseUrl: url,
      fetch: observedFetch,
      timeoutMs: requestTimeoutMs,
      // Only the lane flushes (one batch per flush); a batch is retried until it is acknowledged.
      flushAt: batch + 1,
      flushIntervalMs: 0,
      maxBatchEvents: batch,
      maxRetries: Number.MAX_SAFE_INTEGER,
      backoff: { baseMs: 200, maxMs: 1000, jitter: 0.5 },
      sleep: async (ms) => {
        if (Date.now() > giveUpAt) throw new GaveUp();
        await new Promise((r) => setTimeout(r, ms));
      },
      onRejected: (events) => (rejected ??= new Error(`events rejected: ${events.slice(0, 3).map((e) => `${e.message.messageId} ${e.code}`).join(', ')}`)),
    });
    while (producing) {
      const ids = Array.from({ length: batch }, () => `${prefix}-${c}-${seq++}`);
      for (const id of ids) {
        sent.add(id);
        client.track(event(id));
      }
      let result;
      try {
        result = await client.flush();
      } catch (err) {
        if (err instanceof GaveUp) return;
        throw err;
      }
      if (rejected) throw rejected;
      if (result.failed > 0) return;
      for (const id of ids) acked.add(id);
      // A retry that found the batch stored: committed by an attempt whose answer never arrived.
      duplicates.count += result.duplicates;
    }
  };
  const running = Array.from({ length: clients }, (_, c) => lane(c));
  return {
    acked,
    sent,
    outcomes,
    failures,
    duplicates,
    /** Stops new batches; the ones in flight keep retrying for up to `drainMs`. */
    async stop(drainMs = 30_000) {
      producing = false;
      giveUpAt = Date.now() + drainMs;
      await Promise.all(running);
    },
  };
}

/** The attempts answered with a 5xx other than 503 (a fault must be a 503 or a refused connection): {status: count}. */
function serverErrors(outcomes) {
  return Object.fromEntries([...outcomes].filter(([outcome]) => /^5\d\d$/.test(outcome) && outcome !== '503'));
}

/** A fault run's figures common to every fault: what was sent, acknowledged, stored, and what failed after `faultAt`. */
export function loadFigures(load, check, faultAt) {
  const failed = load.failures.filter((at) => at >= faultAt);
  return {
    sent: load.sent.size,
    acknowledged: load.acked.size,
    stored: check.stored,
    lost: check.lost,
    doubled: check.doubled,
    failedAttempts: failed.length,
    committedButUnanswered: load.duplicates.count,
    attemptOutcomes: Object.fromEntries(load.outcomes),
    secondsWithoutAcknowledgement: failed.length ? (Math.max(...failed) - faultAt) / 1000 : 0,
  };
}

/** Prints a fault run's figures, and appends them to FAULT_FIGURES_FILE when set (for docs/operations.md). */
export function reportFigures(t, figures) {
  t.diagnostic(JSON.stringify(figures));
  if (process.env.FAULT_FIGURES_FILE) fs.appendFileSync(process.env.FAULT_FIGURES_FILE, `${JSON.stringify(figures)}\n`);
}

/** What every fault must leave true: nothing acknowledged lost or doubled, every batch acknowledged on retry, no 5xx but 503. */
export function assertNothingLost(load, check) {
  assert.equal(check.lost, 0, `acknowledged but not stored: ${check.lostSample.join(', ')}`);
  assert.equal(check.doubled, 0);
  assert.deepEqual(serverErrors(load.outcomes), {}, 'a fault is a 503 or a refused connection, never another 5xx');
  assert.equal(load.acked.size, load.sent.size, 'every batch the fault interrupted was acknowledged on retry');
  assert.equal(check.stored, load.sent.size, 'the warehouse holds exactly what was sent');
}

/** Polls /readyz and records every change of status: [{at, status}]. */
export function readinessWatch(url, intervalMs = 100) {
  const changes = [];
  let last;
  let on = true;
  const loop = (async () => {
    while (on) {
      const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0);
      if (status !== last) changes.push({ at: Date.now(), status });
      last = status;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    changes,
    async stop() {
      on = false;
      await loop;
    },
    /** The first time after `since` that readiness answered 200 following a non-200. */
    healedAt(since) {
      let down = false;
      for (const c of changes) {
        if (c.at < since) continue;
        if (c.status !== 200) down = true;
        else if (down) return c.at;
      }
      return undefined;
    },
  };
}

/** What the warehouse holds of the sent ids: stored, lost (acknowledged but absent) and doubled. */
export async function warehouseCheck(databaseUrl, { prefix, acked }) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: [counts] } = await client.query(
      `SELECT count(*)::int AS stored, count(DISTINCT message_id)::int AS distinct_ids FROM dwh.events WHERE message_id LIKE $1`,
      [`${prefix}-%`],
    );
    const { rows: present } = await client.query(`SELECT message_id FROM dwh.events WHERE message_id = ANY($1::text[])`, [[...acked]]);
    const found = new Set(present.map((r) => r.message_id));
    const lost = [...acked].filter((id) => !found.has(id));
    return { stored: counts.stored, lost: lost.length, lostSample: lost.slice(0, 5), doubled: counts.stored - counts.distinct_ids };
  } finally {
    await client.end();
  }
}
