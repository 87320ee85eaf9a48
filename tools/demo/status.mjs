#!/usr/bin/env node
// `status`: one screen that shows where the closed loop stands: each service's readiness, every SLA
// (warehouse datasets, feature freshness), the champion per model, live quality and drift, and the
// latest webhooks the demo sink received. Anything not reachable or not built yet prints
// `unavailable` with the reason, so the command is useful at every stage of the platform.
// The warehouse SLAs and the registry are read through the platform's client (@mlp/client); health,
// feature freshness, drift, live quality and the sink have no client call and are plain GETs.
//
//   node tools/demo/status.mjs [--watch 5] [--json] [--webhooks http://127.0.0.1:3090]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PlatformApiError, RegistryClient, WarehouseClient } from '../client/from-source.mjs';
import { summarise } from './webhook-sink.mjs';

export const DEFAULT_URLS = {
  'dwh-ingest': process.env.DWH_INGEST_URL ?? 'http://127.0.0.1:3001',
  'feature-store': process.env.FEATURE_STORE_URL ?? 'http://127.0.0.1:3002',
  trainer: process.env.TRAINER_URL ?? 'http://127.0.0.1:3003',
  'model-serving': process.env.MODEL_SERVING_URL ?? 'http://127.0.0.1:3004',
};
/** Where the feature store may expose freshness; the first that answers 200 is used. */
const FEATURE_FRESHNESS_PATHS = ['/v1/freshness', '/v1/sla', '/v1/feature-views/freshness', '/v1/status/freshness'];

/** GET a JSON document; never throws: `{ ok, status, body }` or `{ ok: false, reason }`. */
export async function getJson(url, timeoutMs = 2500) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    const text = await res.text();
    let body = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // Keep the text.
    }
    if (!res.ok) {
      const why = body && typeof body === 'object' ? (body.code ?? body.error ?? body.status) : String(text).slice(0, 80);
      return { ok: false, status: res.status, body, reason: `HTTP ${res.status}${why ? ` ${why}` : ''}` };
    }
    return { ok: true, status: res.status, body };
  } catch (err) {
    return { ok: false, reason: err.cause?.code ?? (err.name === 'TimeoutError' ? 'timeout' : err.message) };
  }
}

/**
 * A call of the platform's client (@mlp/client) in getJson's shape: `{ ok, body }`, or `{ ok: false,
 * status, body, reason }` from its PlatformApiError (the platform's code, or the network's, e.g. ECONNREFUSED).
 */
export async function viaClient(call) {
  try {
    return { ok: true, status: 200, body: await call() };
  } catch (err) {
    if (!(err instanceof PlatformApiError)) return { ok: false, reason: err.message };
    if (err.status) return { ok: false, status: err.status, body: { code: err.code, error: err.message, details: err.details }, reason: `HTTP ${err.status} ${err.code}` };
    return { ok: false, reason: err.cause?.cause?.code ?? (err.code === 'TIMEOUT' ? 'timeout' : err.code) };
  }
}

/** The list inside a response: the body itself, or its first array-valued property. */
export function listOf(body) {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    for (const key of ['items', 'data', 'datasets', 'models', 'views', 'featureViews', 'results', 'webhooks']) if (Array.isArray(body[key])) return body[key];
    const first = Object.values(body).find(Array.isArray);
    if (first) return first;
  }
  return [];
}

const NAME_KEYS = ['dataset', 'name', 'mart', 'view', 'featureView', 'model', 'id'];
const nameOf = (item) => item[NAME_KEYS.find((k) => item[k] !== undefined && item[k] !== null)] ?? '?';
/** The fields of a list item besides its name and status, for the summary after them. */
function detailsOf(item) {
  const key = NAME_KEYS.find((k) => item[k] !== undefined && item[k] !== null);
  const rest = { ...item };
  delete rest[key];
  delete rest.status;
  return rest;
}

