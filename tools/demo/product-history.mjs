#!/usr/bin/env node
// A realistic, seeded product history for the demo: users with a signup date, country and plan, and
// a hidden purchase propensity that drives how often they visit, how deep they go into the funnel and
// how often they order.
//
// Why the generative process looks the way it does: the platform compares the champion's AUC with
// the AUC of the TRUE probability of "purchased in the next 7 days" on the same rows, so that
// probability must be exact. Orders are therefore a per-user inhomogeneous Poisson process whose rate
// is piecewise constant (per UTC day, signup, and any behaviour shift), which makes
//   P(order in (t, t + 7d]) = 1 - exp(-integral of the rate over (t, t + 7d]).
// Browsing sessions (which may add to cart and abandon checkouts) are an independent Poisson process
// whose rate shares the same propensity, so activity features carry signal without touching the
// exactness of the order probability.
//
// CLI:
//   node tools/demo/product-history.mjs [--users N] [--weeks W] [--seed S] [--end ISO] > events.ndjson
//   node tools/demo/product-history.mjs users [...]            one JSON line per user with its hidden propensity
//   node tools/demo/product-history.mjs truth [...] < rows.csv  rows "user_id,timestamp" -> "user_id,timestamp,p_order_7d"
//   node tools/demo/product-history.mjs truth-grid [...]        CSV user_id,as_of_date,p_order_7d at every midnight
//   node tools/demo/product-history.mjs marketing-spend [...]   CSV date,country,channel,spend
// Add --manifest .data/demo/history.json to rebuild the world that send-events sent.
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deterministicUuid, rngFor } from './seeded-random.mjs';

export const DAY_MS = 86_400_000;
export const LABEL_HORIZON_DAYS = 7;

export const COUNTRY_WEIGHTS = { US: 34, GB: 11, DE: 12, FR: 9, BR: 9, IN: 11, JP: 6, CA: 8 };
/** Effect of each country on the log order rate (purchasing power, shipping, catalogue fit). */
export const COUNTRY_EFFECT = { US: 0.25, GB: 0.15, DE: 0.2, FR: 0.0, BR: -0.35, IN: -0.6, JP: 0.1, CA: 0.15 };
export const PLAN_WEIGHTS = { free: 70, plus: 21, pro: 9 };
export const PLAN_EFFECT = { free: 0, plus: 0.75, pro: 1.3 };
const COUNTRY_LOCALE = { US: 'en-US', GB: 'en-GB', DE: 'de-DE', FR: 'fr-FR', BR: 'pt-BR', IN: 'en-IN', JP: 'ja-JP', CA: 'en-CA' };
const DEVICE_WEIGHTS = { web: 45, ios: 30, android: 25 };

/** Log order rate (per day) of a median free-plan user in a neutral country. */
const BASE_LOG_ORDER_RATE = -4.6;
/** Weight of the latent taste factor: the part of propensity no profile attribute explains. */
const TASTE_WEIGHT = 0.95;
/** Browsing sessions per day of a median user, and how strongly browsing follows propensity. */
const BASE_SESSION_RATE = 0.22;
const SESSION_ELASTICITY = 0.55;
/** Newly signed-up users are more active; the excess decays with tenure. */
const NEW_USER_BOOST = 1.2;
const NEW_USER_DECAY_DAYS = 12;
/** An event of a session can be this far before the moment that anchors it (the order). */
const SESSION_LOOKBACK_MS = 3_600_000;
const MAX_PRE_ORDER_SPAN_MS = 45 * 60_000;

/** Where send-events records the world it sent (seed, size, end), so the simulator rebuilds the same users. */
export const DEFAULT_MANIFEST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..', '.data', 'demo', 'history.json');

export const LIBRARY = { name: 'mlp-demo-tracker', version: '1.4.0' };

/**
 * The demo's world: its users, their hidden rates, the event stream and the true probabilities.
 * @param {object} [options]
 * @param {number} [options.seed=42]
 * @param {number} [options.users=3000]
 * @param {number} [options.weeks=12] length of the history before `end`
 * @param {string|number|Date} [options.end] end of the history (default: now, to the minute)
 * @param {Array<Shift>} [options.shifts] behaviour changes in [from, until) (the simulator's acceleration and drift)
 * @typedef {{ from: number, until?: number, country?: string, plan?: string, orderFactor?: number, sessionFactor?: number }} Shift
 */
