// The console in a real browser against the running platform: the four services and the console as
// built processes (console-platform.mjs seeds real data through the services' APIs), driven by
// Debian's Chromium through playwright-core. Every page must load without a console error or a
// failed request and draw its charts with data; a promotion made in the UI must move the alias and
// appear in the trainer's audit log; a failed event must be replayed; the "try it" form must get
// the trainer's own score from model-serving; in the production profile the console must ask for
// a token, offer only what its scopes allow, and never put the token in a URL or a log.
//
// Chromium: CHROMIUM_PATH, else /usr/bin/chromium (`apt-get install chromium`, which .ci/run does).
// CONSOLE_SCREENSHOTS=<dir> also saves a screenshot of each page (docs/console.md uses them).
/* global document -- the functions passed to page.evaluate run in the browser */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { http, poll } from '../runner/demo-pipeline.mjs';
import { CONSOLE_MODEL, startConsole, startConsolePlatform, WAREHOUSE_MODELS } from './console-platform.mjs';
import { root } from './platform-processes.mjs';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'].find((p) => p && fs.existsSync(p));
// Ports 29501-29505 (HTTP), 30501-30505 (TCP) and 29605/30605 for the production-profile console:
// clear of the other e2e tests (offsets 21000-25000 use 24001-29004), which may run alongside.
const OFFSET = Number(process.env.E2E_CONSOLE_PORT_OFFSET ?? 26500);
const SHOTS = process.env.CONSOLE_SCREENSHOTS ? path.resolve(process.env.CONSOLE_SCREENSHOTS) : null;
const VIEWER = 'console-viewer-token-0123456789';
const OPERATOR = 'console-operator-token-0123456789';
// Reads the warehouse and the feature store but not the trainer: the lineage stops at the feature services.
const DATA_READER = 'console-data-reader-token-0123456789';

let platform;
let browser;

/**
 * A page that records what must never happen: console errors, uncaught exceptions, failed requests
 * and error answers (`expectStatus` lists the ones a test provokes on purpose, e.g. a 401 before
 * signing in). Requests the page aborted itself (leaving a page mid-load) are not failures.
 */
