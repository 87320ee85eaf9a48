// The overview board from what the services answered: each service's readiness and each SLA the
// platform measures (warehouse freshness and completeness, feature freshness, a champion per model
// and its last run, serving's loaded versions and input drift), each red, amber or green with a
// link to the page that explains it. Anything that could not be read is `unknown` with the reason
// (a service down, or a token without the scope), never silently left out.
import type { BoardItem, BoardStatus, OverviewBoard } from '@mlp/contracts';

/** What one call to a service gave: its JSON, or why there is none. */
export type Fetched<T> = { ok: true; body: T } | { ok: false; status: number; reason: string; code?: string };

export interface Readiness {
  service: string;
  ok: boolean;
  reason?: string;
  latencyMs: number;
}

interface SlaCheck {
  dataset: string;
  check: string;
  status: 'ok' | 'warn' | 'error' | string;
  reason?: string;
}
interface FreshnessView {
  view: string;
  version?: number;
  age_seconds: number | null;
  sla_seconds: number;
  status: 'OK' | 'BREACHED' | 'NO_DATA' | string;
}
interface RegistryModel {
  name: string;
  latestVersion: number | null;
  aliases: { champion: number | null; challenger: number | null };
}
interface RunSummary {
  model: string;
  status: string;
  error: string | null;
  createdAt: string;
}
interface ServedModel {
  name: string;
  champion: number | null;
  wanted?: { champion: number | null; challenger: number | null };
  lastError?: string | null;
}
interface DriftFeature {
  feature: string;
  psi: number | null;
  observations: number;
  status: 'ok' | 'warn' | 'drift' | 'insufficient_data' | string;
}
interface DriftReport {
  version: number;
  features: DriftFeature[];
}

/** The parts of the services' answers the board reads. */
export interface OverviewBodies {
  sla: { checks: SlaCheck[] };
  freshness: { views: FreshnessView[] };
  registry: { models: RegistryModel[] };
  runs: { runs: RunSummary[] };
  served: { models: ServedModel[] };
  drift: DriftReport;
}

export interface OverviewInputs {
  now: Date;
  readiness: Readiness[];
  sla: Fetched<OverviewBodies['sla']>;
  freshness: Fetched<OverviewBodies['freshness']>;
  registry: Fetched<OverviewBodies['registry']>;
  runs: Fetched<OverviewBodies['runs']>;
  served: Fetched<OverviewBodies['served']>;
  /** Drift report per served model with a champion. */
  drift: Record<string, Fetched<OverviewBodies['drift']>>;
}

const AREA_PAGE: Record<string, string> = {
  'dwh-ingest': '/warehouse',
  'feature-store': '/features',
  trainer: '/models',
  'model-serving': '/serving',
  console: '/',
};

