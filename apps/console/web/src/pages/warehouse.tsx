import type { FailedEventsPage, ReplayResult } from '@mlp/contracts';
import { Fragment, useState } from 'react';
import { post, serviceUrl } from '../api';
import { ErrorBox, Json, Loading, Section, StatusDot, type Rag } from '../components';
import { ago, when } from '../format';
import { useCan } from '../session';
import { useApi } from '../use-api';

interface SlaCheck {
  dataset: string;
  check: string;
  status: string;
  measured: number | null;
  warnAfter: number;
  errorAfter: number;
  reason: string;
  since: string;
}

const rag = (s: string): Rag => (s === 'ok' ? 'green' : s === 'warn' ? 'amber' : s === 'error' ? 'red' : 'unknown');

/** The tracking plan's violation codes (apps/dwh-ingest README), for the filter. */
const CODES = ['UNPLANNED_EVENT', 'UNKNOWN_SCHEMA_VERSION', 'IDENTITY_MISSING', 'REQUIRED_MISSING', 'DATATYPE_MISMATCH', 'ADDITIONAL_PROPERTIES', 'ACCEPTED_VALUES', 'FORMAT_MISMATCH', 'PATTERN_MISMATCH', 'OUT_OF_RANGE', 'SIZE_CONSTRAINT'];
const PAGE = 50;

/** Are events arriving clean and fresh, and what was rejected (with a way to replay it)? */
export function WarehousePage() {
  const can = useCan();
  const readable = can('dwh-ingest', 'GET', '/v1/sla');
  const sla = useApi<{ status: string; checks: SlaCheck[] }>(readable ? serviceUrl('dwh-ingest', '/v1/sla') : null, { refreshMs: 30000 });
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
                  <td>{ago(c.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <FailedEvents />
    </div>
  );
}

function FailedEvents() {
  const can = useCan();
  const mayReplay = can('dwh-ingest', 'POST', '/v1/failed-events/replay');
  const [filters, setFilters] = useState<{ code: string; event: string; status: string }>({ code: '', event: '', status: 'pending' });
  // The cursors of the pages seen so far: keyset pagination on the server, newest first.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1];
  const page = useApi<FailedEventsPage>(serviceUrl('dwh-ingest', '/v1/failed-events', { limit: PAGE, cursor, code: filters.code, event: filters.event.trim(), status: filters.status }));
  const [open, setOpen] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [replay, setReplay] = useState<{ result?: ReplayResult; error?: Error; busy: boolean }>({ busy: false });

  const filter = (patch: Partial<typeof filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setCursors([null]);
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
      const result = await post<ReplayResult>(serviceUrl('dwh-ingest', '/v1/failed-events/replay'), { ids: [...selected] });
      setReplay({ busy: false, result });
      setSelected(new Set());
      page.reload();
    } catch (err) {
      setReplay({ busy: false, error: err instanceof Error ? err : new Error(String(err)) });
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
      <div className="pager">
        <button type="button" className="secondary" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          ← Newer
        </button>
        <span className="meta">page {cursors.length}</span>
        <button type="button" className="secondary" disabled={!page.data?.nextCursor} onClick={() => {
            const next = page.data?.nextCursor;
            if (next) setCursors((c) => [...c, next]);
          }}>
          Older →
        </button>
      </div>
    </Section>
  );
}