async function openPage({ expectStatus = [] } = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const problems = [];
  const urls = [];
  // Chromium also logs each error answer as a console error; the provoked ones are expected there too.
  const provoked = (text) => expectStatus.some((s) => text.includes(`status of ${s} `));
  page.on('console', (m) => m.type() === 'error' && !provoked(m.text()) && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => urls.push(r.url()));
  page.on('response', (r) => r.status() >= 400 && !expectStatus.includes(r.status()) && problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`));
  return { page, context, problems, urls };
}

/** Each canvas: how many elements Chart.js laid out, and how many pixels of the plot area carry a series colour. */
async function chartsOn(page) {
  return page.$$eval('canvas', (canvases) =>
    canvases.map((c) => {
      const [left, top, right, bottom] = (c.dataset.area ?? '0 0 0 0').split(' ').map(Number);
      const scale = c.width / c.clientWidth;
      const data = c.getContext('2d').getImageData(Math.round(left * scale), Math.round(top * scale), Math.max(1, Math.round((right - left) * scale)), Math.max(1, Math.round((bottom - top) * scale))).data;
      const palette = [[37, 99, 235], [217, 119, 6], [5, 150, 105], [124, 58, 237], [220, 38, 38], [8, 145, 178]];
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 150 && palette.some(([r, g, b]) => Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40 && Math.abs(data[i + 2] - b) < 40)) coloured++;
      }
      return { label: c.getAttribute('aria-label'), elements: Number(c.dataset.elements ?? 0), coloured };
    }),
  );
}

async function shoot(page, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** One part of a page (a section, a graph), for pictures of what lies below the first screen. */
async function shootPart(locator, name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await locator.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

const api = (service) => platform.urls[service];

describe('the console in Chromium', { skip: CHROMIUM ? false : 'Chromium not found (set CHROMIUM_PATH or apt-get install chromium): the console browser tests cannot run' }, () => {
  before(async () => {
    const { chromium } = await import('playwright-core');
    platform = await startConsolePlatform({ offset: OFFSET });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox', '--disable-dev-shm-usage'] : ['--disable-dev-shm-usage'] });
  });

  after(async () => {
    await browser?.close();
    await platform?.stop();
  });

  test('every page loads without console errors or failed requests, and its charts draw data', { timeout: 180_000 }, async (t) => {
    const { runs } = platform.models;
    const pages = [
      { name: 'overview', path: '/', ready: '[data-testid=board-counts]', charts: 0 },
      { name: 'warehouse', path: '/warehouse', ready: 'table[aria-label="Failed events"] tbody tr', charts: 1 },
      { name: 'features', path: '/features', ready: 'table[aria-label="Feature views"] tbody tr', charts: 0 },
      { name: 'feature-view', path: '/features/customer_activity', ready: 'table[aria-label="Materializations"] tbody tr', charts: 4 },
      { name: 'models', path: '/models', ready: 'table[aria-label="Registered models"] tbody tr', charts: 0 },
      { name: 'model', path: `/models/${CONSOLE_MODEL}`, ready: 'table[aria-label="Alias audit log"] tbody tr', charts: 0 },
      { name: 'run', path: `/runs/${runs[0]}`, ready: 'table[aria-label="Held-out metrics"]', charts: 2 },
      { name: 'compare', path: `/compare?a=${runs[0]}&b=${runs[1]}`, ready: 'table[aria-label="Metrics side by side"]', charts: 2 },
      { name: 'serving', path: '/serving', ready: 'table[aria-label="Served models"] tbody tr', charts: 0 },
      // Two traffic charts (requests and errors, latency percentiles: the seed's predictions), the PSI bars, PSI over time and the live calibration.
      { name: 'serving-model', path: `/serving/${CONSOLE_MODEL}`, ready: 'form[aria-label="V2 inference request"]', charts: 5 },
    ];
    const { page, context, problems } = await openPage();
    try {
      for (const p of pages) {
        await page.goto(`${platform.console.url}${p.path}`);
        await page.waitForSelector(p.ready, { timeout: 20_000 });
        if (p.charts) await page.waitForFunction((n) => [...document.querySelectorAll('canvas')].filter((c) => c.dataset.area).length >= n, p.charts, { timeout: 20_000 });
        await page.waitForLoadState('networkidle');
        const charts = await chartsOn(page);
        assert.equal(charts.length, p.charts, `${p.path}: charts ${JSON.stringify(charts)}`);
        for (const c of charts) {
          assert.ok(c.elements > 0, `${p.path}: chart "${c.label}" laid out no data`);
          assert.ok(c.coloured > 50, `${p.path}: chart "${c.label}" drew no series in its plot area (${c.coloured} pixels)`);
        }
        await shoot(page, p.name);
      }
      // A bookmarked page path with nothing behind it shows the console's own answer, not an error.
      await page.goto(`${platform.console.url}/no/such/page`);
      await page.waitForSelector('text=Nothing here');
      assert.deepEqual(problems, []);
    } catch (err) {
      t.diagnostic(`browser problems: ${JSON.stringify(problems)}`);
      t.diagnostic(platform.console.output().slice(-3000));
      throw err;
    } finally {
      await context.close();
    }
  });

  test("the console's route table asks for the scopes the services themselves require", async () => {
    const { CONSOLE_ROUTES } = createRequire(import.meta.url)(path.join(root, 'dist/apps/console/apps/console/src/app/upstream/console-routes.js'));
    const docs = Object.fromEntries(await Promise.all(['dwh-ingest', 'feature-store', 'trainer', 'model-serving'].map(async (s) => [s, await http('GET', `${platform.urls[{ 'dwh-ingest': 'dwh', 'feature-store': 'features', trainer: 'trainer', 'model-serving': 'serving' }[s]]}/openapi.json`)])));
    const mismatches = [];
    for (const r of CONSOLE_ROUTES) {
      const op = docs[r.upstream].paths[r.path.replace(/:([a-z]+)/g, '{$1}')]?.[r.method.toLowerCase()];
      if (!op) {
        mismatches.push(`${r.upstream} ${r.method} ${r.path}: not in the service's OpenAPI`);
        continue;
      }
      const forbidden = op.responses?.['403']?.description ?? '';
      const scope = /lacks scope (\S+) \(FORBIDDEN\)/.exec(forbidden)?.[1] ?? null;
      if (scope !== r.scope) mismatches.push(`${r.upstream} ${r.method} ${r.path}: the console says ${r.scope}, the service ${scope}`);
    }
    assert.deepEqual(mismatches, []);
  });

  test('a promotion made in the UI moves the alias, with its reason, into the trainer\'s audit log', { timeout: 120_000 }, async () => {
    const before = await http('GET', `${api('trainer')}/v1/models/${CONSOLE_MODEL}`);
    const versions = (await http('GET', `${api('trainer')}/v1/models/${CONSOLE_MODEL}/versions`)).versions.map((v) => v.version);
    const target = versions.find((v) => v !== before.aliases.champion);
    assert.ok(target, `a version that is not champion: ${JSON.stringify(versions)}`);
    const reason = `console e2e: v${target} is the better-calibrated model (${Date.now()})`;
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${platform.console.url}/models/${CONSOLE_MODEL}`);
      await page.getByRole('button', { name: `Make v${target} champion` }).click();
      const dialog = page.getByRole('dialog');
      // The reason is required: the dialog does not submit without one.
      assert.equal(await dialog.getByRole('button', { name: 'Move alias' }).isDisabled(), true);
      await dialog.getByLabel('Reason (required)').fill(reason);
      await dialog.getByRole('button', { name: 'Move alias' }).click();
      await page.waitForFunction((v) => document.querySelector('[data-testid=champion]')?.textContent === `v${v}`, target, { timeout: 20_000 });
      await page.getByRole('cell', { name: reason }).waitFor();
      await shoot(page, 'model-promoted');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
    const model = await http('GET', `${api('trainer')}/v1/models/${CONSOLE_MODEL}`);
    assert.equal(model.aliases.champion, target);
    const last = (await http('GET', `${api('trainer')}/v1/models/${CONSOLE_MODEL}/audit`)).entries.at(-1);
    assert.deepEqual({ alias: last.alias, from: last.from, to: last.to, reason: last.reason }, { alias: 'champion', from: before.aliases.champion, to: target, reason });
    // model-serving follows the move (model.promoted.v1).
    await poll(async () => (await http('GET', `${api('serving')}/v2/models/${CONSOLE_MODEL}`)).parameters?.version === String(target), { what: `v${target} served`, timeoutMs: 60_000 });
  });

  test("the warehouse page shows dwh-ingest's event counts, the lineage of the seeded models and the imports' rejected rows", { timeout: 120_000 }, async () => {
    const stats = await http('GET', `${api('dwh')}/v1/events/stats?top=8`);
    assert.ok(stats.totals.accepted > 100 && stats.totals.rejected > 0 && stats.totals.duplicates > 0, `the seed sent accepted, rejected and duplicate events: ${JSON.stringify(stats.totals)}`);
    const lineage = await http('GET', `${api('dwh')}/v1/lineage`);
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${platform.console.url}/warehouse`);
      // The chart and the totals are dwh-ingest's answer for the same 24 hours.
      await page.waitForFunction(() => [...document.querySelectorAll('canvas')].some((c) => c.dataset.area), null, { timeout: 20_000 });
      const totals = await page.getByTestId('event-totals').textContent();
      assert.match(totals, new RegExp(`^${stats.totals.accepted.toLocaleString('en-US')} accepted, ${stats.totals.rejected} rejected \\([0-9.]+%\\), ${stats.totals.duplicates} duplicates`));
      const [chart] = await chartsOn(page);
      assert.equal(chart.elements, 3 * stats.buckets.length, 'three stacked series, one bar per hour');
      assert.ok(chart.coloured > 50, `the events chart drew its bars (${chart.coloured} pixels)`);
      const codes = page.getByRole('table', { name: 'Top violation codes' });
      const shown = await codes.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent.trim())));
      assert.deepEqual(shown, stats.topCodes.map((c) => [c.code, String(c.events)]));

      // The lineage: every seeded source, model and the feature view reading a mart, with their edges.
      const graph = page.getByRole('group', { name: /^Lineage/ });
      await graph.waitFor();
      const names = [...WAREHOUSE_MODELS.map((m) => m.name), 'src_console_customers', 'events', 'customer_activity'];
      for (const name of names) await graph.locator(`[data-lineage-node="${name}"]`).waitFor();
      // Past the feature view: its feature service and the model trained on it, with the registry's champion that serving loaded.
      const services = (await http('GET', `${api('features')}/v1/feature-services`)).feature_services;
      const models = (await http('GET', `${api('trainer')}/v1/models`)).models;
      const declared = (await http('GET', `${api('trainer')}/v1/model-specs`)).models;
      const viewsRead = services.reduce((n, s) => n + new Set(s.features.map((f) => f.split(':')[0].split('@')[0])).size, 0);
      const champion = models.find((m) => m.name === CONSOLE_MODEL).aliases.champion;
      const service = graph.locator(`[data-lineage-id="service:${CONSOLE_MODEL}"]`);
      const trained = graph.locator(`[data-lineage-id="trained:${CONSOLE_MODEL}"]`);
      await service.waitFor();
      await trained.waitFor();
      for (const [from, to] of [['model:mart_console_customers', 'view:customer_activity'], ['view:customer_activity', `service:${CONSOLE_MODEL}`], [`service:${CONSOLE_MODEL}`, `trained:${CONSOLE_MODEL}`]]) {
        assert.equal(await graph.locator(`path[data-from="${from}"][data-to="${to}"]`).count(), 1, `an edge ${from} -> ${to}`);
      }
      assert.equal(Number(await graph.getAttribute('data-edges')), lineage.edges.length + 1 + viewsRead + declared.length, 'the warehouse edges, mart -> view, view -> service for each view a service reads, service -> each declared model');
      // Each part is its own request: wait until serving's answer is in (the box turns green, no part still loading).
      await graph.locator(`[data-lineage-id="trained:${CONSOLE_MODEL}"][data-status="green"]`).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=lineage-stop]').length === 0, null, { timeout: 20_000 });
      assert.match(await trained.getAttribute('aria-label'), new RegExp(`^model ${CONSOLE_MODEL}: green, champion v${champion}, served v${champion}$`));
      assert.match(await trained.textContent(), new RegExp(`champion v${champion}`));
      assert.equal(await graph.locator('[data-lineage-node="mart_console_customers"]').getAttribute('data-status'), 'amber', 'its warn test finds the pro plan, which it does not list');
      await graph.locator('[data-lineage-node="mart_console_customers"]').click();
      const detail = page.getByTestId('lineage-detail');
      await detail.getByText('accepted_values(plan) [warn]').waitFor();
      await detail.getByText(/unique\(customer_id\) \[error\]: pass/).waitFor();
      await detail.getByText(/Freshness ok/).waitFor();
      // The model box opens to its champion and links to the model page; the service's to the features page.
      await trained.click();
      await detail.getByText(new RegExp(`champion v${champion}`)).waitFor();
      assert.equal(await detail.getByRole('link', { name: 'Its versions and runs' }).getAttribute('href'), `/models/${CONSOLE_MODEL}`);
      if (SHOTS) {
        // A wide window, so the picture holds every column from the sources to the model.
        await page.setViewportSize({ width: 1800, height: 1000 });
        await shootPart(page.locator('#lineage'), 'warehouse-lineage');
        await page.setViewportSize({ width: 1440, height: 1000 });
      }
      await service.click();
      assert.equal(await detail.getByRole('link', { name: 'The feature store' }).getAttribute('href'), '/features');

      // The customers import and its three refused rows.
      const imports = page.getByRole('table', { name: 'Imports' });
      await imports.getByRole('button', { name: '3 rows' }).click();
      const rejected = page.getByRole('table', { name: 'Rejected rows' });
      await rejected.getByText('c-9002').waitFor();
      assert.equal(await rejected.locator('tbody tr').count(), 3);
      await rejected.getByText('OUT_OF_RANGE').waitFor();
      await shootPart(page.locator('#imports'), 'warehouse-imports');

      // A top code opens the failed events with that code.
      await codes.getByRole('button', { name: stats.topCodes[0].code }).click();
      assert.equal(await page.getByRole('form', { name: 'Filter failed events' }).getByLabel('code').inputValue(), stats.topCodes[0].code);
      await page.getByRole('table', { name: 'Failed events' }).locator(`tbody tr td code:text-is("${stats.topCodes[0].code}")`).first().waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('a failed event is replayed from the warehouse page once the tracking plan accepts it', { timeout: 120_000 }, async () => {
    // The data team plans the event that arrived unplanned, then replays what was rejected.
    await http('POST', `${api('dwh')}/v1/schemas`, {
      name: 'wishlist_added',
      version: '1-0-0',
      description: 'A product saved for later',
      schema: { type: 'object', required: ['product_id'], properties: { product_id: { type: 'string', minLength: 1, maxLength: 64 } }, additionalProperties: false },
    });
    const pending = await http('GET', `${api('dwh')}/v1/failed-events?code=UNPLANNED_EVENT&status=pending&limit=1`);
    const failed = pending.items[0];
    assert.ok(failed, 'an unplanned event was rejected by the seed');
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${platform.console.url}/warehouse`);
      const filter = page.getByRole('form', { name: 'Filter failed events' });
      await filter.getByLabel('code').selectOption('UNPLANNED_EVENT');
      await page.getByRole('checkbox', { name: `select failed event ${failed.id}` }).check();
      // The payload is there to read before replaying it.
      await page.getByRole('button', { name: failed.messageId }).click();
      await page.getByText(`"messageId": "${failed.messageId}"`).waitFor();
      await page.getByRole('button', { name: /Replay 1 selected/ }).click();
      await page.getByTestId('replay-result').filter({ hasText: 'Replayed 1: 1 accepted' }).waitFor({ timeout: 20_000 });
      await shoot(page, 'warehouse-replayed');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
    const replayed = await http('GET', `${api('dwh')}/v1/failed-events?code=UNPLANNED_EVENT&status=replayed&limit=100`);
    assert.equal(replayed.items.find((e) => e.id === failed.id)?.replayStatus, 'accepted');
    const { rows } = await platform.db.query('SELECT count(*)::int AS n FROM dwh.events WHERE message_id = $1', [failed.messageId]);
    assert.equal(rows[0].n, 1, 'the replayed event is in the warehouse');
  });

  test("the try-it form sends a real V2 request and gets the trainer's own score for a held-out row", { timeout: 60_000 }, async () => {
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${platform.console.url}/serving/${CONSOLE_MODEL}`);
      await page.getByRole('button', { name: 'Fill with a held-out row' }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('form[aria-label="V2 inference request"] input')].some((i) => i.value !== ''));
      await page.getByRole('button', { name: 'Send request' }).click();
      const result = page.getByTestId('infer-result');
      await result.waitFor({ timeout: 20_000 });
      const text = await result.innerText();
      const served = Number(/probability: ([0-9.]+)/.exec(text)?.[1]);
      const trainer = Number(/the trainer scored this row ([0-9.]+)/.exec(text)?.[1]);
      assert.ok(Number.isFinite(served) && Number.isFinite(trainer), text);
      assert.ok(Math.abs(served - trainer) < 1e-5, `served ${served}, trainer ${trainer}`);
      assert.match(text, /request console-|request [0-9a-f-]{36}/);
      await shoot(page, 'serving-try-it');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('a traffic policy changed from the serving page is what model-serving then answers, and the traffic charts show the requests', { timeout: 60_000 }, async () => {
    const policyUrl = `${api('serving')}/v1/models/${CONSOLE_MODEL}/traffic-policy`;
    const statsUrl = `${api('serving')}/v1/models/${CONSOLE_MODEL}/traffic-stats`;
    const before = await http('GET', policyUrl);
    const totals = async () => (await http('GET', statsUrl)).points.reduce((t, p) => ({ requests: t.requests + p.requests, errors: t.errors + p.errors, clientErrors: t.clientErrors + p.clientErrors }), { requests: 0, errors: 0, clientErrors: 0 });
    // 12 answered requests and 3 refused ones (a missing input): the series must count exactly these on top of what it had,
    // once the earlier tests' last requests are written (each replica writes every TRAFFIC_STATS_FLUSH_MS = 1 s here).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const start = await totals();
    const meta = await http('GET', `${api('serving')}/v2/models/${CONSOLE_MODEL}`);
    const [row] = (await http('GET', `${api('trainer')}/v1/training-runs/${platform.models.runs[0]}/holdout-predictions?limit=1`)).rows;
    const inputs = meta.inputs.map((input) => ({ name: input.name, datatype: input.datatype, shape: [1], data: [row.features[input.name] ?? null] }));
    for (let i = 0; i < 12; i++) await http('POST', `${api('serving')}/v2/models/${CONSOLE_MODEL}/infer`, { inputs });
    for (let i = 0; i < 3; i++) await http('POST', `${api('serving')}/v2/models/${CONSOLE_MODEL}/infer`, { inputs: inputs.slice(1) }, { ok: [400] });
    const counted = await poll(async () => {
      const now = await totals();
      return now.requests - start.requests >= 15 ? now : undefined;
    }, { what: 'the requests in traffic-stats', timeoutMs: 15_000 });
    assert.deepEqual({ requests: counted.requests - start.requests, errors: counted.errors - start.errors, clientErrors: counted.clientErrors - start.clientErrors }, { requests: 15, errors: 0, clientErrors: 3 });
    const { page, context, problems } = await openPage();
    try {
      await page.goto(`${platform.console.url}/serving/${CONSOLE_MODEL}`);
      await page.getByTestId('traffic-summary').filter({ hasText: /^[\d,]+ requests/ }).waitFor();
      const summary = Number((await page.getByTestId('traffic-summary').innerText()).replace(/,/g, '').split(' ')[0]);
      assert.equal(summary, counted.requests, 'the page shows the requests the service counted');
      await page.getByRole('button', { name: 'Edit traffic policy' }).click();
      const form = page.getByRole('form', { name: 'Edit traffic policy' });
      await form.getByLabel('Canary share to the challenger (%)').fill('25');
      await form.getByLabel(/Shadow/).check();
      await form.getByRole('button', { name: 'Save policy' }).click();
      await page.getByTestId('canary-weight').filter({ hasText: '25%' }).waitFor({ timeout: 10_000 });
      await shoot(page, 'serving-model-policy');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
    const after = await http('GET', policyUrl);
    assert.deepEqual(after, { ...before, canaryWeight: 0.25, shadow: true });
    // Back as it was, so no later request is routed by this test's canary.
    await http('PUT', policyUrl, { canaryWeight: before.canaryWeight, shadow: before.shadow });
  });

  test('in the production profile it asks for a token, offers only what the scopes allow, and keeps the token out of URLs and logs', { timeout: 120_000 }, async () => {
    const secured = await startConsole(platform, {
      httpPort: 3005 + OFFSET + 100,
      tcpPort: 4005 + OFFSET + 100,
      env: {
        PLATFORM_PROFILE: 'production',
        // Production signs every transport message (the console's readiness asks itself).
        TRANSPORT_SECRET: 'console-e2e-transport-secret-0123456789abcdef',
        AUTH_TOKENS: JSON.stringify([
          { name: 'data-viewer', token: VIEWER, scopes: ['trainer:read', 'ingest:read', 'features:read'] },
          { name: 'ml-operator', token: OPERATOR, scopes: ['admin'] },
          { name: 'data-reader', token: DATA_READER, scopes: ['ingest:read', 'features:read'] },
        ]),
      },
    });
    // Signing in asks /api/session without a token first: that 401 is expected.
    const { page, context, problems, urls } = await openPage({ expectStatus: [401] });
    try {
      await page.goto(`${secured.url}/`);
      await page.getByLabel('Platform token').fill('not-a-token-0123456789');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('That token is not valid for this platform.').waitFor();
      await page.getByLabel('Platform token').fill(VIEWER);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('signed-in-as').filter({ hasText: 'data-viewer' }).waitFor();
      await page.getByTestId('board-counts').waitFor();
      await shoot(page, 'sign-in-viewer');

      // A viewer sees the registry but is offered no alias move, no replay and no prediction.
      await page.goto(`${secured.url}/models/${CONSOLE_MODEL}`);
      await page.getByRole('table', { name: 'Versions' }).waitFor();
      await page.getByText('Moving an alias needs a token with the admin scope.').waitFor();
      assert.equal(await page.getByRole('button', { name: /Make v\d+ champion/ }).count(), 0);
      await page.goto(`${secured.url}/warehouse`);
      await page.getByRole('table', { name: 'Failed events' }).waitFor();
      assert.equal(await page.getByRole('button', { name: /Replay/ }).isDisabled(), true);
      await page.goto(`${secured.url}/serving/${CONSOLE_MODEL}`);
      await page.getByRole('form', { name: 'V2 inference request' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Send request' }).isDisabled(), true);
      assert.equal(await page.getByRole('button', { name: 'Edit traffic policy' }).isDisabled(), true);
      // Were the page to try anyway, the console refuses it for the route's scope.
      const refused = await page.evaluate(async (model) => {
        const token = sessionStorage.getItem('mlp.console.token');
        const res = await fetch(`/api/trainer/v1/models/${model}/aliases`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ alias: 'champion', version: 1, reason: 'should be refused' }) });
        return { status: res.status, body: await res.json() };
      }, CONSOLE_MODEL);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'FORBIDDEN');
      // That 403 was provoked here (its answer and Chromium's console line about it).
      problems.splice(0, problems.length, ...problems.filter((p) => !p.startsWith('HTTP 403') && !p.includes('status of 403 ')));

      // Signing out forgets the token in this tab.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Platform token').waitFor();
      assert.equal(await page.evaluate(() => sessionStorage.getItem('mlp.console.token')), null);

      // A reader without trainer:read sees the lineage up to the feature services, and why it ends there.
      await page.getByLabel('Platform token').fill(DATA_READER);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('signed-in-as').filter({ hasText: 'data-reader' }).waitFor();
      await page.goto(`${secured.url}/warehouse`);
      const graph = page.getByRole('group', { name: /^Lineage/ });
      await graph.locator(`[data-lineage-id="service:${CONSOLE_MODEL}"]`).waitFor();
      await page.getByTestId('lineage-stop').filter({ hasText: 'Your token cannot read models (it needs trainer:read)' }).waitFor();
      assert.equal(await graph.locator('[data-lineage-kind="model"]').count(), 0);
      assert.equal(await graph.locator(`path[data-from="view:customer_activity"][data-to="service:${CONSOLE_MODEL}"]`).count(), 1);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Platform token').waitFor();

      // An operator (admin) is offered the actions.
      await page.getByLabel('Platform token').fill(OPERATOR);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('signed-in-as').filter({ hasText: 'ml-operator' }).waitFor();
      await page.goto(`${secured.url}/models/${CONSOLE_MODEL}`);
      await page.getByRole('table', { name: 'Versions' }).waitFor();
      assert.ok((await page.getByRole('button', { name: /Make v\d+ (champion|challenger)/ }).count()) > 0);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await secured.stop();
    }
    for (const token of [VIEWER, OPERATOR, DATA_READER]) {
      assert.deepEqual(urls.filter((u) => u.includes(token)), [], 'a token in a URL');
      assert.ok(!secured.output().includes(token), "a token in the console's log");
    }
  });
});
