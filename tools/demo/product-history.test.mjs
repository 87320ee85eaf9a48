import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProductWorld, DAY_MS, marketingSpendCsv, rankAuc, trueProbabilityGridCsv } from './product-history.mjs';

const END = '2026-06-01T00:00:00.000Z';
const small = (over = {}) => createProductWorld({ seed: 7, users: 300, weeks: 2, end: END, ...over });

const PLAN = {
  page_viewed: { path: 'string' },
  product_viewed: { product_id: 'string', price: 'number' },
  added_to_cart: { product_id: 'string', price: 'number', quantity: 'number' },
  checkout_started: { cart_value: 'number' },
  order_completed: { order_id: 'string', revenue: 'number', items: 'number' },
};

describe('product history generator', () => {
  it('gives the same events for the same seed and a different history for another seed', () => {
    const a = [...small().events()];
    const b = [...small().events()];
    const c = [...small({ seed: 8 }).events()];
    assert.ok(a.length > 1000, `expected a realistic volume, got ${a.length}`);
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.slice(0, 50).map((e) => e.messageId),
      c.slice(0, 50).map((e) => e.messageId),
    );
  });

  it('streams events in time order, each shaped as the tracking plan says, with unique messageIds', () => {
    const world = small();
    const seenIds = new Set();
    const identified = new Map();
    const lastCheckout = new Map();
    let previous = -Infinity;
    let orders = 0;
    for (const e of world.events()) {
      const t = Date.parse(e.timestamp);
      assert.ok(Number.isFinite(t) && e.timestamp === new Date(t).toISOString(), `ISO timestamp: ${e.timestamp}`);
      assert.ok(t >= previous, 'timestamps never go backwards');
      assert.ok(t <= world.end, 'nothing after the end of the history');
      previous = t;
      assert.ok(!seenIds.has(e.messageId), `duplicate messageId ${e.messageId}`);
      seenIds.add(e.messageId);
      assert.match(e.messageId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(e.userId, /^user_\d{5}$/);
      assert.ok(Date.parse(e.sentAt) >= t, 'sent after it happened');
      assert.equal(e.context.library.name, 'mlp-demo-tracker');
      assert.equal(e.context.app.name, 'Acme Shop');
      if (e.type === 'identify') {
        assert.deepEqual(Object.keys(e.traits).sort(), ['country', 'plan', 'signup_date']);
        assert.match(e.traits.signup_date, /^\d{4}-\d{2}-\d{2}$/);
        assert.match(e.traits.country, /^[A-Z]{2}$/);
        assert.ok(['free', 'plus', 'pro'].includes(e.traits.plan));
        assert.ok(!identified.has(e.userId), 'one identify per user');
        identified.set(e.userId, t);
        continue;
      }
      assert.equal(e.type, 'track');
      const spec = PLAN[e.event];
      assert.ok(spec, `planned event: ${e.event}`);
      assert.deepEqual(Object.keys(e.properties).sort(), Object.keys(spec).sort(), e.event);
      for (const [k, type] of Object.entries(spec)) assert.equal(typeof e.properties[k], type, `${e.event}.${k}`);
      assert.ok(identified.has(e.userId) || world.user(e.userId).signupAt < world.start, 'a new user is identified at signup, before acting');
      if (e.event === 'checkout_started') lastCheckout.set(e.userId, e.properties.cart_value);
      if (e.event === 'order_completed') {
        orders++;
        assert.ok(e.properties.revenue > 0 && Number.isInteger(e.properties.items) && e.properties.items >= 1);
        assert.equal(lastCheckout.get(e.userId), e.properties.revenue, 'an order follows its checkout with the same value');
      }
    }
    assert.equal(identified.size, world.users.length, 'every user is identified');
    assert.ok(orders > 20, `orders happen (${orders})`);
  });

  it("computes the true order probability that a Monte-Carlo run of the generative process reproduces", () => {
    const world = small({ users: 400 });
    // A shift inside the horizon must be integrated exactly too.
    world.addShift({ from: Date.parse('2026-06-03T12:00:00Z'), country: 'US', orderFactor: 3, sessionFactor: 1 });
    const byRate = [...world.users].sort((a, b) => a.logOrderRate - b.logOrderRate);
    const usUsers = world.users.filter((u) => u.country === 'US').sort((a, b) => a.logOrderRate - b.logOrderRate);
    const us = usUsers[Math.floor(0.75 * usUsers.length)];
    const recent = world.users.find((u) => u.signupAt > world.start + DAY_MS);
    // Cases with probabilities away from 0 and 1, where a wrong rate shows most.
    const cases = [
      [byRate[Math.floor(0.9 * byRate.length)], world.end, 7],
      [byRate[Math.floor(0.97 * byRate.length)], world.end - 3.5 * DAY_MS, 7],
      [byRate[Math.floor(byRate.length / 2)], world.end, 28],
      [us, world.end, 7],
      [recent, recent.signupAt - 2 * DAY_MS, 28],
    ];
    const runs = 2000;
    for (const [user, at, horizon] of cases) {
      const p = world.orderProbability(user, at, horizon);
      assert.ok(p > 0.15 && p < 0.9, `case chosen for power: ${p}`);
      let hits = 0;
      for (let r = 0; r < runs; r++) {
        const events = world.eventsBetween(user, at, at + horizon * DAY_MS, `mc${r}`);
        if (events.some((e) => e.event === 'order_completed' && Date.parse(e.timestamp) > at)) hits++;
      }
      const estimate = hits / runs;
      const se = Math.sqrt((p * (1 - p)) / runs);
      assert.ok(Math.abs(estimate - p) < 4 * se, `${user.id} at ${new Date(at).toISOString()} +${horizon}d: exact ${p.toFixed(4)} vs Monte-Carlo ${estimate.toFixed(4)}`);
    }
  });

  it('makes true probabilities that rank the generated 7-day labels with a realistic AUC', () => {
    const world = createProductWorld({ seed: 11, users: 1500, weeks: 6, end: END });
    const orders = new Map();
    for (const e of world.events()) {
      if (e.event !== 'order_completed') continue;
      if (!orders.has(e.userId)) orders.set(e.userId, []);
      orders.get(e.userId).push(Date.parse(e.timestamp));
    }
    const rows = [];
    for (let t = world.start + 7 * DAY_MS; t + 7 * DAY_MS <= world.end; t += 7 * DAY_MS) {
      for (const u of world.users) {
        if (u.signupAt > t) continue;
        const label = (orders.get(u.id) ?? []).some((o) => o > t && o <= t + 7 * DAY_MS) ? 1 : 0;
        rows.push([world.orderProbability(u, t), label]);
      }
    }
    const positives = rows.filter((r) => r[1]).length / rows.length;
    const meanP = rows.reduce((s, r) => s + r[0], 0) / rows.length;
    const a = rankAuc(rows.map((r) => r[0]), rows.map((r) => r[1]));
    assert.ok(positives > 0.05 && positives < 0.35, `label rate ${positives}`);
    assert.ok(Math.abs(meanP - positives) < 0.02, `calibrated: mean p ${meanP} vs label rate ${positives}`);
    assert.ok(a > 0.72 && a < 0.88, `AUC of the true probabilities ${a}`);
  });

  it('computes rank AUC with ties shared', () => {
    assert.equal(rankAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(rankAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
    assert.equal(rankAuc([0.9, 0.1], [0, 1]), 0);
    assert.ok(Number.isNaN(rankAuc([0.2, 0.3], [1, 1])));
  });

  it('applies a behaviour shift only to its segment and only from its start', () => {
    const world = small();
    const from = Date.parse(END);
    const us = world.users.find((u) => u.country === 'US');
    const other = world.users.find((u) => u.country !== 'US');
    const before = [world.expectedOrders(us, from, from + DAY_MS), world.expectedOrders(other, from, from + DAY_MS)];
    const earlier = world.expectedOrders(us, from - DAY_MS, from);
    world.addShift({ from, country: 'US', orderFactor: 4 });
    assert.ok(Math.abs(world.expectedOrders(us, from, from + DAY_MS) - 4 * before[0]) < 1e-12);
    assert.equal(world.expectedOrders(other, from, from + DAY_MS), before[1]);
    assert.equal(world.expectedOrders(us, from - DAY_MS, from), earlier);
    // An ended shift (a simulator run that stopped) counts only inside its period.
    const ended = createProductWorld({ seed: 7, users: 300, weeks: 2, end: END, shifts: [{ from, until: from + DAY_MS / 2, country: 'US', orderFactor: 4 }] });
    assert.ok(Math.abs(ended.expectedOrders(us.id, from, from + DAY_MS) - 2.5 * before[0]) < 1e-12);
  });

  it('writes the true probability of every signed-up user at every midnight as CSV', () => {
    const world = small({ users: 50 });
    const lines = [...trueProbabilityGridCsv(world)];
    assert.equal(lines[0], 'user_id,as_of_date,p_order_7d\n');
    const rows = lines.slice(1).map((l) => l.trim().split(','));
    const days = new Set(rows.map((r) => r[1]));
    assert.equal(days.size, 15, 'both ends of a two-week history ending at midnight');
    for (const [id, date, p] of rows) {
      const at = Date.parse(`${date}T00:00:00Z`);
      assert.ok(world.user(id).signupAt < at);
      assert.equal(Number(p), Number(world.orderProbability(id, at).toFixed(6)));
    }
    const signedUp = world.users.filter((u) => u.signupAt < world.end).length;
    assert.equal(rows.filter((r) => r[1] === '2026-06-01').length, signedUp);
  });

  it('writes daily marketing spend per country and channel as CSV', () => {
    const world = small();
    const lines = [...marketingSpendCsv(world)];
    assert.equal(lines[0], 'date,country,channel,spend\n');
    assert.equal(lines.length - 1, 14 * 8 * 4);
    for (const line of lines.slice(1)) assert.match(line, /^\d{4}-\d{2}-\d{2},[A-Z]{2},(search|social|display|email),\d+\.\d{2}\n$/);
    assert.deepEqual([...marketingSpendCsv(small())], lines);
  });
});