/** 42 -> "42 s", 5400 -> "1.5 h". */
export function age(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** Why a call gave nothing, in words for the board (a missing scope is named). */
function unreadable(what: string, f: { status: number; reason: string; code?: string }): string {
  if (f.status === 401 || f.status === 403) return `${what}: not permitted for this token (${f.reason})`;
  return `${what}: ${f.reason}`;
}

const encode = encodeURIComponent;

function warehouseItems(sla: OverviewInputs['sla']): BoardItem[] {
  if (!sla.ok) return [{ area: 'warehouse', name: 'warehouse SLAs', status: 'unknown', summary: unreadable('dwh-ingest', sla), link: '/warehouse' }];
  return sla.body.checks.map((c) => ({
    area: 'warehouse' as const,
    name: `${c.dataset} ${c.check}`,
    status: c.status === 'ok' ? 'green' : c.status === 'warn' ? 'amber' : c.status === 'error' ? 'red' : 'unknown',
    summary: c.reason ?? c.status,
    link: '/warehouse',
  }));
}

function featureItems(freshness: OverviewInputs['freshness']): BoardItem[] {
  if (!freshness.ok) return [{ area: 'features', name: 'feature freshness', status: 'unknown', summary: unreadable('feature-store', freshness), link: '/features' }];
  return freshness.body.views.map((v) => ({
    area: 'features' as const,
    name: `${v.view} freshness`,
    status: v.status === 'OK' ? 'green' : v.status === 'BREACHED' ? 'red' : v.status === 'NO_DATA' ? 'amber' : 'unknown',
    summary:
      v.age_seconds === null
        ? `no values yet (SLA ${age(v.sla_seconds)})`
        : `newest value ${age(v.age_seconds)} old (SLA ${age(v.sla_seconds)})`,
    link: `/features/${encode(v.view)}`,
  }));
}

function modelItems(registry: OverviewInputs['registry'], runs: OverviewInputs['runs']): BoardItem[] {
  if (!registry.ok) return [{ area: 'models', name: 'model registry', status: 'unknown', summary: unreadable('trainer', registry), link: '/models' }];
  // Runs come newest first: the first seen per model is its latest.
  const latest = new Map<string, RunSummary>();
  for (const r of runs.ok ? runs.body.runs : []) if (!latest.has(r.model)) latest.set(r.model, r);
  return registry.body.models.map((m) => {
    const run = latest.get(m.name);
    const champion = m.aliases.champion;
    let status: BoardStatus;
    let summary: string;
    if (run?.status === 'failed') {
      status = 'red';
      summary = `last training run failed: ${run.error ?? 'no reason recorded'}`;
    } else if (champion === null) {
      status = m.latestVersion === null ? 'unknown' : 'amber';
      summary = m.latestVersion === null ? 'not trained yet' : `no champion (latest version v${m.latestVersion})`;
    } else {
      status = 'green';
      summary = `champion v${champion}${m.aliases.challenger !== null ? `, challenger v${m.aliases.challenger}` : ''}${run ? `, last run ${run.status}` : ''}`;
    }
    return { area: 'models' as const, name: m.name, status, summary, link: `/models/${encode(m.name)}` };
  });
}

function servingItems(served: OverviewInputs['served'], drift: OverviewInputs['drift']): BoardItem[] {
  if (!served.ok) return [{ area: 'serving', name: 'served models', status: 'unknown', summary: unreadable('model-serving', served), link: '/serving' }];
  return served.body.models.map((m) => {
    const link = `/serving/${encode(m.name)}`;
    const wanted = m.wanted?.champion ?? m.champion;
    if (m.lastError) return { area: 'serving' as const, name: m.name, status: 'red' as const, summary: `a version was refused: ${m.lastError}`, link };
    if (wanted === null) return { area: 'serving' as const, name: m.name, status: 'unknown' as const, summary: 'no champion to serve', link };
    if (m.champion !== wanted) return { area: 'serving' as const, name: m.name, status: 'amber' as const, summary: `loading v${wanted} (serving ${m.champion === null ? 'nothing' : `v${m.champion}`})`, link };
    const report = drift[m.name];
    if (!report || !report.ok) return { area: 'serving' as const, name: m.name, status: 'unknown' as const, summary: report ? unreadable('drift', report) : `v${m.champion} served; drift not read`, link };
    const measured = report.body.features.filter((f) => f.psi !== null && f.status !== 'insufficient_data');
    if (measured.length === 0) {
      const seen = Math.max(0, ...report.body.features.map((f) => f.observations));
      return { area: 'serving' as const, name: m.name, status: 'unknown' as const, summary: `v${m.champion} served; drift needs more predictions (${seen} seen)`, link };
    }
    const worst = measured.reduce((a, b) => ((b.psi ?? 0) > (a.psi ?? 0) ? b : a));
    const drifting = measured.filter((f) => f.status === 'drift');
    const warned = measured.filter((f) => f.status === 'warn');
    const status: BoardStatus = drifting.length ? 'red' : warned.length ? 'amber' : 'green';
    const psi = (worst.psi ?? 0).toFixed(3);
    const summary = drifting.length
      ? `v${m.champion}: input drift on ${drifting.length} feature(s), worst PSI ${psi} (${worst.feature})`
      : `v${m.champion} served; highest PSI ${psi} (${worst.feature})`;
    return { area: 'serving' as const, name: m.name, status, summary, link };
  });
}

export function overviewBoard(inputs: OverviewInputs): OverviewBoard {
  const items: BoardItem[] = [
    ...inputs.readiness.map((r) => ({
      area: 'services' as const,
      name: r.service,
      status: (r.ok ? 'green' : 'red') as BoardStatus,
      summary: r.ok ? `ready (${Math.round(r.latencyMs)} ms)` : `not ready: ${r.reason ?? 'no answer'}`,
      link: AREA_PAGE[r.service] ?? '/',
    })),
    ...warehouseItems(inputs.sla),
    ...featureItems(inputs.freshness),
    ...modelItems(inputs.registry, inputs.runs),
    ...servingItems(inputs.served, inputs.drift),
  ];
  const counts = { green: 0, amber: 0, red: 0, unknown: 0 };
  for (const item of items) counts[item.status]++;
  return { checkedAt: inputs.now.toISOString(), items, counts };
}
