import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createProductWorld, DAY_MS } from './product-history.mjs';
import { catchUp, modelVersionsIn, runSimulator } from './simulator.mjs';

const ENVELOPE_KEYS = new Set(['messageId', 'type', 'event', 'userId', 'anonymousId', 'timestamp', 'sentAt', 'schemaVersion', 'properties', 'traits', 'context']);

/** Local stand-ins for dwh-ingest's batch API and model-serving's entity predictions, over real HTTP. */
async function startPlatform() {
  const state = { events: [], ids: new Set(), predictRequests: 0, predictedUsers: [] };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/v1/batch') {
        let accepted = 0;
        let rejected = 0;
        for (const m of body.batch) {
          // The tracking envelope allows no other top-level keys (as dwh-ingest's contract says).
          if (Object.keys(m).some((k) => !ENVELOPE_KEYS.has(k))) {
            rejected++;
            continue;
          }
          if (state.ids.has(m.messageId)) continue;
          state.ids.add(m.messageId);
          state.events.push(m);
          accepted++;
        }
        return res.end(JSON.stringify({ accepted, duplicates: body.batch.length - accepted - rejected, rejected, results: [] }));
      }
      state.predictRequests++;
      state.predictedUsers.push(...body.entities.user_id);
      // The champion changes after a few requests, as a promotion would make it.
      const version = state.predictRequests <= 4 ? '1' : '2';
      res.end(JSON.stringify({ model_name: 'purchase_propensity', results: body.entities.user_id.map((id) => ({ user_id: id, score: 0.1, model_version: version })) }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${server.address().port}`;
  state.close = () => new Promise((r) => server.close(r));
  return state;
}

describe('live product simulator', () => {
  let platform;
  before(async () => {
    platform = await startPlatform();
  });
  after(() => platform.close());

  it('sends live events of existing users at about the configured rate, asks for predictions, and notices a new model version', async () => {
    const world = createProductWorld({ seed: 21, users: 500, weeks: 4 });
    const logs = [];
    const started = Date.now();
    const totals = await runSimulator(world, {
      ingestUrl: platform.url,
      servingUrl: platform.url,
      rate: 60,
      predictRate: 10,
      predictBatch: 3,
      durationMs: 2500,
      tickMs: 250,
      log: (l) => logs.push(l),
    });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(totals.accepted, platform.events.length);
    assert.deepEqual([totals.rejected, totals.unsent], [0, 0]);
    assert.equal(totals.events, platform.events.length, 'everything generated was delivered before it stopped');
    // Sessions unfold over minutes, so in a short run fewer events are due than were generated.
    const perSecond = totals.generated / seconds;
    assert.ok(perSecond > 20 && perSecond < 180, `about 60 events/s generated, got ${perSecond.toFixed(1)}`);
    assert.ok(platform.events.length > 5 && platform.events.length <= totals.generated);
    const known = new Set(world.users.map((u) => u.id));
    assert.ok(platform.events.every((e) => known.has(e.userId)), 'events belong to existing users');
    assert.ok(platform.events.every((e) => Date.parse(e.timestamp) <= Date.now() && Date.parse(e.timestamp) > started - 3_600_000), 'live timestamps');
    assert.ok(platform.predictedUsers.length >= 30 && platform.predictedUsers.every((id) => known.has(id)));
    assert.deepEqual(totals.versions, ['1', '2']);
    assert.ok(logs.some((l) => /version 2 \(was 1\): a new champion is serving/.test(l)), logs.join('\n'));
    // The acceleration is part of the world, so true probabilities stay exact during the live period.
    assert.ok(world.shifts.some((s) => s.from >= started && s.orderFactor === totals.acceleration && totals.acceleration > 1));
  });

  it('with a shift, the shifted segment dominates the live traffic, and a stop signal ends the run early', async () => {
    platform.events.length = 0;
    const world = createProductWorld({ seed: 22, users: 500, weeks: 4 });
    const usShare = world.users.filter((u) => u.country === 'US').length / world.users.length;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2000);
    const started = Date.now();
    const totals = await runSimulator(world, {
      ingestUrl: platform.url,
      servingUrl: platform.url,
      rate: 40,
      predictRate: 0,
      durationMs: 60_000,
      tickMs: 250,
      shift: { country: 'US', orderFactor: 0.2, sessionFactor: 30, afterMs: 0 },
      signal: controller.signal,
      log: () => {},
    });
    assert.ok(Date.now() - started < 30_000, 'stopped on the signal, not at the 60 s duration');
    assert.equal(totals.shiftApplied, true);
    const us = new Set(world.users.filter((u) => u.country === 'US').map((u) => u.id));
    const liveShare = platform.events.filter((e) => us.has(e.userId)).length / platform.events.length;
    assert.ok(platform.events.length > 20);
    assert.ok(liveShare > usShare + 0.3, `US share of live events ${liveShare.toFixed(2)} vs ${usShare.toFixed(2)} of users`);
  });

  it('catches up the time since the last run with natural-rate events, exactly once per period', async () => {
    platform.events.length = 0;
    const world = createProductWorld({ seed: 23, users: 300, weeks: 2, end: '2026-03-01T00:00:00Z' });
    const from = world.end;
    const to = from + 3 * DAY_MS;
    const first = await catchUp(world, from, to, { ingestUrl: platform.url, log: () => {} });
    assert.ok(first.accepted > 100, `events for three days of 300 users (${first.accepted})`);
    assert.equal(first.rejected, 0);
    assert.ok(platform.events.every((e) => Date.parse(e.timestamp) > from - 3_600_000 && Date.parse(e.timestamp) <= to));
    const orders = platform.events.filter((e) => e.event === 'order_completed').length;
    const expected = world.users.reduce((sum, u) => sum + world.expectedOrders(u, from, to), 0);
    assert.ok(Math.abs(orders - expected) < 4 * Math.sqrt(expected) + 1, `orders ${orders} vs expected ${expected.toFixed(1)}`);
    const again = await catchUp(world, from, to, { ingestUrl: platform.url, log: () => {} });
    assert.deepEqual([again.accepted, again.duplicates], [0, first.accepted], 'the same period re-sent is all duplicates');
  });

  it('finds the model version in any shape of prediction answer', () => {
    assert.deepEqual([...modelVersionsIn({ model_version: 3 })], ['3']);
    assert.deepEqual([...modelVersionsIn({ results: [{ modelVersion: '4' }, { modelVersion: '5' }] })].sort(), ['4', '5']);
    assert.deepEqual([...modelVersionsIn({ score: 1 })], []);
  });

  it('reads the version of each predict-entities row, not unrelated version fields', () => {
    const answer = {
      model: 'purchase_propensity',
      degraded: 0,
      predictions: [
        { entity: { user_id: 'u1' }, score: 0.2, model: 'purchase_propensity', version: 3, arm: 'champion', featureStatuses: {}, features: {} },
        { entity: { user_id: 'u2' }, score: 0.4, model: 'purchase_propensity', version: 4, arm: 'challenger', featureStatuses: {}, features: {} },
      ],
    };
    assert.deepEqual([...modelVersionsIn(answer)].sort(), ['3', '4']);
    assert.deepEqual([...modelVersionsIn({ app: { version: '1.4.0' } })], []);
  });
});
