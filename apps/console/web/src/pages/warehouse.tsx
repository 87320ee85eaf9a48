import type { ReplayResult } from '@mlp/client';
import { Fragment, useMemo, useState } from 'react';
import { asApiError } from '../api';
import { ChartCanvas } from '../charts/chart';
import { eventsChart } from '../charts/events-chart';
import { ErrorBox, Json, Loading, Section, StatusDot, type Rag } from '../components';
import { ago, when } from '../format';
import { KeysetPager, useCursors } from '../keyset-pager';
import { LineageGraph } from '../lineage/lineage-graph';
import { lineageBoxes, type ViewSource } from '../lineage/lineage-graph-model';
import { continueToModels, declaredModels, reachOf } from '../lineage/model-lineage';
import { features, imports, predictions, registry, warehouse } from '../platform';
import { Link } from '../router';
import { useCan } from '../session';
import { useCall } from '../use-api';

const rag = (s: string): Rag => (s === 'ok' ? 'green' : s === 'warn' ? 'amber' : s === 'error' ? 'red' : 'unknown');

/** The tracking plan's violation codes (apps/dwh-ingest README), for the filter. */
const CODES = ['UNPLANNED_EVENT', 'UNKNOWN_SCHEMA_VERSION', 'IDENTITY_MISSING', 'REQUIRED_MISSING', 'DATATYPE_MISMATCH', 'ADDITIONAL_PROPERTIES', 'ACCEPTED_VALUES', 'FORMAT_MISMATCH', 'PATTERN_MISMATCH', 'OUT_OF_RANGE', 'SIZE_CONSTRAINT'];
const PAGE = 50;

interface Filters {
  code: string;
  event: string;
  status: string;
}