/** Collects everything the status screen shows (also the `--json` output). */
export async function collectStatus({ urls = DEFAULT_URLS, webhooksUrl = process.env.WEBHOOK_SINK_URL ?? 'http://127.0.0.1:3090' } = {}) {
  const services = await Promise.all(
    Object.entries(urls).map(async ([name, base]) => {
      const r = await getJson(`${base}/readyz`);
      const state = r.ok ? 'ready' : r.status ? 'not ready' : 'unavailable';
      return { name, url: base, state, detail: r.ok ? '' : r.reason };
    }),
  );

  const clientOptions = { timeoutMs: 2500 };
  const sla = await viaClient(() => new WarehouseClient({ baseUrl: urls['dwh-ingest'], ...clientOptions }).sla());
  let freshness = { ok: false, reason: 'no freshness endpoint answered' };
  for (const p of FEATURE_FRESHNESS_PATHS) {
    const r = await getJson(`${urls['feature-store']}${p}`);
    if (r.ok) {
      freshness = { ...r, path: p };
      break;
    }
    if (r.status === undefined) {
      freshness = r;
      break;
    }
  }

  const modelsRes = await viaClient(() => new RegistryClient({ baseUrl: urls.trainer, ...clientOptions }).models());
  const models = [];
  for (const m of modelsRes.ok ? listOf(modelsRes.body) : []) {
    const name = typeof m === 'string' ? m : nameOf(m);
    const aliases = m.aliases ?? {};
    const champion = m.champion ?? (typeof aliases === 'object' && !Array.isArray(aliases) ? aliases.champion : undefined) ?? m.championVersion;
    const [drift, quality] = await Promise.all([
      getJson(`${urls['model-serving']}/v1/models/${encodeURIComponent(name)}/drift`),
      getJson(`${urls['model-serving']}/v1/models/${encodeURIComponent(name)}/live-quality`),
    ]);
    models.push({ name, champion: champion ?? null, entry: m, drift, quality });
  }

  const hooks = await getJson(`${webhooksUrl.replace(/\/$/, '')}/webhooks`);
  return { at: new Date().toISOString(), services, sla, freshness, models: modelsRes.ok ? models : modelsRes, webhooks: hooks };
}

/** 42 -> "42 s", 5400 -> "1.5 h": ages and SLA thresholds at a glance. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'n/a';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(0)} min`;
  if (seconds < 2 * 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

const pct = (x) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;

/** One line of a warehouse SLA check (dwh-ingest's SlaReport), or a generic summary for other shapes. */
function slaLine(c) {
  if (c.check === 'freshness' && 'measured' in c) {
    return `  ${`${c.dataset} freshness`.padEnd(36)} ${String(c.status).padEnd(6)} ${c.measured === null ? 'no data yet' : `newest data ${duration(c.measured)} old`} (warn ${duration(c.warnAfter)}, error ${duration(c.errorAfter)})`;
  }
  if (c.check === 'completeness' && 'measured' in c) {
    return `  ${`${c.dataset} completeness`.padEnd(36)} ${String(c.status).padEnd(6)} ${c.measured === null ? 'no events in the window' : `${pct(c.measured)} rejected`} (warn ${pct(c.warnAfter)}, error ${pct(c.errorAfter)})`;
  }
  return `  ${String(nameOf(c)).padEnd(36)} ${String(c.status ?? '?').padEnd(6)} ${summarise(detailsOf(c))}`;
}

/** One line of a feature view's freshness (feature-store's /v1/freshness), or a generic summary. */
function freshnessLine(v) {
  if ('age_seconds' in v && 'sla_seconds' in v) {
    const name = v.version !== undefined ? `${v.view ?? v.name} v${v.version}` : String(nameOf(v));
    return `  ${name.padEnd(36)} ${String(v.status).padEnd(9)} ${v.age_seconds === null ? 'no online values' : `newest value ${duration(v.age_seconds)} old`} (SLA ${duration(v.sla_seconds)})`;
  }
  return `  ${String(nameOf(v)).padEnd(36)} ${String(v.status ?? '?').padEnd(9)} ${summarise(detailsOf(v))}`;
}

/**
 * Live quality (model-serving's /live-quality, computed by the warehouse from the model's outcome):
 * per version and arm, AUC and log loss (binary labels) or RMSE and MAE (numeric labels) of the
 * predictions whose outcome is known, or how many are still waiting for one.
 */
export function liveQualityLine(body) {
  const groups = Array.isArray(body?.groups) ? body.groups : null;
  if (!groups) return summarise(body);
  if (groups.length === 0) return `no predictions in the last ${body.windowHours} h`;
  const fmt = (x, d = 3) => (typeof x === 'number' ? x.toFixed(d) : 'n/a');
  const horizon = body.outcome?.horizon ? `${body.outcome.horizon} horizon` : 'outcome not in yet';
  const figures = (g) => (body.labelKind === 'numeric' ? `RMSE ${fmt(g.rmse)}, MAE ${fmt(g.mae)}` : `AUC ${fmt(g.auc)}, log loss ${fmt(g.logLoss)}`);
  return groups
    .map((g) =>
      g.labelled > 0
        ? `v${g.version} ${g.arm}: ${figures(g)}, ${g.labelled} labelled of ${g.predictions}`
        : `v${g.version} ${g.arm}: ${g.predictions} predictions, outcomes not known yet (${horizon})`,
    )
    .join('; ');
}

/** The live-quality line when the endpoint did not answer 200: a model without an outcome is said plainly. */
function liveQualityUnavailable(r) {
  return r.body?.code === 'NO_OUTCOME' ? 'no outcome declared (its project labels no live predictions)' : `unavailable (${r.reason})`;
}