export function createProductWorld(options = {}) {
  const seed = options.seed ?? 42;
  const userCount = options.users ?? 3000;
  const weeks = options.weeks ?? 12;
  if (!Number.isInteger(userCount) || userCount < 1) throw new Error('users must be a positive integer');
  if (!(weeks > 0)) throw new Error('weeks must be positive');
  const end = options.end === undefined ? Math.floor(Date.now() / 60_000) * 60_000 : toMs(options.end);
  const start = end - Math.round(weeks * 7 * DAY_MS);
  const shifts = (options.shifts ?? []).map(normaliseShift).sort((a, b) => a.from - b.from);
  const catalog = buildCatalog(seed);

  const users = [];
  for (let i = 0; i < userCount; i++) users.push(makeUser(seed, i, start, end));
  const byId = new Map(users.map((u) => [u.id, u]));

  const world = {
    seed,
    start,
    end,
    users,
    catalog,
    shifts,
    user(id) {
      const u = typeof id === 'string' ? byId.get(id) : id;
      if (!u) throw new Error(`unknown user ${id}`);
      return u;
    },
    /** Constant-rate pieces of (a, b]: order and session rates per day for one user. */
    ratePieces(userOrId, a, b) {
      return ratePieces(world.user(userOrId), a, b, world.shifts);
    },
    /** Expected number of orders of a user in (a, b]: the integral of the order rate. */
    expectedOrders(userOrId, a, b) {
      let total = 0;
      for (const p of world.ratePieces(userOrId, toMs(a), toMs(b))) total += (p.orderRate * (p.to - p.from)) / DAY_MS;
      return total;
    },
    /** TRUE probability that the user orders in (at, at + horizon]; the trainer's label measures the same event. */
    orderProbability(userOrId, at, horizonDays = LABEL_HORIZON_DAYS) {
      const t = toMs(at);
      return 1 - Math.exp(-world.expectedOrders(userOrId, t, t + horizonDays * DAY_MS));
    },
    /** Adds a behaviour change from `shift.from` (until `shift.until`, if given); returns it so it can be ended. */
    addShift(shift) {
      const added = normaliseShift(shift);
      world.shifts = [...world.shifts, added].sort((a, b) => a.from - b.from);
      return added;
    },
    /** Ends a shift added earlier at `at` (a simulator that stops ends its acceleration). */
    endShift(shift, at) {
      world.shifts = world.shifts.map((s) => (s === shift ? { ...s, until: Math.min(s.until, toMs(at)) } : s));
    },
    /** The history's events in timestamp order, generated lazily one day at a time. */
    events() {
      return historyEvents(world);
    },
    /** Events of one user in (a, b]; `key` makes messageIds unique per call site (e.g. a simulator run). */
    eventsBetween(userOrId, a, b, key) {
      const u = world.user(userOrId);
      const out = [];
      activityInWindow(world, u, toMs(a), toMs(b), rngFor(seed, 'window', key, u.index, a), `${key}|${a}`, out);
      return out.sort(byTimestamp).map(strip);
    },
    identify(userOrId, at) {
      const u = world.user(userOrId);
      return strip(identifyMessage(world, u, toMs(at)));
    },
  };
  return world;
}