/** Are events arriving clean and fresh, and what was rejected (with a way to replay it)? */
export function WarehousePage() {
  const can = useCan();
  const readable = can('dwh-ingest', 'GET', '/v1/sla');
  const sla = useCall(readable ? 'sla' : null, (signal) => warehouse.sla({ signal }), { refreshMs: 30000 });
  const [filters, setFilters] = useState<Filters>({ code: '', event: '', status: 'pending' });
  const showFailed = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    document.getElementById('failed-events')?.scrollIntoView({ behavior: 'smooth' });
  };
  if (!readable) return <div className="page"><h1>Warehouse</h1><p className="notice">Your token cannot read the warehouse (it needs ingest:read).</p></div>;
  return (
    <div className="page">
      <h1>Warehouse</h1>
      <Section title="SLAs: freshness and completeness">
        {sla.error && <ErrorBox error={sla.error} />}
        {!sla.data && !sla.error && <Loading what="SLAs" />}
        {sla.data && (
          <table className="table" aria-label="Warehouse SLAs">
            <thead>
              <tr>
                <th aria-label="status" />
                <th>dataset</th>
                <th>check</th>
                <th>measured</th>
                <th>since</th>
              </tr>
            </thead>
            <tbody>
              {sla.data.checks.map((c) => (
                <tr key={`${c.dataset}:${c.check}`}>
                  <td>
                    <StatusDot status={rag(c.status)} label={c.status} />
                  </td>
                  <td>{c.dataset}</td>
                  <td>{c.check}</td>
                  <td>{c.reason}</td>
                  <td>{c.since ? ago(c.since) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <EventsPerHour onCode={(code) => showFailed({ code, event: '' })} onEvent={(event) => showFailed({ event, code: '' })} />
      <FailedEvents filters={filters} setFilters={setFilters} />
      <Lineage />
      <Imports />
    </div>
  );
}

const RANGES = [
  { label: 'last 24 hours', hours: 24, bucket: 'hour' as const },
  { label: 'last 7 days', hours: 24 * 7, bucket: 'hour' as const },
  { label: 'last 30 days', hours: 24 * 30, bucket: 'day' as const },
];

/** Accepted / rejected / duplicates per hour, and what is rejected most (a click filters the failed events). */
function EventsPerHour({ onCode, onEvent }: { onCode: (code: string) => void; onEvent: (event: string) => void }) {
  const [range, setRange] = useState(0);
  const r = RANGES[range];
  const stats = useCall(`stats:${range}`, (signal) => warehouse.eventStats({ from: new Date(Date.now() - r.hours * 3600_000).toISOString(), bucket: r.bucket, top: 8 }, { signal }), { refreshMs: 60000 });
  const chart = useMemo(() => (stats.data ? eventsChart(stats.data) : null), [stats.data]);
  const totals = stats.data?.totals;
  const received = totals ? totals.accepted + totals.rejected + totals.duplicates : 0;
  return (
    <Section
      title="Events"
      id="events"
      actions={
        <select aria-label="Range" value={range} onChange={(e) => setRange(Number(e.target.value))}>
          {RANGES.map((x, i) => (
            <option key={x.label} value={i}>
              {x.label}
            </option>
          ))}
        </select>
      }
    >
      {stats.error && <ErrorBox error={stats.error} />}
      {!stats.data && !stats.error && <Loading what="event counts" />}
      {stats.data && totals && (
        <>
          <p className="meta" data-testid="event-totals">
            {totals.accepted.toLocaleString()} accepted, {totals.rejected.toLocaleString()} rejected ({received ? ((100 * totals.rejected) / received).toFixed(1) : '0'}%), {totals.duplicates.toLocaleString()} duplicates
          </p>
          {chart && <ChartCanvas config={chart} label={`Events per ${stats.data.bucket}: accepted, rejected, duplicates`} size="large" />}
          <div className="grid-2">
            <TopList title="Top violation codes" label="code" rows={stats.data.topCodes.map((c) => ({ key: c.code, name: c.code, n: c.events }))} onPick={onCode} />
            <TopList title="Top rejected events" label="event" rows={stats.data.topEvents.map((e) => ({ key: e.event ?? '(none)', name: e.event, n: e.rejected }))} onPick={onEvent} />
          </div>
        </>
      )}
    </Section>
  );
}

function TopList({ title, label, rows, onPick }: { title: string; label: string; rows: Array<{ key: string; name: string | null; n: number }>; onPick: (name: string) => void }) {
  const max = Math.max(1, ...rows.map((r) => r.n));
  return (
    <div>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="meta">Nothing rejected in this range.</p>
      ) : (
        <table className="table" aria-label={title}>
          <thead>
            <tr>
              <th>{label}</th>
              <th>rejected</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>
                  {r.name === null ? (
                    <span className="meta">(no event name)</span>
                  ) : (
                    <button type="button" className="link" title="Show these failed events" onClick={() => onPick(r.name as string)}>
                      <code>{r.name}</code>
                    </button>
                  )}
                </td>
                <td className="bar-cell">
                  <span className="bar" style={{ width: `${(100 * r.n) / max}%` }} />
                  {r.n.toLocaleString()}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * The model DAG from sources to feature views, continued to the feature services and the models
 * trained on them (with the champion serving loaded), each box with its status. A part the token
 * cannot read ends the graph there, with a note saying so.
 */
function Lineage() {
  const can = useCan();
  const readsFeatures = can('feature-store', 'GET', '/v1/feature-views');
  const readsServices = can('feature-store', 'GET', '/v1/feature-services');
  const readsModels = can('trainer', 'GET', '/v1/models') && can('trainer', 'GET', '/v1/model-specs');
  const readsServing = can('model-serving', 'GET', '/v1/models');
  const dwh = useCall('lineage', (signal) => warehouse.lineage({ signal }), { refreshMs: 60000 });
  const views = useCall(readsFeatures ? 'views' : null, async (signal): Promise<ViewSource[]> => {
    const list = await features.featureViews({ signal });
    return Promise.all(
      list.map(async (v) => {
        const detail = await features.featureView(v.name, { signal });
        const head = detail.versions.find((x) => x.version === detail.version);
        return { name: v.name, version: v.version, project: v.project, sourceStatus: v.source_status, relations: head?.source_relations ?? [] };
      }),
    );
  });
  const services = useCall(readsServices ? 'feature-services' : null, (signal) => features.featureServices({ signal }));
  const models = useCall(readsModels ? 'models' : null, async (signal) => {
    const [specs, registered] = await Promise.all([registry.specs({}, { signal }), registry.models({ signal })]);
    return declaredModels(specs, registered);
  }, { refreshMs: 60000 });
  const served = useCall(readsServing ? 'served' : null, async (signal) => (await predictions.servedModels({ signal })).models, { refreshMs: 60000 });
  const graph = useMemo(() => {
    if (!dwh.data) return null;
    const warehouseSide = lineageBoxes(dwh.data, views.data ?? []);
    return continueToModels(
      warehouseSide,
      reachOf({ what: 'feature services', scope: 'features:read', allowed: readsFeatures && readsServices, data: services.data, error: views.error ?? services.error }),
      reachOf({ what: 'models', scope: 'trainer:read', allowed: readsModels, data: models.data, error: models.error }),
      reachOf({ what: 'what serving loaded', scope: 'a serving read', allowed: readsServing, data: served.data, error: served.error }),
    );
  }, [dwh.data, views.data, views.error, services.data, services.error, models.data, models.error, served.data, served.error, readsFeatures, readsServices, readsModels, readsServing]);
  const viewsRefused = (views.error as { status?: number } | undefined)?.status === 403;
  const [selected, setSelected] = useState<string | null>(null);
  const box = graph?.boxes.find((b) => b.id === selected);
  return (
    <Section title="Lineage: sources → staging → marts → feature views → feature services → models" id="lineage">
      {dwh.error && <ErrorBox error={dwh.error} />}
      {views.error && !viewsRefused && <ErrorBox error={views.error} what="Feature views" />}
      {!dwh.data && !dwh.error && <Loading what="the model DAG" />}
      {graph && graph.boxes.length === 0 && <p className="meta">No project has applied warehouse models yet.</p>}
      {graph && graph.boxes.length > 0 && (
        <>
          <LineageGraph boxes={graph.boxes} edges={graph.edges} selected={selected} onSelect={(id) => setSelected(id === selected ? null : id)} />
          {graph.stops.map((stop) => (
            <p key={stop} className="notice" data-testid="lineage-stop">
              {stop}
            </p>
          ))}
          {box ? (
            <div className="lineage-detail" data-testid="lineage-detail">
              <h3>
                <StatusDot status={box.status} /> {box.name} <span className="meta">{box.model ? `${box.model.task}, ${box.project ?? 'platform'}` : (box.project ?? 'platform')}</span>
              </h3>
              {box.dwh?.description && <p>{box.dwh.description}</p>}
              {box.dwh?.kind === 'model' && (
                <p>
                  {box.dwh.layer}, {box.dwh.materialized}; last build:{' '}
                  {box.dwh.lastRun ? `${box.dwh.lastRun.status}${box.dwh.lastRun.builtAt ? ` ${ago(box.dwh.lastRun.builtAt)}` : ''}${box.dwh.lastRun.rows === null ? '' : `, ${box.dwh.lastRun.rows} rows`}` : 'never'}
                </p>
              )}
              {box.dwh?.freshness && (
                <p>
                  Freshness {box.dwh.freshness.status}
                  {box.dwh.freshness.ageSeconds === null ? '' : `: newest data ${Math.round(box.dwh.freshness.ageSeconds / 60)} min old`} (checked {ago(box.dwh.freshness.checkedAt)})
                </p>
              )}
              {box.dwh && box.dwh.tests.length > 0 && (
                <ul>
                  {box.dwh.tests.map((t) => (
                    <li key={t.test}>
                      <code>{t.test}</code>: {t.status ?? 'not run yet'}
                      {t.failures ? `, ${t.failures} failing rows` : ''}
                    </li>
                  ))}
                </ul>
              )}
              {box.view && (
                <p>
                  Feature view v{box.view.version}, source {box.view.sourceStatus ?? 'unknown'}. <Link to={`/features/${encodeURIComponent(box.view.name)}`}>Its statistics</Link>
                </p>
              )}
              {box.service && (
                <p>
                  Feature service: {box.why.join(', ')} ({[...new Set(box.service.features)].join(', ')}). <Link to="/features">The feature store</Link>
                </p>
              )}
              {box.model && (
                <p>
                  Model trained on {box.model.featureService}:{' '}
                  {box.model.champion === null ? 'no champion' : `champion v${box.model.champion}`}
                  {box.model.challenger === null ? '' : `, challenger v${box.model.challenger}`}
                  {box.model.latestVersion === null ? ', no version yet' : `, latest v${box.model.latestVersion}`}; {box.why.slice(1).join(', ') || box.why.join(', ')}.{' '}
                  <Link to={`/models/${encodeURIComponent(box.model.name)}`}>Its versions and runs</Link> · <Link to={`/serving/${encodeURIComponent(box.model.name)}`}>How it is served</Link>
                </p>
              )}
              {!box.dwh && !box.view && !box.service && !box.model && <p className="meta">{box.why.join(', ')}</p>}
            </div>
          ) : (
            <p className="meta">Choose a box for its last build, tests and freshness.</p>
          )}
        </>
      )}
    </Section>
  );
}

/** Imports newest first; one opens to its rejected rows with their violations. */
function Imports() {
  const pages = useCursors();
  const cursor = pages.cursor;
  const page = useCall(`imports:${cursor ?? ''}`, (signal) => imports.runs({ limit: 20, cursor: cursor ?? undefined }, { signal }));
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Section title="Imports" id="imports">
      {page.error && <ErrorBox error={page.error} />}
      {!page.data && !page.error && <Loading what="imports" />}
      {page.data && page.data.items.length === 0 && <p className="meta">No file was imported yet.</p>}
      {page.data && page.data.items.length > 0 && (
        <table className="table" aria-label="Imports">
          <thead>
            <tr>
              <th>started</th>
              <th>source</th>
              <th>format</th>
              <th>accepted</th>
              <th>rejected</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((i) => (
              <Fragment key={i.importId}>
                <tr data-import={i.importId}>
                  <td>{when(i.startedAt)}</td>
                  <td>{i.source}</td>
                  <td>{i.contentType}</td>
                  <td>{i.rowsAccepted.toLocaleString()}</td>
                  <td>
                    {i.rowsRejected > 0 ? (
                      <button type="button" className="link" aria-expanded={open === i.importId} onClick={() => setOpen(open === i.importId ? null : i.importId)}>
                        {i.rowsRejected.toLocaleString()} rows
                      </button>
                    ) : (
                      '0'
                    )}
                  </td>
                  <td>{i.status}</td>
                </tr>
                {open === i.importId && (
                  <tr className="detail">
                    <td colSpan={6}>
                      <RejectedRows importId={i.importId} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <KeysetPager pages={pages} nextCursor={page.data?.nextCursor} />
    </Section>
  );
}

interface RejectedRowsPage {
  items: Array<{ rowNumber: number; raw: string; violations: Array<{ path: string; code: string; message: string }> }>;
  nextCursor: string | null;
}

function RejectedRows({ importId }: { importId: string }) {
  const rows = useCall(`rejected:${importId}`, async (signal) => (await imports.rejectedRows(importId, { limit: 100 }, { signal })) as RejectedRowsPage);
  if (rows.error) return <ErrorBox error={rows.error} />;
  if (!rows.data) return <Loading what="rejected rows" />;
  return (
    <table className="table" aria-label="Rejected rows">
      <thead>
        <tr>
          <th>row</th>
          <th>as received</th>
          <th>violations</th>
        </tr>
      </thead>
      <tbody>
        {rows.data.items.map((r) => (
          <tr key={r.rowNumber}>
            <td>{r.rowNumber}</td>
            <td>
              <code>{r.raw}</code>
            </td>
            <td>
              {r.violations.map((v, i) => (
                <div key={i}>
                  <code>{v.code}</code> <span className="meta">{v.path}</span> {v.message}
                </div>
              ))}
            </td>
          </tr>
        ))}
        {rows.data.nextCursor && (
          <tr>
            <td colSpan={3} className="meta">
              The first 100 rows; the rest with <code>GET /v1/imports/runs/{importId}/rejected-rows?cursor={rows.data.nextCursor}</code>.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

function FailedEvents({ filters, setFilters }: { filters: Filters; setFilters: (f: (prev: Filters) => Filters) => void }) {
  const can = useCan();
  const mayReplay = can('dwh-ingest', 'POST', '/v1/failed-events/replay');
  const pages = useCursors();
  const [seen, setSeen] = useState(filters);
  if (seen !== filters) {
    // Filters changed (here or from the top lists above): back to the first page.
    setSeen(filters);
    pages.reset();
  }
  const cursor = pages.cursor;
  const query = { limit: PAGE, cursor: cursor ?? undefined, code: filters.code || undefined, event: filters.event.trim() || undefined, status: (filters.status || undefined) as 'pending' | 'replayed' | undefined };
  const page = useCall(`failed:${JSON.stringify(query)}`, (signal) => warehouse.failedEvents(query, { signal }));
  const [open, setOpen] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [replay, setReplay] = useState<{ result?: ReplayResult; error?: Error; busy: boolean }>({ busy: false });

  const filter = (patch: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setSelected(new Set());
  };
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const replaySelected = async () => {
    setReplay({ busy: true });
    try {
      const result = await warehouse.replayFailedEvents({ ids: [...selected] });
      setReplay({ busy: false, result });
      setSelected(new Set());
      page.reload();
    } catch (err) {
      setReplay({ busy: false, error: asApiError(err) });
    }
  };

  return (
    <Section
      title="Failed events"
      id="failed-events"
      actions={
        <button type="button" disabled={!mayReplay || selected.size === 0 || replay.busy} title={mayReplay ? 'Validate again against the current tracking plan' : 'needs the ingest:write scope'} onClick={() => void replaySelected()}>
          Replay {selected.size || ''} selected
        </button>
      }
    >
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter failed events">
        <label>
          code{' '}
          <select value={filters.code} onChange={(e) => filter({ code: e.target.value })}>
            <option value="">any</option>
            {CODES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          event <input value={filters.event} onChange={(e) => filter({ event: e.target.value })} placeholder="any" maxLength={128} />
        </label>
        <label>
          status{' '}
          <select value={filters.status} onChange={(e) => filter({ status: e.target.value })}>
            <option value="pending">not replayed</option>
            <option value="replayed">replayed</option>
            <option value="">all</option>
          </select>
        </label>
      </form>
      {replay.result && (
        <p className="notice" role="status" data-testid="replay-result">
          Replayed {replay.result.replayed}: {replay.result.accepted} accepted, {replay.result.duplicates} duplicates, {replay.result.stillInvalid} still invalid against the current plan.
        </p>
      )}
      {replay.error && <ErrorBox error={replay.error} what="Replay failed" />}
      {page.error && <ErrorBox error={page.error} />}
      {!page.data && !page.error && <Loading what="failed events" />}
      {page.data && page.data.items.length === 0 && <p className="meta">No failed events {filters.status === 'pending' ? 'waiting' : 'match'}.</p>}
      {page.data && page.data.items.length > 0 && (
        <table className="table" aria-label="Failed events">
          <thead>
            <tr>
              <th aria-label="select" />
              <th>received</th>
              <th>event</th>
              <th>message id</th>
              <th>violations</th>
              <th>replay</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((e) => (
              <Fragment key={e.id}>
                <tr data-failed-event={e.id} className={open === e.id ? 'open' : undefined}>
                  <td>
                    <input type="checkbox" aria-label={`select failed event ${e.id}`} checked={selected.has(e.id)} disabled={e.replayStatus === 'accepted' || e.replayStatus === 'duplicate'} onChange={() => toggle(e.id)} />
                  </td>
                  <td>{when(e.receivedAt)}</td>
                  <td>{e.event ?? '–'}</td>
                  <td>
                    <button type="button" className="link" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>
                      {e.messageId ?? `#${e.id}`}
                    </button>
                  </td>
                  <td>
                    {e.violations.map((v, i) => (
                      <div key={i}>
                        <code>{v.code}</code> <span className="meta">{v.path}</span>
                      </div>
                    ))}
                  </td>
                  <td>{e.replayStatus ? `${e.replayStatus.replace('_', ' ')} ${ago(e.replayedAt)}` : '–'}</td>
                </tr>
                {open === e.id && (
                  <tr className="detail">
                    <td />
                    <td colSpan={5}>
                      <div className="grid-2">
                        <div>
                          <h3>Payload as received</h3>
                          <Json value={e.payload} />
                        </div>
                        <div>
                          <h3>Violations</h3>
                          <ul>
                            {e.violations.map((v, i) => (
                              <li key={i}>
                                <code>{v.path}</code> {v.code}: {v.message}
                              </li>
                            ))}
                          </ul>
                        </div>
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      <KeysetPager pages={pages} nextCursor={page.data?.nextCursor} />
    </Section>
  );
}