/** Drift of the served version (model-serving's DriftReport): drifting features first, by PSI. */
function driftLine(body) {
  if (!Array.isArray(body?.features)) return summarise(body);
  const measured = body.features.filter((f) => f.psi !== null && f.psi !== undefined);
  if (body.features.length > 0 && measured.length === 0) return `v${body.version}: not enough live observations yet (window ${body.window})`;
  const ranked = [...measured].sort((a, b) => b.psi - a.psi);
  const drifting = ranked.filter((f) => f.status === 'drift');
  const warn = ranked.filter((f) => f.status === 'warn');
  const verdict = drifting.length ? `DRIFT in ${drifting.length} of ${body.features.length} features` : warn.length ? `warn in ${warn.length} of ${body.features.length} features` : `ok (${body.features.length} features)`;
  const top = ranked
    .slice(0, 3)
    .map((f) => `${f.feature} psi ${f.psi.toFixed(3)}`)
    .join(', ');
  return `v${body.version}: ${verdict}; highest ${top} (warn ${body.warnThreshold}, drift ${body.driftThreshold}, window ${body.window})`;
}

/** Renders the collected status as the text screen. */
export function renderStatus(s, { color = false } = {}) {
  const out = [];
  const head = (t) => out.push('', color ? `\x1b[1m${t}\x1b[0m` : t);
  const unavailable = (r) => `unavailable (${r.reason})`;
  out.push(`platform status at ${s.at}`);

  head('services');
  for (const svc of s.services) out.push(`  ${svc.name.padEnd(14)} ${svc.state.padEnd(12)} ${svc.url}${svc.detail ? `  ${svc.detail}` : ''}`);

  head(`warehouse SLAs (dwh-ingest /v1/sla)${s.sla.ok && typeof s.sla.body?.status === 'string' ? `: ${s.sla.body.status}` : ''}`);
  if (!s.sla.ok) out.push(`  ${unavailable(s.sla)}`);
  else {
    const items = listOf(s.sla.body);
    if (items.length === 0) out.push(`  ${summarise(s.sla.body)}`);
    for (const c of items) out.push(slaLine(c));
  }

  head(`feature freshness (feature-store)${s.freshness.ok && typeof s.freshness.body?.status === 'string' ? `: ${s.freshness.body.status}` : ''}`);
  if (!s.freshness.ok) out.push(`  ${unavailable(s.freshness)}`);
  else {
    const items = listOf(s.freshness.body);
    if (items.length === 0) out.push('  no online feature views yet');
    for (const v of items) out.push(freshnessLine(v));
  }

  head('models (trainer registry, model-serving)');
  if (!Array.isArray(s.models)) out.push(`  ${unavailable(s.models)}`);
  else if (s.models.length === 0) out.push('  no models registered yet');
  else {
    for (const m of s.models) {
      const v = (x) => (x === null || x === undefined ? 'none' : typeof x === 'object' ? summarise(x) : `v${x}`);
      const extra = [m.entry?.challenger !== undefined && m.entry.challenger !== null ? `challenger ${v(m.entry.challenger)}` : '', m.entry?.latestVersion !== undefined ? `latest ${v(m.entry.latestVersion)}` : '']
        .filter(Boolean)
        .join(', ');
      if (m.entry?.latestVersion === null) out.push(`  ${m.name}: no versions yet`);
      else out.push(`  ${m.name}: champion ${v(m.champion)}${extra ? `, ${extra}` : ''}`);
      out.push(`    live quality: ${m.quality.ok ? liveQualityLine(m.quality.body) : liveQualityUnavailable(m.quality)}`);
      out.push(`    drift:        ${m.drift.ok ? driftLine(m.drift.body) : unavailable(m.drift)}`);
    }
  }

  head('recent webhooks (demo sink)');
  if (!s.webhooks.ok) out.push(`  ${unavailable(s.webhooks)}`);
  else {
    const hooks = listOf(s.webhooks.body).slice(0, 10);
    if (hooks.length === 0) out.push('  none received yet');
    for (const h of hooks) out.push(`  ${String(h.receivedAt ?? '').slice(11, 19)} ${h.event} from ${h.service}: ${h.summary}`);
  }
  return out.join('\n');
}

async function main() {
  const { values } = parseArgs({
    options: {
      watch: { type: 'string' },
      json: { type: 'boolean', default: false },
      webhooks: { type: 'string', default: process.env.WEBHOOK_SINK_URL ?? 'http://127.0.0.1:3090' },
    },
  });
  const once = async () => {
    const s = await collectStatus({ webhooksUrl: values.webhooks });
    if (values.json) console.log(JSON.stringify(s));
    else {
      if (values.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      console.log(renderStatus(s, { color: Boolean(process.stdout.isTTY) }));
    }
  };
  await once();
  if (values.watch) {
    const every = Math.max(1, Number(values.watch)) * 1000;
    const timer = setInterval(() => once().catch((e) => console.error(e.message)), every);
    process.on('SIGINT', () => {
      clearInterval(timer);
      process.exit(0);
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