function toMs(value) {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${value}`);
  return ms;
}

function normaliseShift(s) {
  return {
    from: toMs(s.from),
    until: s.until === undefined || s.until === null ? Infinity : toMs(s.until),
    country: s.country ?? undefined,
    plan: s.plan ?? undefined,
    orderFactor: s.orderFactor ?? 1,
    sessionFactor: s.sessionFactor ?? 1,
  };
}

function buildCatalog(seed) {
  const rng = rngFor(seed, 'catalog');
  const products = [];
  for (let i = 0; i < 400; i++) {
    // Log-normal prices around 30, rounded like a shop would.
    const price = Math.max(2.99, Math.round(Math.exp(Math.log(30) + 0.8 * rng.normal())) - 0.01);
    products.push({ id: `p_${String(i + 1).padStart(4, '0')}`, price: Number(price.toFixed(2)) });
  }
  return products;
}

function makeUser(seed, index, start, end) {
  const rng = rngFor(seed, 'user', index);
  const country = rng.weighted(COUNTRY_WEIGHTS);
  const plan = rng.weighted(PLAN_WEIGHTS);
  const taste = rng.normal();
  // 60% had signed up before the history starts (up to half a year), 40% sign up during it.
  const signupAt = rng.bernoulli(0.6)
    ? Math.floor(start - rng.uniform(1, 180) * DAY_MS)
    : Math.floor(start + rng.uniform(0, Math.max(0, end - start - DAY_MS)));
  const logOrderRate = BASE_LOG_ORDER_RATE + PLAN_EFFECT[plan] + COUNTRY_EFFECT[country] + TASTE_WEIGHT * taste;
  return {
    id: `user_${String(index + 1).padStart(5, '0')}`,
    index,
    country,
    plan,
    taste,
    signupAt,
    signupDate: new Date(signupAt).toISOString().slice(0, 10),
    logOrderRate,
    /** Funnel eagerness in (0, 1): how deep a browsing session goes. */
    eagerness: 1 / (1 + Math.exp(-(logOrderRate - BASE_LOG_ORDER_RATE - 0.4))),
    device: rng.weighted(DEVICE_WEIGHTS),
    appVersion: `5.${rng.int(8, 12)}.${rng.int(0, 4)}`,
  };
}

function startOfUtcDay(ms) {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Rate multiplier of a UTC day: weekends sell more, and new users are keener. */
function dayFactor(user, dayStart) {
  const weekday = new Date(dayStart).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 1.25 : 0.9;
  const tenureDays = Math.max(0, (dayStart - startOfUtcDay(user.signupAt)) / DAY_MS);
  return weekend * (1 + NEW_USER_BOOST * Math.exp(-tenureDays / NEW_USER_DECAY_DAYS));
}

function ratePieces(user, a, b, shifts) {
  const from = Math.max(a, user.signupAt);
  const pieces = [];
  if (!(b > from)) return pieces;
  const cuts = new Set([from, b]);
  for (let d = startOfUtcDay(from) + DAY_MS; d < b; d += DAY_MS) cuts.add(d);
  for (const s of shifts) {
    if (s.from > from && s.from < b) cuts.add(s.from);
    if (s.until > from && s.until < b) cuts.add(s.until);
  }
  const points = [...cuts].sort((x, y) => x - y);
  for (let i = 0; i + 1 < points.length; i++) {
    const p0 = points[i];
    const p1 = points[i + 1];
    const f = dayFactor(user, startOfUtcDay(p0));
    let orderRate = Math.exp(user.logOrderRate) * f;
    let sessionRate = BASE_SESSION_RATE * Math.exp(SESSION_ELASTICITY * (user.logOrderRate - BASE_LOG_ORDER_RATE)) * f;
    for (const s of shifts) {
      if (s.from > p0) break;
      if (s.until <= p0) continue;
      if ((s.country && s.country !== user.country) || (s.plan && s.plan !== user.plan)) continue;
      orderRate *= s.orderFactor;
      sessionRate *= s.sessionFactor;
    }
    pieces.push({ from: p0, to: p1, orderRate, sessionRate });
  }
  return pieces;
}

const byTimestamp = (x, y) => x._t - y._t || (x.messageId < y.messageId ? -1 : x.messageId > y.messageId ? 1 : 0);

function* historyEvents(world) {
  const { start, end, users, seed } = world;
  let buffer = [];
  for (const u of users) {
    // Users who signed up before the history are identified as the history opens.
    if (u.signupAt < start) buffer.push(identifyMessage(world, u, start + u.index * 97));
  }
  for (let d = 0; start + d * DAY_MS < end; d++) {
    const a = start + d * DAY_MS;
    const b = Math.min(end, a + DAY_MS);
    for (const u of users) {
      if (u.signupAt >= b) continue;
      if (u.signupAt >= a) buffer.push(identifyMessage(world, u, u.signupAt));
      activityInWindow(world, u, a, b, rngFor(seed, 'activity', u.index, d), `h|${d}`, buffer);
    }
    // Later windows can only add events from SESSION_LOOKBACK_MS before their start on.
    const safe = b >= end ? Infinity : b - SESSION_LOOKBACK_MS;
    buffer.sort(byTimestamp);
    let n = 0;
    while (n < buffer.length && buffer[n]._t < safe) n++;
    for (let i = 0; i < n; i++) {
      if (buffer[i]._t <= end) yield strip(buffer[i]);
    }
    buffer = buffer.slice(n);
  }
}

function strip(msg) {
  const { _t, ...rest } = msg;
  void _t;
  return rest;
}

/** Orders and browsing sessions of one user in (a, b], appended to `out` (with a private `_t` sort key). */
function activityInWindow(world, user, a, b, rng, key, out) {
  let seq = 0;
  for (const piece of world.ratePieces(user, a, b)) {
    const len = piece.to - piece.from;
    const orders = rng.poisson((piece.orderRate * len) / DAY_MS);
    for (let i = 0; i < orders; i++) {
      const at = Math.floor(piece.from + rng.next() * len) + 1;
      orderSession(world, user, rng, at, `${key}|${piece.from}|o${seq++}`, out);
    }
    const sessions = rng.poisson((piece.sessionRate * len) / DAY_MS);
    for (let i = 0; i < sessions; i++) {
      const at = Math.floor(piece.from + rng.next() * len) + 1;
      browseSession(world, user, rng, at, `${key}|${piece.from}|s${seq++}`, out);
    }
  }
}

function pickProduct(world, rng) {
  // Popularity skew: a few products get most views.
  const idx = Math.floor(world.catalog.length * rng.next() ** 2.2);
  return world.catalog[idx];
}

const PAGES = ['/', '/new', '/sale', '/category/home', '/category/outdoor', '/category/kitchen', '/search', '/account'];

/** A session that ends in an order at `orderAt`: its earlier steps happen just before it. */
function orderSession(world, user, rng, orderAt, key, out) {
  const steps = [];
  const pages = 1 + rng.poisson(1.2);
  for (let i = 0; i < pages; i++) steps.push(['page_viewed', { path: PAGES[rng.int(0, PAGES.length - 1)] }]);
  const cart = [];
  const views = 1 + rng.poisson(1.5 + 2 * user.eagerness);
  for (let i = 0; i < views; i++) {
    const p = pickProduct(world, rng);
    steps.push(['product_viewed', { product_id: p.id, price: p.price }]);
    if (cart.length === 0 || rng.bernoulli(0.3)) {
      const quantity = rng.bernoulli(0.8) ? 1 : rng.int(2, 3);
      cart.push({ ...p, quantity });
      steps.push(['added_to_cart', { product_id: p.id, price: p.price, quantity }]);
    }
  }
  const cartValue = round2(cart.reduce((s, it) => s + it.price * it.quantity, 0));
  steps.push(['checkout_started', { cart_value: cartValue }]);
  const orderId = `ord_${deterministicUuid(`${world.seed}|order|${user.id}|${key}`).slice(0, 18)}`;
  steps.push(['order_completed', { order_id: orderId, revenue: cartValue, items: cart.reduce((s, it) => s + it.quantity, 0) }]);

  const gaps = steps.map(() => Math.min(120_000, 4_000 + rng.exponential(1 / 35_000)));
  let span = gaps.slice(1).reduce((s, g) => s + g, 0);
  // Never before signup, and within the look-back the streaming order relies on.
  const room = Math.min(MAX_PRE_ORDER_SPAN_MS, orderAt - user.signupAt - 1_000);
  const scale = span > room ? Math.max(0, room) / span : 1;
  let t = orderAt;
  const times = new Array(steps.length);
  times[steps.length - 1] = orderAt;
  for (let i = steps.length - 2; i >= 0; i--) {
    t -= Math.max(1, Math.floor(gaps[i + 1] * scale));
    times[i] = t;
  }
  steps.forEach(([event, props], i) => out.push(trackMessage(world, user, event, props, times[i], `${key}|${i}`)));
}

/** A browsing session starting at `at`: depth follows the user's eagerness; carts may be abandoned. */
function browseSession(world, user, rng, at, key, out) {
  let t = at;
  let i = 0;
  const next = () => (t += Math.floor(3_000 + rng.exponential(1 / 40_000)));
  const pages = 1 + rng.poisson(1.5);
  for (let k = 0; k < pages; k++) out.push(trackMessage(world, user, 'page_viewed', { path: PAGES[rng.int(0, PAGES.length - 1)] }, k === 0 ? t : next(), `${key}|${i++}`));
  const views = rng.poisson(0.6 + 2.4 * user.eagerness);
  let cartValue = 0;
  for (let k = 0; k < views; k++) {
    const p = pickProduct(world, rng);
    out.push(trackMessage(world, user, 'product_viewed', { product_id: p.id, price: p.price }, next(), `${key}|${i++}`));
    if (rng.bernoulli(0.04 + 0.22 * user.eagerness)) {
      const quantity = rng.bernoulli(0.85) ? 1 : 2;
      cartValue += p.price * quantity;
      out.push(trackMessage(world, user, 'added_to_cart', { product_id: p.id, price: p.price, quantity }, next(), `${key}|${i++}`));
    }
  }
  if (cartValue > 0 && rng.bernoulli(0.2 + 0.35 * user.eagerness)) {
    out.push(trackMessage(world, user, 'checkout_started', { cart_value: round2(cartValue) }, next(), `${key}|${i++}`));
  }
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

function context(user) {
  return {
    library: LIBRARY,
    app: { name: 'Acme Shop', version: user.appVersion, namespace: 'com.acme.shop' },
    device: { type: user.device },
    locale: COUNTRY_LOCALE[user.country],
  };
}

/** sentAt: the device sends a little after the event happened (a fixed function of the id, so deterministic). */
function sentAtFor(t, messageId) {
  return new Date(t + 50 + (parseInt(messageId.slice(0, 4), 16) % 2500)).toISOString();
}

function trackMessage(world, user, event, properties, t, key) {
  const messageId = deterministicUuid(`${world.seed}|${user.id}|${key}`);
  return {
    _t: t,
    type: 'track',
    event,
    messageId,
    userId: user.id,
    timestamp: new Date(t).toISOString(),
    sentAt: sentAtFor(t, messageId),
    properties,
    context: context(user),
  };
}

function identifyMessage(world, user, t) {
  const messageId = deterministicUuid(`${world.seed}|${user.id}|identify|${t}`);
  return {
    _t: t,
    type: 'identify',
    messageId,
    userId: user.id,
    timestamp: new Date(t).toISOString(),
    sentAt: sentAtFor(t, messageId),
    traits: { signup_date: user.signupDate, country: user.country, plan: user.plan },
    context: context(user),
  };
}

/** Rebuilds the world send-events sent (and the simulator's live periods) from its manifest. */
export function worldFromManifest(file = DEFAULT_MANIFEST) {
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  return createProductWorld({ seed: m.seed, users: m.users, weeks: m.weeks, end: m.end, shifts: m.shifts ?? [] });
}

/**
 * Rank AUC of `scores` against 0/1 `labels` (ties share their average rank), e.g. of the true
 * probabilities on the rows a champion was evaluated on, for the comparison in the start summary.
 */
export function rankAuc(scores, labels) {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && scores[idx[j]] === scores[idx[i]]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (!labels[idx[k]]) continue;
      pos++;
      rankSum += avgRank;
    }
    i = j;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * The true 7-day order probability of every user at every UTC midnight of the history, as CSV
 * `user_id,as_of_date,p_order_7d` (p for orders in (as_of_date 00:00 UTC, +7 days]). Feature rows of
 * the daily activity mart are stamped at midnights (activity_date + 1), so a label query can join
 * this file (imported into the warehouse) on `event_timestamp::date = as_of_date` as the trainer's
 * reference score.
 */
export function* trueProbabilityGridCsv(world) {
  yield 'user_id,as_of_date,p_order_7d\n';
  for (let d = Math.ceil(world.start / DAY_MS) * DAY_MS; d <= world.end; d += DAY_MS) {
    const date = new Date(d).toISOString().slice(0, 10);
    for (const u of world.users) {
      if (u.signupAt >= d) continue;
      yield `${u.id},${date},${world.orderProbability(u, d).toFixed(6)}\n`;
    }
  }
}

export const MARKETING_CHANNELS = ['search', 'social', 'display', 'email'];
const CHANNEL_BUDGET = { search: 420, social: 260, display: 140, email: 35 };

/** Daily marketing spend per country and channel over the history, as CSV lines (header first). */
export function* marketingSpendCsv(world) {
  yield 'date,country,channel,spend\n';
  const total = Object.values(COUNTRY_WEIGHTS).reduce((s, w) => s + w, 0);
  for (let d = startOfUtcDay(world.start); d < world.end; d += DAY_MS) {
    const date = new Date(d).toISOString().slice(0, 10);
    const weekend = [0, 6].includes(new Date(d).getUTCDay()) ? 0.8 : 1;
    for (const country of Object.keys(COUNTRY_WEIGHTS)) {
      for (const channel of MARKETING_CHANNELS) {
        const rng = rngFor(world.seed, 'spend', date, country, channel);
        const base = (CHANNEL_BUDGET[channel] * COUNTRY_WEIGHTS[country] * 8) / total;
        const spend = base * weekend * Math.exp(0.25 * rng.normal());
        yield `${date},${country},${channel},${spend.toFixed(2)}\n`;
      }
    }
  }
}

export const WORLD_OPTIONS = {
  users: { type: 'string' },
  weeks: { type: 'string' },
  seed: { type: 'string' },
  end: { type: 'string' },
};

/** World options from parsed CLI values (env DEMO_USERS / DEMO_WEEKS / DEMO_SEED as fallbacks). */
export function worldOptionsFrom(values, env = process.env) {
  const num = (v, name) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
    return n;
  };
  return {
    users: num(values.users ?? env.DEMO_USERS, 'users'),
    weeks: num(values.weeks ?? env.DEMO_WEEKS, 'weeks'),
    seed: num(values.seed ?? env.DEMO_SEED, 'seed'),
    end: values.end ?? env.DEMO_END,
  };
}

async function main() {
  const { values, positionals } = parseArgs({ options: { ...WORLD_OPTIONS, manifest: { type: 'string' } }, allowPositionals: true });
  // --manifest rebuilds the world send-events sent (flags still win).
  const sent = values.manifest ? JSON.parse(fs.readFileSync(values.manifest, 'utf8')) : {};
  const cli = worldOptionsFrom(values);
  const world = createProductWorld({ seed: cli.seed ?? sent.seed, users: cli.users ?? sent.users, weeks: cli.weeks ?? sent.weeks, end: cli.end ?? sent.end, shifts: sent.shifts ?? [] });
  const write = (line) => (process.stdout.write(line) ? undefined : new Promise((r) => process.stdout.once('drain', r)));
  const mode = positionals[0] ?? 'events';
  if (mode === 'events') {
    for (const e of world.events()) await write(`${JSON.stringify(e)}\n`);
  } else if (mode === 'users') {
    for (const u of world.users) {
      await write(`${JSON.stringify({ user_id: u.id, country: u.country, plan: u.plan, signup_date: u.signupDate, log_order_rate: u.logOrderRate, p_order_7d_at_end: world.orderProbability(u, world.end) })}\n`);
    }
  } else if (mode === 'truth') {
    const rl = createInterface({ input: process.stdin });
    const known = new Set(world.users.map((u) => u.id));
    await write('user_id,timestamp,p_order_7d\n');
    for await (const line of rl) {
      const [userId, ts] = line.split(',').map((s) => s.trim());
      if (!userId || userId === 'user_id') continue;
      if (!known.has(userId) || !Number.isFinite(Date.parse(ts))) {
        console.error(`skipped (unknown user or bad timestamp): ${line}`);
        continue;
      }
      await write(`${userId},${ts},${world.orderProbability(userId, ts).toFixed(6)}\n`);
    }
  } else if (mode === 'truth-grid') {
    for (const line of trueProbabilityGridCsv(world)) await write(line);
  } else if (mode === 'marketing-spend') {
    for (const line of marketingSpendCsv(world)) await write(line);
  } else {
    throw new Error(`unknown mode ${mode} (events | users | truth | truth-grid | marketing-spend)`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `| head` closing the pipe is a normal way to stop reading, not an error.
  process.stdout.on('error', (err) => (err.code === 'EPIPE' ? process.exit(0) : Promise.reject(err)));
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
